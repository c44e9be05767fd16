/**
 * One offline plan run: plan the organization, evaluate the policy pack's rules and the
 * cross-stack checks, diff against base plans, and decide the exit status.
 */
import { evaluateStack } from "../policies/evaluate";
import { listStacks } from "../stacks/config";
import { crossStackChecks, stackReferencesResolve } from "./checks";
import type { StackError } from "./planner";
import type { StackPlan } from "../lib/plan-model";
import { diffStack, readPlans } from "./diff";
import { planOrganization } from "./organization";
import { mandatoryViolations } from "./render";
import type { OrganizationCost, OrganizationReport, StackReport } from "../lib/plan-model";
import { budgetViolation, costDelta, HOURS_PER_MONTH, loadPrices, pendingRevoke, stackCost, type StackCost } from "./cost";
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

/** What `runPlan` calls; tests may pass a planner that plans each organization once. */
export interface RunPlanDeps {
  /** Defaults to plan/organization.ts's `planOrganization`. */
  readonly planOrganization?: typeof planOrganization;
}

export async function runPlan(opts: RunPlanOptions, deps: RunPlanDeps = {}): Promise<{ report: OrganizationReport; exitCode: number; failedStacks: number }> {
  const base = opts.diffDir ? readPlans(opts.diffDir) : undefined;
  const prices = loadPrices(opts.pricesFile);
  const org = await (deps.planOrganization ?? planOrganization)({ stacksDir: opts.stacksDir, stacks: opts.stacks });
  const plans = org.runs.map((r) => r.plan);
  // A program that failed while one of its stack references names no stack of this organization
  // (e.g. another Pulumi organization) failed because of that reference: the reference check fails
  // (exit 1) and names it, rather than the SDK's "Required output … does not exist".
  const context = { stackNames: listStacks(opts.stacksDir), organization: org.organization, base };
  const referenceOnly = (e: StackError) => e.kind === "program" && !stackReferencesResolve([referencesOf(e)], context).ok;
  const unresolvable = org.errors.filter(referenceOnly);
  const causes = new Set(unresolvable.map((e) => e.stack));
  // Stacks not planned only because they read a stack that failed on its reference.
  const consequences = org.errors.filter((e) => !referenceOnly(e) && e.message.startsWith("not planned:") && e.missingOutputs.some((s) => causes.has(s)));
  const hardErrors = org.errors.filter((e) => !referenceOnly(e) && !consequences.includes(e));
  const errors = [
    ...unresolvable.map((x) => ({ stack: x.stack, file: x.file, message: `not planned: a stack reference names no stack of this organization (see the failed check stack-references-resolve): ${x.message.split("\n")[0]}` })),
    ...consequences.map((x) => ({ stack: x.stack, file: x.file, message: x.message })),
    ...hardErrors.map((x) => ({ stack: x.stack, file: x.file, message: x.message })),
  ].sort((a, b) => a.stack.localeCompare(b.stack));
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
      diff: base ? diffStack(basePlan, run.plan) : undefined,
      genericTypes: [...run.log.genericTypes].sort(),
      stackReferences: dedupeReferences(run.log.stackReferences),
      warnings: run.warnings,
    });
  }
  // Cross-stack checks judge the whole organization: with a stack missing they would only repeat
  // its error in other words, so they run when every stack was planned.
  const checks = hardErrors.length > 0
    ? []
    : unresolvable.length > 0
      ? [stackReferencesResolve([...plans, ...unresolvable.map(referencesOf)], context)]
      : crossStackChecks(plans, context).filter((c) => !wanted || c.stacks.some((s) => wanted.has(s)));
  // A stack in the base plans without a stack file now is removed by the change (only when every
  // stack is reported: with --stack, absent stacks were merely not selected).
  const planned = new Set(plans.map((p) => p.stack));
  const removedStacks = base && !wanted
    ? [...base.values()].filter((b) => !planned.has(b.stack)).map((b) => ({ stack: b.stack, resources: b.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference").length })).sort((a, b) => a.stack.localeCompare(b.stack))
    : [];
  const report: OrganizationReport = { stacks, checks, passes: org.passes, unconverged: org.unconverged, errors, removedStacks };
  const head = buildTopology(plans);
  report.topology = renderMermaid(base ? compareTopologies(buildTopology([...base.values()]), head, stacks.flatMap((s) => (s.diff ? [s.diff] : []))) : head);
  report.cost = organizationCost(stacks, plans, costs, base && !wanted ? [...base.values()].filter((b) => !planned.has(b.stack)).map((b) => stackCost(b, prices)) : []);
  const blocked = mandatoryViolations(report).length > 0 || checks.some((c) => !c.ok) || org.unconverged.length > 0;
  return { report, exitCode: hardErrors.length > 0 ? EXIT.error : blocked ? EXIT.violations : EXIT.ok, failedStacks: org.errors.length };
}

/** A failed stack as the reference check sees it: only the references its program declared. */
function referencesOf(e: StackError): StackPlan {
  return {
    stack: e.stack,
    role: "",
    configFile: e.file,
    config: {},
    resources: e.references.map((name) => ({ urn: name, type: "pulumi:pulumi:StackReference", name, custom: true, inputs: { name }, outputs: {}, dependencies: [] })),
    outputs: {},
  };
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
