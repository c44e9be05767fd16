/**
 * Cross-stack checks: facts no single stack can verify, checked across the planned organization.
 * Each returns pass or fail with a message naming the stacks and values involved.
 */
import { decodeJson } from "../lib/json";
import { endpointArnForModelArn, parseModelVersionArn } from "../components/models/arns";
import { DEFAULT_DEPLOY_ROLE_NAME, modelAccessRoleName } from "../components/naming";
import { accountOfArn, partitionOf, roleArn } from "../components/aws";
import { PROJECT } from "../stacks/config";
import { modelParameterName } from "../components/naming";
import { PROMOTION_GATES } from "../promotion/gates";
import type { CheckResult, PlannedResource, StackPlan } from "../lib/plan-model";

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
    return account ? roleArn(partitionOf(String(p.config.region ?? p.region ?? "us-east-1")), account, roleName) : undefined;
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
      const account = typeof m.versionArn === "string" && m.versionArn.startsWith("arn:") ? accountOfArn(m.versionArn) : undefined;
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
  /** Plans of the base the change is compared with (`--diff`), by stack: enables the change checks. */
  base?: Map<string, StackPlan>;
}

/**
 * Model → version ARN a workload pins: its config's `models` map, else (a base plan written before
 * plans carried their config) the values of its `/mlz/models/<model>/arn` parameters.
 */
export function pinnedVersions(plan: StackPlan): Record<string, string> {
  const models = decode(plan.config?.models) as Record<string, { versionArn?: unknown }> | undefined;
  if (models && typeof models === "object") {
    return Object.fromEntries(Object.entries(models).filter(([, m]) => typeof m?.versionArn === "string").map(([k, m]) => [k, m.versionArn as string]));
  }
  // An older plan without its config: the versions the stack exports (every kind, Comprehend
  // included), and the model parameters it writes.
  const [prefix, suffix] = modelParameterName("\u0000").split("\u0000");
  const out: Record<string, string> = {};
  const exported = decode(plan.outputs?.modelVersionArns) as Record<string, unknown> | undefined;
  if (exported && typeof exported === "object") {
    for (const [k, v] of Object.entries(exported)) if (typeof v === "string") out[k] = v;
  }
  for (const r of plan.resources.filter((x) => x.type === "aws:ssm/parameter:Parameter")) {
    const name = String(r.inputs.name ?? "");
    const model = name.startsWith(prefix) && name.endsWith(suffix) ? name.slice(prefix.length, name.length - suffix.length) : "";
    const value = r.inputs.insecureValue ?? r.inputs.value;
    if (model && !model.includes("/") && typeof value === "string") out[model] = value;
  }
  return out;
}

/**
 * The promotion invariant, on the change (needs the base plans of `--diff`): a gated stack (prod)
 * may only *change* a model to the version its gate (qa) holds at the time of the change, i.e. in
 * the base the pull request merges into. A version the same change also gives QA is refused: QA
 * first, then prod. Prod staying behind while QA moves ahead is no change and passes. A gated stack
 * the base does not have yet (its first deployment) takes versions its gate holds after the change.
 */
export function promotionGates(plans: StackPlan[], context: CheckContext = {}): CheckResult {
  const base = context.base ?? new Map<string, StackPlan>();
  const byStack = new Map(plans.map((p) => [p.stack, p]));
  const problems: string[] = [];
  const involved = new Set<string>();
  let changes = 0;
  for (const [gated, gate] of Object.entries(PROMOTION_GATES).sort(([a], [b]) => a.localeCompare(b))) {
    const head = byStack.get(gated);
    if (!head || head.role !== "workload") continue;
    involved.add(gated);
    const before = base.get(gated);
    const gateBase = base.get(gate);
    const gatePlan = before ? gateBase : byStack.get(gate);
    const gateVersions = gatePlan ? pinnedVersions(gatePlan) : {};
    const was = before ? pinnedVersions(before) : {};
    const where = before ? `at the base (${gateBase?.configFile ?? `stacks/Pulumi.${gate}.yaml`} before this change)` : "(first deployment of " + gated + ")";
    for (const [model, arn] of Object.entries(pinnedVersions(head)).sort(([a], [b]) => a.localeCompare(b))) {
      if (was[model] === arn) continue;
      changes++;
      involved.add(gate);
      if (gateVersions[model] !== arn) {
        const held = gateVersions[model] ?? "no version";
        problems.push(
          `${gated} (${head.configFile}): models.${model}.versionArn changes to ${arn}, but ${gate} holds ${held} ${where}; ` +
            `${gated} only takes a version ${gate} already holds: promote to ${gate} first, merge, then promote ${gated} from ${gate}`,
        );
      }
    }
  }
  return {
    check: "promotion-gates",
    ok: problems.length === 0,
    message: problems.length === 0
      ? `${changes} model version change(s) in gated stacks (${Object.entries(PROMOTION_GATES).map(([g, q]) => `${g} from ${q}`).join(", ")}), each to a version its gate holds`
      : problems.join("; "),
    stacks: [...involved].sort(),
  };
}

export type CrossStackCheck = (plans: StackPlan[], context: CheckContext) => CheckResult;

/**
 * The training roles of each lakehouse's image normalization have the IAM side of the grants: a
 * training role that a planned stack declares (in its own account) must have a managed policy
 * attached whose document is exactly the lakehouse's `imageNormalizationTrainingRolePolicy` (the
 * actions and resources the lakehouse's bucket, access point, key and Lambda policies grant).
 * Roles no planned stack declares are listed: their owners must attach that document themselves.
 */
export function normalizedImageReaders(plans: StackPlan[]): CheckResult {
  const problems: string[] = [];
  const external: string[] = [];
  let covered = 0;
  const involved = new Set<string>();
  for (const lakehouse of plans.filter((p) => p.role === "lakehouse")) {
    const cfg = decode(lakehouse.config.imageNormalization) as { trainingRoleArns?: unknown } | undefined;
    if (!cfg || !Array.isArray(cfg.trainingRoleArns)) continue;
    involved.add(lakehouse.stack);
    const published = lakehouse.outputs.imageNormalizationTrainingRolePolicy;
    const expected = typeof published === "string" ? canonicalJson(published) : undefined;
    if (expected === undefined) {
      problems.push(`${lakehouse.stack} configures imageNormalization but publishes no imageNormalizationTrainingRolePolicy output`);
      continue;
    }
    for (const roleArn of cfg.trainingRoleArns.map(String).sort()) {
      const owner = plans.find((p) => rolesOf(p).some((r) => r.outputs.arn === roleArn));
      if (!owner) {
        external.push(roleArn);
        continue;
      }
      involved.add(owner.stack);
      const role = rolesOf(owner).find((r) => r.outputs.arn === roleArn)!;
      const roleName = String(role.inputs.name ?? role.outputs.name ?? "");
      const attachedDocuments = owner.resources
        .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.inputs.role === roleName)
        .map((a) => owner.resources.find((p) => p.type === "aws:iam/policy:Policy" && p.outputs.arn === a.inputs.policyArn))
        .map((p) => (typeof p?.inputs.policy === "string" ? canonicalJson(p.inputs.policy) : undefined));
      if (attachedDocuments.includes(expected)) covered++;
      else problems.push(`${owner.stack} declares ${roleArn}, a training role of ${lakehouse.stack}'s imageNormalization, without a managed policy holding ${lakehouse.stack}'s imageNormalizationTrainingRolePolicy (set ml-landing-zone:normalizedImages)`);
    }
  }
  const note = external.length > 0 ? `; not declared by any stack (their owners must attach imageNormalizationTrainingRolePolicy): ${external.join(", ")}` : "";
  return {
    check: "normalized-image-readers",
    ok: problems.length === 0,
    message: problems.length > 0
      ? problems.join("; ")
      : `${covered} training role(s) of image normalization allow in IAM what the lakehouse grants${note}`,
    stacks: plans.map((p) => p.stack).filter((s) => involved.has(s)),
  };
}

/** A JSON document re-serialized with sorted keys, so equal documents compare equal. */
function canonicalJson(text: string): string | undefined {
  const sort = (v: unknown): unknown => Array.isArray(v)
    ? v.map(sort)
    : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sort(x)])) : v;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return undefined;
  }
}

/** Checks run by every plan, in order. */
export const CROSS_STACK_CHECKS: CrossStackCheck[] = [
  stackReferencesResolve,
  deployRolesExist,
  modelVersionsInMlAccount,
  modelParametersGranted,
  normalizedImageReaders,
];

/** The checks run by every plan, and with base plans (`--diff`) the checks of the change. */
export function crossStackChecks(plans: StackPlan[], context: CheckContext = {}): CheckResult[] {
  return [...CROSS_STACK_CHECKS, ...(context.base ? [promotionGates] : [])].map((check) => check(plans, context));
}
