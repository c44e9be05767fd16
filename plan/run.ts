/**
 * One offline plan run: plan the organization, evaluate the policy pack's rules and the
 * cross-stack checks, diff against base plans, and decide the exit status.
 */
import { evaluateStack } from "../policies/evaluate";
import { listStacks } from "../stacks/config";
import { crossStackChecks } from "./checks";
import { diffStack, readPlans } from "./diff";
import { planOrganization } from "./organization";
import { StackError, StackErrors } from "./planner";
import { mandatoryViolations, type OrganizationReport, type StackReport } from "./render";
import { budgetViolation, costDelta, HOURS_PER_MONTH, loadPrices, pendingRevoke, stackCost, type StackCost } from "./cost";
import type { OrganizationCost } from "./cost-render";
import type { StackPlan } from "./types";
import { buildTopology, compareTopologies, renderMermaid } from "./topology";

export const EXIT = { ok: 0, violations: 1, error: 2 } as const;

export interface RunPlanOptions {
  stacksDir: string;
  /** Stacks to report; all when empty. */
  stacks?: string[];
  /** Folder of base plans (`--out` of an earlier run) to diff against. */
  diffDir?: string;
  /** Policy pack config (`--policy-pack-config` shape). */
  policyConfig?: Record<string, unknown>;
  /** Price file for the cost report (`--prices`). Defaults to the pinned plan/prices.json. */
  pricesFile?: string;
}

export async function runPlan(opts: RunPlanOptions): Promise<{ report: OrganizationReport; exitCode: number }> {
  const base = opts.diffDir ? readPlans(opts.diffDir) : undefined;
  const prices = loadPrices(opts.pricesFile);
  let org;
  try {
    org = await planOrganization({ stacksDir: opts.stacksDir, stacks: opts.stacks });
  } catch (e) {
    if (e instanceof StackError || e instanceof StackErrors) {
      const errors = (e instanceof StackErrors ? e.errors : [e]).map((x) => ({ stack: x.stack, file: x.file, message: x.message }));
      const report: OrganizationReport = { stacks: [], checks: [], passes: 0, unconverged: [], errors };
      return { report, exitCode: EXIT.error };
    }
    throw e;
  }
  const plans = org.runs.map((r) => r.plan);
  const wanted = opts.stacks && opts.stacks.length > 0 ? new Set(opts.stacks) : undefined;
  const stacks: StackReport[] = [];
  const costs = new Map<string, StackCost>(plans.map((p) => [p.stack, stackCost(p, prices)]));
  for (const run of org.runs) {
    if (wanted && !wanted.has(run.plan.stack)) continue;
    const cost = costs.get(run.plan.stack)!;
    const budget = budgetViolation(run.plan, cost);
    const basePlan = base?.get(run.plan.stack);
    stacks.push({
      plan: run.plan,
      policies: [...(await evaluateStack(run.plan, { policyConfig: opts.policyConfig, organization: plans })), ...(budget ? [budget] : [])],
      cost,
      costDelta: base ? costDelta(basePlan ? stackCost(basePlan, prices) : undefined, cost) : undefined,
      diff: base ? diffStack(base.get(run.plan.stack), run.plan) : undefined,
      genericTypes: [...run.log.genericTypes].sort(),
      stackReferences: dedupeReferences(run.log.stackReferences),
      warnings: run.warnings,
    });
  }
  const checks = crossStackChecks(plans, { stackNames: listStacks(opts.stacksDir), organization: org.organization }).filter((c) => !wanted || c.stacks.some((s) => wanted.has(s)));
  // A stack in the base plans without a stack file now is removed by the change (only when every
  // stack is reported: with --stack, absent stacks were merely not selected).
  const planned = new Set(plans.map((p) => p.stack));
  const removedStacks = base && !wanted
    ? [...base.values()].filter((b) => !planned.has(b.stack)).map((b) => ({ stack: b.stack, resources: b.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference").length })).sort((a, b) => a.stack.localeCompare(b.stack))
    : [];
  const report: OrganizationReport = { stacks, checks, passes: org.passes, unconverged: org.unconverged, errors: [], removedStacks };
  const head = buildTopology(plans);
  report.topology = renderMermaid(base ? compareTopologies(buildTopology([...base.values()]), head, stacks.flatMap((s) => (s.diff ? [s.diff] : []))) : head);
  report.cost = organizationCost(stacks, plans, costs, base && !wanted ? [...base.values()].filter((b) => !planned.has(b.stack)).map((b) => stackCost(b, prices)) : []);
  const blocked = mandatoryViolations(report).length > 0 || checks.some((c) => !c.ok) || org.unconverged.length > 0;
  return { report, exitCode: blocked ? EXIT.violations : EXIT.ok };
}

function organizationCost(stacks: StackReport[], plans: StackPlan[], costs: Map<string, StackCost>, removed: StackCost[]): OrganizationCost {
  const hourlyUsd = stacks.reduce((n, s) => n + s.cost!.hourlyUsd, 0);
  const withDelta = stacks.some((s) => s.costDelta);
  const deltaHourly = stacks.reduce((n, s) => n + (s.costDelta?.hourlyUsd ?? 0), 0) - removed.reduce((n, c) => n + c.hourlyUsd, 0);
  const reported = new Set(stacks.map((s) => s.plan.stack));
  return {
    hourlyUsd,
    monthlyUsd: hourlyUsd * HOURS_PER_MONTH,
    delta: withDelta ? { hourlyUsd: deltaHourly, monthlyUsd: deltaHourly * HOURS_PER_MONTH } : undefined,
    pendingRevoke: pendingRevoke(plans, costs)
      .filter((p) => reported.has(p.stack))
      .map((p) => ({ stack: p.stack, urn: p.item.urn, type: p.item.type, monthlyUsd: p.item.monthlyUsd, versionArn: p.versionArn })),
  };
}

function dedupeReferences(refs: { name: string; stack: string; resolved: boolean }[]) {
  const byName = new Map<string, { name: string; stack: string; resolved: boolean }>();
  for (const r of refs) byName.set(r.name, r);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
