/**
 * Cross-stack checks: facts no single stack can verify, checked across the planned organization.
 * Each returns pass or fail with a message naming the stacks and values involved.
 */
import type { CheckResult } from "./render";
import type { PlannedResource, StackPlan } from "./types";

/** The IAM role a stack's own provider assumes (`assumeRoles[0].roleArn`). */
export function providerRoleArn(plan: StackPlan): string | undefined {
  const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "account");
  const roles = decode(provider?.inputs.assumeRoles) as { roleArn?: string }[] | undefined;
  return roles?.[0]?.roleArn;
}

function decode(v: unknown): unknown {
  if (typeof v === "string" && /^\s*[[{]/.test(v)) {
    try { return JSON.parse(v); } catch { return v; }
  }
  return v;
}

function rolesOf(plan: StackPlan): PlannedResource[] {
  return plan.resources.filter((r) => r.type === "aws:iam/role:Role");
}

/** Every member stack's provider assumes a role that the management stack declares. */
export function deployRolesExist(plans: StackPlan[]): CheckResult {
  const management = plans.find((p) => p.role === "management");
  const members = plans.filter((p) => p.role !== "management");
  if (!management) {
    return { check: "deploy-roles-exist", ok: false, message: "no management stack was planned, so no deploy role exists", stacks: members.map((p) => p.stack) };
  }
  const declared = new Set(rolesOf(management).map((r) => String(r.outputs.arn ?? "")));
  const missing = members.filter((p) => !declared.has(providerRoleArn(p) ?? ""));
  return {
    check: "deploy-roles-exist",
    ok: missing.length === 0,
    message: missing.length === 0
      ? `${members.length} member stack(s) assume deploy roles the management stack declares`
      : missing.map((p) => `${p.stack} assumes ${providerRoleArn(p) ?? "no role"}, which the management stack does not declare`).join("; "),
    stacks: [management.stack, ...members.map((p) => p.stack)],
  };
}

/** Every stack reference names a stack of this organization and read its final outputs. */
export function stackReferencesResolve(plans: StackPlan[]): CheckResult {
  const names = new Set(plans.map((p) => p.stack));
  const problems: string[] = [];
  for (const p of plans) {
    for (const r of p.resources.filter((x) => x.type === "pulumi:pulumi:StackReference")) {
      const target = String(r.inputs.name ?? r.name).split("/").pop() as string;
      if (!names.has(target)) problems.push(`${p.stack} references '${String(r.inputs.name)}', which is not a planned stack`);
    }
  }
  return {
    check: "stack-references-resolve",
    ok: problems.length === 0,
    message: problems.length === 0 ? "every stack reference names a planned stack" : problems.join("; "),
    stacks: plans.map((p) => p.stack),
  };
}

/** Model-version ARNs that workloads use live in the ML account of this organization. */
export function modelVersionsInMlAccount(plans: StackPlan[]): CheckResult {
  const management = plans.find((p) => p.role === "management");
  const ml = plans.find((p) => p.role === "ml");
  const workloads = plans.filter((p) => p.role === "workload");
  const mlAccount = ml?.account ?? (management?.outputs.accountIds as Record<string, string> | undefined)?.ml;
  const problems: string[] = [];
  let count = 0;
  for (const w of workloads) {
    const models = decode(w.config.models) as Record<string, { versionArn?: string }> | undefined;
    for (const [model, m] of Object.entries(models ?? {})) {
      count++;
      const account = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(m.versionArn ?? "")?.[1];
      if (!mlAccount) problems.push(`${w.stack}: cannot check ${model}: no ML account was planned`);
      else if (account !== mlAccount) problems.push(`${w.stack} (${w.configFile}): models.${model}.versionArn is in account ${account ?? "?"}, expected the ML account ${mlAccount}`);
    }
  }
  return {
    check: "model-versions-in-ml-account",
    ok: problems.length === 0,
    message: problems.length === 0 ? `${count} model version(s) in workload configs live in the ML account ${mlAccount ?? "?"}` : problems.join("; "),
    stacks: [...(ml ? [ml.stack] : []), ...workloads.map((w) => w.stack)],
  };
}

export type CrossStackCheck = (plans: StackPlan[]) => CheckResult;

/** Checks run by every plan, in order. */
export const CROSS_STACK_CHECKS: CrossStackCheck[] = [
  stackReferencesResolve,
  deployRolesExist,
  modelVersionsInMlAccount,
];

export function crossStackChecks(plans: StackPlan[]): CheckResult[] {
  return CROSS_STACK_CHECKS.map((check) => check(plans));
}
