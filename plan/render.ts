/**
 * Renders plans like `pulumi preview`: per stack the resource tree, the resource count, policy
 * results and cross-stack checks, then an organization summary. Formats: text, markdown, json.
 */
import { decodeJson } from "../lib/json";
import { stableStringify } from "./planner";
import { diffCounts, isEmptyDiff } from "./diff";
import { guardrailLines, listGuardrails } from "./guardrails";
import type { OrganizationReport, PlannedResource, PolicyResult, ResourceChange, StackDiff, StackPlan, StackReport } from "../lib/plan-model";
import { costHeadline, costMarkdownSection, costSummaryLines, costTextLines } from "./cost-render";

/** The SCP size quota a stack configured (guardrails.scpSizeQuota), else AWS's default. */
function scpQuota(plan: StackPlan): number {
  const parsed = decodeJson(plan.config.guardrails);
  return Number((parsed as { scpSizeQuota?: number } | undefined)?.scpSizeQuota ?? 5120);
}

export type { CheckResult, OrganizationReport, StackReport } from "../lib/plan-model";

const MIN_TYPE_WIDTH = 40;

/** Resource tree lines: `├─ type  name`, children sorted by type then name. */
export function treeLines(resources: PlannedResource[]): { prefix: string; resource: PlannedResource }[] {
  const byParent = new Map<string, PlannedResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const parent = r.parent && urns.has(r.parent) ? r.parent : "";
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent)!.push(r);
  }
  for (const list of byParent.values()) {
    list.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type)));
  }
  const out: { prefix: string; resource: PlannedResource }[] = [];
  const walk = (parent: string, indent: string, root: boolean) => {
    const children = byParent.get(parent) ?? [];
    children.forEach((r, i) => {
      const last = i === children.length - 1;
      out.push({ prefix: root ? "" : `${indent}${last ? "└─ " : "├─ "}`, resource: r });
      walk(r.urn, root ? "" : `${indent}${last ? "   " : "│  "}`, false);
    });
  };
  walk("", "", true);
  return out;
}

/** Resources that `pulumi up` would create (not reads such as StackReferences, not imports). */
export function createdResources(plan: StackPlan): PlannedResource[] {
  return plan.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference" && !r.importId);
}

/** Existing resources the program adopts (`import`). */
export function importedResources(plan: StackPlan): PlannedResource[] {
  return plan.resources.filter((r) => r.importId);
}

function policyLine(p: PolicyResult): string {
  const where = p.resourceName ? ` (${p.resourceType} ${p.resourceName})` : "";
  return `[${p.enforcementLevel}] ${p.policy}${where}: ${p.message}`;
}

export function mandatoryViolations(report: OrganizationReport): PolicyResult[] {
  return report.stacks.flatMap((s) => s.policies.filter((p) => p.enforcementLevel === "mandatory"));
}

/** A value as a reviewer reads it: JSON, shortened. */
export function shortValue(v: unknown, max = 80): string {
  const text = v === undefined ? "(none)" : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `~ update`, `+- replace (bucket; data loss: …)`, `~ update (replacement not known)`. */
export function changeLabel(c: ResourceChange): string {
  if (c.kind === "replace") return `replace (${c.replacedBy.join(", ")} changed${c.loss ? `; ${c.loss}` : ""})`;
  return c.kind === "update" ? "update" : "update (replacement not known)";
}

const MARKER = { create: "+ ", import: "= ", update: "~ ", replace: "+-", delete: "- " } as const;

function diffLines(d: StackDiff): string[] {
  if (d.newStack) return [`    (no base plan for ${d.stack}: every resource is new)`];
  if (isEmptyDiff(d)) return ["    no changes"];
  return [
    ...d.added.map((r) => `    ${r.import ? MARKER.import : MARKER.create} ${r.type} ${r.name}${r.import ? " (import)" : ""}`),
    ...d.removed.map((r) => `    ${MARKER.delete} ${r.type} ${r.name}`),
    ...d.changed.flatMap((r) => [
      `    ${r.kind === "replace" ? MARKER.replace : MARKER.update} ${r.type} ${r.name}: ${changeLabel(r)}`,
      ...r.values.map((v) => `        ${v.path}: ${shortValue(v.old)} → ${shortValue(v.new)}`),
    ]),
    ...d.outputs.map((o) => `    ~  output ${o}`),
  ];
}

/** `Resources:` lines like pulumi preview: creates, imports, updates, replacements, deletes, unchanged. */
function resourceCountLines(s: StackReport): string[] {
  const p = s.plan;
  const d = s.diff;
  if (!d || d.newStack) {
    const imports = importedResources(p).length;
    return [`    + ${createdResources(p).length} to create`, ...(imports > 0 ? [`    = ${imports} to import`] : [])];
  }
  const c = diffCounts(d);
  const total = p.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference").length;
  const unchanged = total - c.create - c.import - c.update - c.replace;
  return [
    ...(c.create > 0 ? [`    + ${c.create} to create`] : []),
    ...(c.import > 0 ? [`    = ${c.import} to import`] : []),
    ...(c.update > 0 ? [`    ~ ${c.update} to update`] : []),
    ...(c.replace > 0 ? [`    +-${c.replace} to replace`] : []),
    ...(c.delete > 0 ? [`    - ${c.delete} to delete`] : []),
    `    ${unchanged} unchanged`,
  ];
}

export function renderText(report: OrganizationReport): string {
  const lines: string[] = [];
  for (const s of report.stacks) {
    const p = s.plan;
    lines.push(`Previewing update (${p.stack}): ${p.role} program, account ${p.account ?? "?"}, ${p.region ?? "?"}, config ${p.configFile}`);
    lines.push("");
    // With --diff, the tree shows what changes (with its parents), marked as pulumi preview does.
    const d = s.diff && !s.diff.newStack ? s.diff : undefined;
    const ops = new Map<string, string>();
    if (d) {
      for (const r of d.added) ops.set(r.urn, r.import ? " =  " : " +  ");
      for (const r of d.changed) ops.set(r.urn, r.kind === "replace" ? " +- " : " ~  ");
    }
    const shown = new Set<string>();
    if (d) {
      const byUrn = new Map(p.resources.map((r) => [r.urn, r]));
      for (const urn of ops.keys()) {
        for (let u: string | undefined = urn; u && !shown.has(u); u = byUrn.get(u)?.parent) shown.add(u);
      }
    }
    const tree = treeLines(d ? p.resources.filter((r) => shown.has(r.urn)) : p.resources);
    const width = Math.max(MIN_TYPE_WIDTH, ...tree.map(({ prefix, resource }) => prefix.length + resource.type.length + 2));
    lines.push(`     ${"Type".padEnd(width)} Name`);
    for (const { prefix, resource } of tree) {
      const op = d
        ? ops.get(resource.urn) ?? "    "
        : resource.type === "pulumi:pulumi:StackReference" ? " >  " : resource.importId ? " =  " : " +  ";
      lines.push(`${op} ${(prefix + resource.type).padEnd(width)} ${resource.name}`);
    }
    for (const r of d?.removed ?? []) lines.push(` -   ${r.type.padEnd(width)} ${r.name}`);
    if (d && tree.length === 0 && d.removed.length === 0) lines.push("     (no resource changes)");
    lines.push("");
    lines.push("Resources:");
    lines.push(...resourceCountLines(s));
    const guardrails = guardrailLines(listGuardrails(p), scpQuota(p));
    if (guardrails.length > 0) {
      lines.push("");
      lines.push(...guardrails);
    }
    const refs = s.stackReferences;
    if (refs.length > 0) {
      lines.push("");
      lines.push("Stack references:");
      for (const r of refs) lines.push(`    ${r.name} → ${r.resolved ? `outputs of the ${r.stack} plan` : `no outputs (${r.stack} not planned before this stack: first deployment)`}`);
    }
    if (s.warnings.length > 0) {
      lines.push("");
      lines.push("Diagnostics:");
      for (const w of s.warnings) lines.push(`    warning: ${w}`);
    }
    if (s.genericTypes.length > 0) {
      lines.push("");
      lines.push(`Simulated generically (id only): ${s.genericTypes.join(", ")}`);
    }
    lines.push("");
    const violations = s.policies;
    lines.push(violations.length === 0 ? "Policies: no violations" : `Policies: ${violations.length} violation(s)`);
    for (const v of violations) lines.push(`    ${policyLine(v)}`);
    lines.push(...costTextLines(s));
    if (s.diff) {
      lines.push("");
      lines.push("Changes against base plan:");
      lines.push(...diffLines(s.diff));
    }
    lines.push("");
  }
  for (const e of report.errors) {
    lines.push(`error: stack ${e.stack} (${e.file}):`);
    for (const l of e.message.split("\n")) lines.push(`    ${l}`);
    lines.push("");
  }
  for (const r of report.removedStacks ?? []) {
    lines.push(`Stack ${r.stack} is in the base plans but has no stack file now: its ${r.resources} resource(s) would be deleted (pulumi destroy -s ${r.stack}).`, "");
  }
  lines.push(...summaryLines(report));
  return lines.join("\n") + "\n";
}

function summaryLines(report: OrganizationReport): string[] {
  const lines = ["Organization:"];
  lines.push(`    stacks planned: ${report.stacks.length}${report.errors.length > 0 ? `, failed: ${report.errors.length}` : ""} (${report.passes} pass${report.passes === 1 ? "" : "es"}${report.unconverged.length > 0 ? `; not converged: ${report.unconverged.join(", ")}` : ""})`);
  lines.push(`    resources to create: ${report.stacks.reduce((n, s) => n + createdResources(s.plan).length, 0)}`);
  const diffs = report.stacks.filter((s) => s.diff && !s.diff.newStack).map((s) => diffCounts(s.diff!));
  if (diffs.length > 0) {
    const sum = (k: keyof ReturnType<typeof diffCounts>) => diffs.reduce((n, c) => n + c[k], 0);
    lines.push(`    changes against the base: +${sum("create")} to create, =${sum("import")} to import, ~${sum("update")} to update, +-${sum("replace")} to replace, -${sum("delete")} to delete`);
  }
  const all = report.stacks.flatMap((s) => s.policies);
  const mandatory = all.filter((p) => p.enforcementLevel === "mandatory").length;
  lines.push(`    policy violations: ${mandatory} mandatory, ${all.length - mandatory} advisory`);
  const failed = report.checks.filter((c) => !c.ok);
  lines.push(report.errors.length > 0 && report.checks.length === 0
    ? "    cross-stack checks: not run (they need every stack planned)"
    : `    cross-stack checks: ${report.checks.length - failed.length} passed, ${failed.length} failed`);
  for (const c of report.checks) lines.push(`      ${c.ok ? "✔" : "✖"} ${c.check}: ${c.message}`);
  lines.push(...costSummaryLines(report));
  return lines;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|");
}

export function renderMarkdown(report: OrganizationReport): string {
  const lines: string[] = ["## Offline plan", ""];
  const mandatory = mandatoryViolations(report).length;
  const failedChecks = report.checks.filter((c) => !c.ok).length;
  const status = report.errors.length > 0 ? "❌ errors" : mandatory > 0 || failedChecks > 0 || report.unconverged.length > 0 ? "❌ blocked" : "✅ clean";
  lines.push(`**${status}** · ${report.stacks.length} stacks · ${report.stacks.reduce((n, s) => n + createdResources(s.plan).length, 0)} resources · ${mandatory} mandatory violation(s) · ${failedChecks} failed cross-stack check(s)`, "");
  lines.push(...costHeadline(report));
  lines.push("| stack | role | account | region | resources | violations | changes |", "|---|---|---|---|---|---|---|");
  for (const s of report.stacks) {
    const d = s.diff;
    const counts = d && !d.newStack ? diffCounts(d) : undefined;
    const changes = !d ? "—" : d.newStack ? "new stack" : isEmptyDiff(d) ? "none" : `+${counts!.create} =${counts!.import} ~${counts!.update} +-${counts!.replace} −${counts!.delete}`;
    lines.push(`| ${s.plan.stack} | ${s.plan.role} | ${s.plan.account ?? "?"} | ${s.plan.region ?? "?"} | ${createdResources(s.plan).length} | ${s.policies.length} | ${changes} |`);
  }
  lines.push("");
  const withViolations = report.stacks.filter((s) => s.policies.length > 0);
  if (withViolations.length > 0) {
    lines.push("### Policy violations", "");
    for (const s of withViolations) {
      lines.push(`#### ${s.plan.stack}`, "");
      const byRule = new Map<string, PolicyResult[]>();
      for (const p of s.policies) {
        if (!byRule.has(p.policy)) byRule.set(p.policy, []);
        byRule.get(p.policy)!.push(p);
      }
      for (const [rule, results] of [...byRule.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`- **${rule}** (${results[0].enforcementLevel})`);
        for (const r of results) lines.push(`  - ${r.resourceName ? `\`${r.resourceType}\` \`${r.resourceName}\`: ` : ""}${mdEscape(r.message)}`);
      }
      lines.push("");
    }
  }
  const diffs = report.stacks.filter((s) => s.diff && !isEmptyDiff(s.diff));
  if (diffs.length > 0 || (report.removedStacks ?? []).length > 0) {
    lines.push("### Changes against the base plan", "");
    for (const s of diffs) {
      const d = s.diff!;
      lines.push(`#### ${s.plan.stack}`, "");
      if (d.newStack) {
        lines.push("New stack: every resource is created.", "");
        continue;
      }
      const c = diffCounts(d);
      lines.push(`+${c.create} to create · =${c.import} to import · ~${c.update} to update · +-${c.replace} to replace · −${c.delete} to delete`, "");
      lines.push("| | type | name | change | changed inputs (old → new) |", "|---|---|---|---|---|");
      for (const r of d.added) lines.push(`| ${r.import ? "=" : "+"} | \`${r.type}\` | ${r.name} | ${r.import ? "import" : "create"} | |`);
      for (const r of d.removed) lines.push(`| − | \`${r.type}\` | ${r.name} | delete | |`);
      for (const r of d.changed) {
        const values = r.values.map((v) => `\`${v.path}\`: \`${mdEscape(shortValue(v.old, 60))}\` → \`${mdEscape(shortValue(v.new, 60))}\``).join("<br>");
        lines.push(`| ${r.kind === "replace" ? "+-" : "~"} | \`${r.type}\` | ${r.name} | ${r.kind === "replace" ? `**${mdEscape(changeLabel(r))}**` : changeLabel(r)} | ${values} |`);
      }
      for (const o of d.outputs) lines.push(`| ~ | output | ${o} | update | |`);
      lines.push("");
      // Who may do what: guardrail (SCP/RCP) documents and role trust, listed for the reviewer.
      const sensitive = d.changed.filter((r) => (r.type === "aws:organizations/policy:Policy" && r.paths.some((x) => x.startsWith("content"))) || (r.type === "aws:iam/role:Role" && r.paths.some((x) => x.startsWith("assumeRolePolicy"))));
      const sensitiveAdded = d.added.filter((r) => r.type === "aws:organizations/policy:Policy");
      const sensitiveRemoved = d.removed.filter((r) => r.type === "aws:organizations/policy:Policy");
      if (sensitive.length + sensitiveAdded.length + sensitiveRemoved.length > 0) {
        lines.push("**Guardrail and role-trust changes**", "");
        for (const r of sensitiveAdded) lines.push(`- new ${r.type === "aws:organizations/policy:Policy" ? "organization policy" : "role"} \`${r.name}\``);
        for (const r of sensitiveRemoved) lines.push(`- removed organization policy \`${r.name}\``);
        for (const r of sensitive) {
          const what = r.type === "aws:iam/role:Role" ? "trust policy of role" : "document of organization policy";
          lines.push(`- ${what} \`${r.name}\`:`);
          for (const v of r.values.filter((x) => x.path.startsWith("content") || x.path.startsWith("assumeRolePolicy"))) {
            lines.push(`  - \`${v.path}\`: \`${mdEscape(shortValue(v.old, 200))}\` → \`${mdEscape(shortValue(v.new, 200))}\``);
          }
        }
        lines.push("");
      }
    }
    for (const r of report.removedStacks ?? []) {
      lines.push(`#### ${r.stack}`, "", `Removed stack: no stack file any more; its ${r.resources} resource(s) would be deleted.`, "");
    }
  }
  const diagnostics = report.stacks.flatMap((s) => [
    ...s.warnings.map((w) => `- \`${s.plan.stack}\` warning: ${mdEscape(w)}`),
    ...s.stackReferences.filter((r) => !r.resolved).map((r) => `- \`${s.plan.stack}\` reads \`${r.name}\`: no outputs (not planned before this stack, or not a stack of this organization)`),
    ...(s.genericTypes.length > 0 ? [`- \`${s.plan.stack}\` simulated generically (id only): ${s.genericTypes.map((t) => `\`${t}\``).join(", ")}`] : []),
  ]);
  if (report.unconverged.length > 0) diagnostics.push(`- not converged after ${report.passes} passes: ${report.unconverged.map((s) => `\`${s}\``).join(", ")}`);
  if (diagnostics.length > 0) lines.push("### Diagnostics", "", ...diagnostics, "");
  lines.push(...costMarkdownSection(report));
  if (report.topology) lines.push("### Organization picture", "", ...(report.stacks.some((s) => s.diff) ? ["Green: added by this change; amber: changed; red dashed: removed.", ""] : []), "```mermaid", report.topology, "```", "");
  lines.push("### Cross-stack checks", "");
  for (const c of report.checks) lines.push(`- ${c.ok ? "✅" : "❌"} **${c.check}**: ${mdEscape(c.message)}`);
  lines.push("");
  for (const e of report.errors) {
    lines.push(`### ❌ ${e.stack} failed to plan`, "", "```", e.message, "```", "");
  }
  return lines.join("\n");
}

/** One JSON document for the whole run; keys sorted, so equal plans are byte-identical. */
export function renderJson(report: OrganizationReport): string {
  return stableStringify({
    stacks: report.stacks.map((s) => ({ ...stackFile(s), diff: s.diff, ...(s.costDelta ? { costDelta: s.costDelta } : {}) })),
    cost: report.cost,
    checks: report.checks,
    passes: report.passes,
    unconverged: report.unconverged,
    errors: report.errors,
    removedStacks: report.removedStacks ?? [],
  }, 2) + "\n";
}

/** The per-stack document written by `--out <dir>/<stack>.json`. */
export function stackFile(s: StackReport): Record<string, unknown> {
  return {
    stack: s.plan.stack,
    role: s.plan.role,
    configFile: s.plan.configFile,
    config: s.plan.config,
    account: s.plan.account,
    region: s.plan.region,
    resources: s.plan.resources,
    outputs: s.plan.outputs,
    policies: s.policies,
    stackReferences: s.stackReferences,
    warnings: s.warnings,
    genericTypes: s.genericTypes,
    guardrails: listGuardrails(s.plan),
    cost: s.cost,
  };
}
