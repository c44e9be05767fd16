/**
 * Pure renderers of policy results, grouped by stack, then rule: markdown for the pull-request
 * comment, plain text for the terminal. Groups and rows are ordered deterministically (stacks by
 * name, rules mandatory first then by name, rows by resource then message), whatever the input order.
 */
import type { PolicyResult } from "../lib/plan-model";

export interface RuleGroup {
  policy: string;
  enforcementLevel: PolicyResult["enforcementLevel"];
  results: PolicyResult[];
}

export interface StackGroup {
  stack: string;
  rules: RuleGroup[];
}

const LEVEL_ORDER: Record<string, number> = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 };

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups results by stack and by rule (a rule reporting at two levels makes two groups). */
export function groupResults(results: readonly PolicyResult[]): StackGroup[] {
  const stacks = new Map<string, Map<string, RuleGroup>>();
  for (const r of results) {
    const rules = stacks.get(r.stack) ?? new Map<string, RuleGroup>();
    stacks.set(r.stack, rules);
    const key = `${r.policy}\u0000${r.enforcementLevel}`;
    const group = rules.get(key) ?? { policy: r.policy, enforcementLevel: r.enforcementLevel, results: [] };
    rules.set(key, group);
    group.results.push(r);
  }
  return [...stacks.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([stack, rules]) => ({
      stack,
      rules: [...rules.values()]
        .sort((a, b) => (LEVEL_ORDER[a.enforcementLevel] ?? 9) - (LEVEL_ORDER[b.enforcementLevel] ?? 9) || cmp(a.policy, b.policy))
        .map((g) => ({
          ...g,
          results: [...g.results].sort((a, b) => cmp(a.resourceName ?? "", b.resourceName ?? "") || cmp(a.urn ?? "", b.urn ?? "") || cmp(a.message, b.message)),
        })),
    }));
}

function counts(results: readonly PolicyResult[]): { mandatory: number; advisory: number } {
  const mandatory = results.filter((r) => r.enforcementLevel === "mandatory" || r.enforcementLevel === "remediate").length;
  return { mandatory, advisory: results.length - mandatory };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Escapes text for a markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

export interface RenderOptions {
  /** Heading of the markdown report. Defaults to "Policy check". */
  title?: string;
  /** Stacks that were checked (listed as passing when they have no results). */
  stacks?: readonly string[];
}

/** Markdown for the pull-request comment. */
export function renderMarkdown(results: readonly PolicyResult[], opts: RenderOptions = {}): string {
  const title = opts.title ?? "Policy check";
  const { mandatory, advisory } = counts(results);
  const lines: string[] = [];
  const verdict = mandatory > 0 ? "❌ blocked" : "✅ passed";
  lines.push(`### ${title}: ${verdict}`, "");
  lines.push(`${plural(mandatory, "mandatory violation")}, ${plural(advisory, "advisory violation")}.`);
  const groups = groupResults(results);
  const clean = (opts.stacks ?? []).filter((s) => !groups.some((g) => g.stack === s)).sort(cmp);
  if (clean.length > 0) lines.push("", `No violations in ${clean.map(code).join(", ")}.`);
  for (const g of groups) {
    const c = counts(g.rules.flatMap((r) => r.results));
    lines.push("", `#### Stack ${code(g.stack)} (${c.mandatory} mandatory, ${c.advisory} advisory)`);
    for (const rule of g.rules) {
      lines.push("", `**${code(rule.policy)}** (${rule.enforcementLevel}, ${plural(rule.results.length, "violation")})`, "");
      lines.push("| Resource | Type | Message |", "| --- | --- | --- |");
      for (const r of rule.results) {
        lines.push(`| ${r.resourceName ? code(r.resourceName) : "(stack)"} | ${r.resourceType ? code(r.resourceType) : ""} | ${cell(r.message)} |`);
      }
    }
  }
  return lines.join("\n") + "\n";
}

/** Plain text for the terminal. */
export function renderText(results: readonly PolicyResult[]): string {
  const { mandatory, advisory } = counts(results);
  const lines = [`Policy check: ${plural(mandatory, "mandatory violation")}, ${plural(advisory, "advisory violation")}`];
  for (const g of groupResults(results)) {
    lines.push(`stack ${g.stack}`);
    for (const rule of g.rules) {
      lines.push(`  [${rule.enforcementLevel}] ${rule.policy}`);
      for (const r of rule.results) {
        const where = r.resourceName ? `${r.resourceType ?? "?"} ${r.resourceName}` : "(stack)";
        lines.push(`    ${where}: ${r.message.replace(/\r?\n/g, " ")}`);
      }
    }
  }
  return lines.join("\n") + "\n";
}
