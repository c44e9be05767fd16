/**
 * Cross-stack checks: facts no single stack can verify, checked across the planned organization.
 * Each returns pass or fail with a message naming the stacks and values involved.
 */
import { decodeJson } from "../lib/json";
import { endpointArnForModelArn, parseModelVersionArn } from "../components/models/arns";
import { DEFAULT_DEPLOY_ROLE_NAME, modelAccessRoleName } from "../components/naming";
import { partitionOf } from "../components/aws";
import { PROJECT } from "../stacks/config";
import type { CheckResult } from "../lib/plan-model";
import type { PlannedResource, StackPlan } from "../lib/plan-model";

/** The IAM role a stack's own provider assumes (`assumeRoles[0].roleArn`). */
export function providerRoleArn(plan: StackPlan): string | undefined {
  const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "account");
  const roles = decode(provider?.inputs.assumeRoles) as { roleArn?: string }[] | undefined;
  return roles?.[0]?.roleArn;
}

const decode = decodeJson;

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
  const accountIds = (management.outputs.accountIds ?? {}) as Record<string, string>;
  // Exactly the deploy role of the stack's own account, as the management stack declares it.
  const expected = (p: StackPlan) => {
    const account = accountIds[String(p.config.account ?? "")];
    const roleName = typeof p.config.deployRoleName === "string" ? p.config.deployRoleName : DEFAULT_DEPLOY_ROLE_NAME;
    return account ? `arn:${partitionOf(String(p.config.region ?? p.region ?? "us-east-1"))}:iam::${account}:role/${roleName}` : undefined;
  };
  const missing = members.filter((p) => {
    const arn = providerRoleArn(p);
    return arn === undefined || arn !== expected(p) || !declared.has(arn);
  });
  return {
    check: "deploy-roles-exist",
    ok: missing.length === 0,
    message: missing.length === 0
      ? `${members.length} member stack(s) assume deploy roles the management stack declares`
      : missing.map((p) => {
        const arn = providerRoleArn(p);
        const want = expected(p);
        if (arn !== undefined && want !== undefined && arn !== want) return `${p.stack} assumes ${arn}, not its own account's deploy role ${want}`;
        return `${p.stack} assumes ${arn ?? "no role"}, which the management stack does not declare`;
      }).join("; "),
    stacks: [management.stack, ...members.map((p) => p.stack)],
  };
}

/** Every stack reference names a stack of this organization (a stack file, planned or not). */
export function stackReferencesResolve(plans: StackPlan[], context: CheckContext = {}): CheckResult {
  const names = new Set(context.stackNames ?? plans.map((p) => p.stack));
  const problems: string[] = [];
  for (const p of plans) {
    for (const r of p.resources.filter((x) => x.type === "pulumi:pulumi:StackReference")) {
      const name = String(r.inputs.name ?? r.name);
      const [org, project, target] = name.split("/");
      if (context.organization !== undefined && org !== context.organization) {
        problems.push(`${p.stack} (${p.configFile}) references '${name}', a stack of organization '${org}'; this organization's stacks are '${context.organization}/${PROJECT}/<stack>'`);
      } else if (project !== PROJECT || !names.has(target)) {
        problems.push(`${p.stack} (${p.configFile}) references '${name}', which is not a stack of this organization (stacks: ${[...names].sort().join(", ")})`);
      }
    }
  }
  return {
    check: "stack-references-resolve",
    ok: problems.length === 0,
    message: problems.length === 0 ? "every stack reference names a stack of this organization" : problems.join("; "),
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

/**
 * End-to-end wiring of private model access: every model parameter a workload publishes holds a
 * version that the ML account's role for that environment grants (the right action on the exact
 * resource), and where the ML config requires it, only through that environment's VPC endpoint.
 */
export function modelParametersGranted(plans: StackPlan[]): CheckResult {
  const ml = plans.find((p) => p.role === "ml");
  const workloads = plans.filter((p) => p.role === "workload");
  const parameterCount = workloads.reduce((n, w) => n + w.resources.filter((r) => r.type === "aws:ssm/parameter:Parameter" && /^\/mlz\/models\/[^/]+\/arn$/.test(String(r.inputs.name))).length, 0);
  if (!ml) {
    return parameterCount === 0
      ? { check: "model-parameters-granted", ok: true, message: "no model parameters and no ML stack: nothing to check", stacks: workloads.map((w) => w.stack) }
      : { check: "model-parameters-granted", ok: false, message: `${parameterCount} model parameter(s) in ${workloads.map((w) => w.stack).join(", ")}, but no ML stack was planned to grant them`, stacks: workloads.map((w) => w.stack) };
  }
  if (workloads.length === 0) {
    return { check: "model-parameters-granted", ok: true, message: "no workload stack planned: nothing to check", stacks: [ml.stack] };
  }
  const consumers = (decode(ml.config.consumers) ?? {}) as Record<string, { requireVpcEndpoint?: boolean }>;
  const problems: string[] = [];
  let count = 0;
  for (const w of workloads) {
    const roleName = modelAccessRoleName(w.stack);
    const statements = ml.resources
      .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === roleName)
      .flatMap((r) => ((decode(r.inputs.policy) as { Statement?: any[] })?.Statement ?? []))
      .filter((st) => st.Effect === "Allow");
    const endpointIds = (w.outputs.modelEndpointIds ?? {}) as Record<string, string>;
    for (const param of w.resources.filter((r) => r.type === "aws:ssm/parameter:Parameter" && /^\/mlz\/models\/[^/]+\/arn$/.test(String(r.inputs.name)))) {
      count++;
      const value = String(param.inputs.insecureValue ?? param.inputs.value ?? "");
      let needed: { action: string; resource: string; service: string };
      try {
        const parsed = parseModelVersionArn(value);
        needed = parsed.kind === "rekognition"
          ? { action: "rekognition:DetectCustomLabels", resource: value, service: "rekognition" }
          : { action: "sagemaker:InvokeEndpoint", resource: endpointArnForModelArn(value), service: "sagemaker.runtime" };
      } catch (e) {
        problems.push(`${w.stack}: ${String(param.inputs.name)} holds no model-version ARN: ${(e as Error).message}`);
        continue;
      }
      const granting = statements.filter((st) => asList(st.Action).includes(needed.action) && asList(st.Resource).includes(needed.resource));
      if (granting.length === 0) {
        problems.push(`${w.stack}: ${String(param.inputs.name)} = ${value}, but ${ml.stack}'s role ${roleName} grants no ${needed.action} on ${needed.resource}`);
        continue;
      }
      if (consumers[w.stack]?.requireVpcEndpoint) {
        const vpce = endpointIds[needed.service];
        const through = granting.some((st) => asList(st.Condition?.StringEquals?.["aws:SourceVpce"]).includes(vpce));
        if (!vpce || !through) {
          problems.push(`${w.stack}: ${String(param.inputs.name)} is granted by ${roleName}, but not only through ${w.stack}'s ${needed.service} endpoint ${vpce ?? "(none exported)"}`);
        }
      }
    }
  }
  return {
    check: "model-parameters-granted",
    ok: problems.length === 0,
    message: problems.length === 0
      ? `${count} model parameter(s) in ${workloads.map((w) => w.stack).join(", ")} hold versions the ML roles grant${Object.entries(consumers).some(([, c]) => c.requireVpcEndpoint) ? ` (through the VPC endpoints of ${Object.entries(consumers).filter(([, c]) => c.requireVpcEndpoint).map(([k]) => k).join(", ")})` : ""}`
      : problems.join("; "),
    stacks: [ml.stack, ...workloads.map((w) => w.stack)],
  };
}

function asList(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

export interface CheckContext {
  /** Every stack of the organization (its stack files), planned in this run or not. */
  stackNames?: string[];
  /** The Pulumi organization of the stacks (`organizationOf`). */
  organization?: string;
}

export type CrossStackCheck = (plans: StackPlan[], context: CheckContext) => CheckResult;

/** Checks run by every plan, in order. */
export const CROSS_STACK_CHECKS: CrossStackCheck[] = [
  stackReferencesResolve,
  deployRolesExist,
  modelVersionsInMlAccount,
  modelParametersGranted,
];

export function crossStackChecks(plans: StackPlan[], context: CheckContext = {}): CheckResult[] {
  return CROSS_STACK_CHECKS.map((check) => check(plans, context));
}
