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
import { mandatoryViolations } from "./render";
import type { OrganizationReport, StackReport } from "../lib/plan-model";

export const EXIT = { ok: 0, violations: 1, error: 2 } as const;

export interface RunPlanOptions {
  stacksDir: string;
  /** Stacks to report; all when empty. */
  stacks?: string[];
  /** Folder of base plans (`--out` of an earlier run) to diff against. */
  diffDir?: string;
  /** Policy pack config (`--policy-pack-config` shape). */
  policyConfig?: Record<string, unknown>;
}

export async function runPlan(opts: RunPlanOptions): Promise<{ report: OrganizationReport; exitCode: number }> {
  const base = opts.diffDir ? readPlans(opts.diffDir) : undefined;
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
  for (const run of org.runs) {
    if (wanted && !wanted.has(run.plan.stack)) continue;
    stacks.push({
      plan: run.plan,
      policies: await evaluateStack(run.plan, { policyConfig: opts.policyConfig, organization: plans }),
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
  const blocked = mandatoryViolations(report).length > 0 || checks.some((c) => !c.ok) || org.unconverged.length > 0;
  return { report, exitCode: blocked ? EXIT.violations : EXIT.ok };
}

function dedupeReferences(refs: { name: string; stack: string; resolved: boolean }[]) {
  const byName = new Map<string, { name: string; stack: string; resolved: boolean }>();
  for (const r of refs) byName.set(r.name, r);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
