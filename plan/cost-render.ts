/**
 * Cost lines of the plan's renderers (text and markdown): per stack the always-on cost with its
 * items, not-priced types and usage-priced services; the organization total; under `--diff` the
 * delta naming what changed, and the double cost a promotion runs until its revoke step.
 * Rounding happens here only.
 */
import { HOURS_PER_MONTH, itemName, usd, type CostDelta, type CostItem, type StackCost } from "./cost";
import type { OrganizationReport, StackReport } from "../lib/plan-model";
export type { OrganizationCost } from "../lib/plan-model";


const money = (n: number) => usd(n, 2);
const signed = (n: number) => (n < 0 ? `−${money(-n)}` : `+${money(n)}`);

/** Last segment of a type token: `aws:ec2/vpcEndpoint:VpcEndpoint` → `VpcEndpoint`. */
function shortType(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

export function describeItem(i: CostItem): string {
  return `${shortType(i.type)} ${itemName(i)}, ${i.basis}`;
}

function unpricedText(c: StackCost): string {
  return c.unpriced.join(", ");
}

function usageText(c: StackCost): string[] {
  return c.usagePriced.map((u) => `${u.type}: ${u.usd === null ? "no figure in the price file" : usd(u.usd)} per ${u.unit}`);
}

export function costTextLines(s: StackReport): string[] {
  const c = s.cost;
  if (!c) return [];
  const lines = ["", `Cost (always on): ${money(c.monthlyUsd)}/month (${usd(c.hourlyUsd, 4)}/h, ${HOURS_PER_MONTH} h/month)`];
  for (const i of [...c.items].sort((a, b) => b.monthlyUsd - a.monthlyUsd || (a.urn < b.urn ? -1 : 1))) {
    lines.push(`    ${money(i.monthlyUsd).padStart(11)}/month  ${shortType(i.type)} ${itemName(i)}: ${i.basis} [${i.priceEntry}]`);
  }
  if (c.unpriced.length > 0) lines.push(`    not priced: ${unpricedText(c)}`);
  if (c.usagePriced.length > 0) {
    lines.push("    usage-priced (not in the total):");
    for (const u of usageText(c)) lines.push(`      ${u}`);
  }
  const d = s.costDelta;
  if (d) lines.push(...deltaLines(d).map((l) => `    ${l}`));
  return lines;
}

function deltaLines(d: CostDelta): string[] {
  const out = [`change: ${signed(d.monthlyUsd)}/month`];
  for (const i of d.added) out.push(`  + ${money(i.monthlyUsd)}/month ${describeItem(i)}`);
  for (const i of d.removed) out.push(`  − ${money(i.monthlyUsd)}/month ${describeItem(i)}`);
  for (const i of d.changed) out.push(`  ~ ${money(i.baseMonthlyUsd)} → ${money(i.monthlyUsd)}/month ${describeItem(i)}`);
  for (const i of d.untilRevoke) out.push(`  until the revoke step (ml-revoke) the replaced ${describeItem(i)} keeps running: ${signed(i.monthlyUsd)}/month while both run`);
  return out;
}

export function costSummaryLines(report: OrganizationReport): string[] {
  const c = report.cost;
  if (!c) return [];
  const lines = [`    always-on cost: ${money(c.monthlyUsd)}/month (${usd(c.hourlyUsd, 4)}/h)${c.delta ? `, change ${signed(c.delta.monthlyUsd)}/month` : ""}`];
  const unpriced = [...new Set(report.stacks.flatMap((s) => s.cost?.unpriced ?? []))].sort();
  if (unpriced.length > 0) lines.push(`      not priced (not in the total): ${unpriced.join(", ")}`);
  for (const p of c.pendingRevoke) lines.push(`      not yet revoked: ${p.stack} ${p.urn.slice(p.urn.lastIndexOf("::") + 2)} (${p.versionArn}) ${money(p.monthlyUsd)}/month until the revoke step`);
  return lines;
}

/** The headline at the top of the pull-request comment. */
export function costHeadline(report: OrganizationReport): string[] {
  const c = report.cost;
  if (!c) return [];
  const lines: string[] = [];
  if (c.delta) {
    const changed = report.stacks.flatMap((s) => (s.costDelta ? [...s.costDelta.added.map((i) => ({ s, i, sign: "+" })), ...s.costDelta.removed.map((i) => ({ s, i, sign: "−" }))] : []));
    const what = changed.map(({ s, i, sign }) => `${sign} ${s.plan.stack} \`${itemName(i)}\` (${shortType(i.type)}, ${i.basis})`).join("; ");
    const verb = c.delta.monthlyUsd > 0 ? `adds ${money(c.delta.monthlyUsd)}/month` : c.delta.monthlyUsd < 0 ? `saves ${money(-c.delta.monthlyUsd)}/month` : "does not change the always-on cost";
    lines.push(`**Cost:** this change ${verb}${what ? `: ${what}` : ""}. Always on after it: ${money(c.monthlyUsd)}/month.`);
    const transient = report.stacks.flatMap((s) => (s.costDelta?.untilRevoke ?? []).map((i) => ({ s, i })));
    for (const { s, i } of transient) lines.push(`⚠️ Until the revoke step, ${s.plan.stack} keeps the replaced \`${itemName(i)}\` running: ${signed(i.monthlyUsd)}/month while both versions run.`);
  } else {
    lines.push(`**Cost:** ${money(c.monthlyUsd)}/month always on (${usd(c.hourlyUsd, 4)}/h).`);
  }
  for (const p of c.pendingRevoke) lines.push(`⚠️ Double cost until the revoke step: ${p.stack} \`${p.urn.slice(p.urn.lastIndexOf("::") + 2)}\` runs ${p.versionArn}, which no stack file asks for (${money(p.monthlyUsd)}/month).`);
  return [...lines, ""];
}

/** Per-stack cost lines of the pull-request comment. */
export function costMarkdownSection(report: OrganizationReport): string[] {
  const stacks = report.stacks.filter((s) => s.cost);
  if (stacks.length === 0) return [];
  const lines = ["### Cost", "", `Always-on prices from \`plan/prices.json\` (${HOURS_PER_MONTH} h/month); usage-priced services are listed, not guessed.`, ""];
  for (const s of stacks) {
    const c = s.cost!;
    const d = s.costDelta;
    lines.push(`- **${s.plan.stack}**: ${money(c.monthlyUsd)}/month${d ? ` (${signed(d.monthlyUsd)}/month)` : ""}${c.items.length > 0 ? ` · ${c.items.length} priced item(s)` : ""}${c.unpriced.length > 0 ? ` · not priced: ${c.unpriced.map((t) => `\`${t}\``).join(", ")}` : ""}${c.usagePriced.length > 0 ? ` · usage-priced: ${[...new Set(c.usagePriced.map((u) => `\`${u.type}\``))].join(", ")}` : ""}`);
    if (d) for (const l of deltaLines(d).slice(1)) lines.push(`  - ${l.trim()}`);
  }
  lines.push("");
  return lines;
}
