/**
 * Runs the pack's rules over a planned stack, offline, the way the policy server runs them during
 * `pulumi preview` (without starting it: this module never imports index.ts):
 * - resource rules get one `ResourceValidationArgs` per resource, with its inputs as `props` and its
 *   provider (type, inputs, URN, name) — as the engine's `Analyze` call does;
 * - stack rules get every resource with its outputs as `props`, parents and dependencies resolved
 *   to resource objects — as `AnalyzeStack` does;
 * - levels and options come from `resolvePolicyConfig` (engine precedence; see config.ts); a
 *   disabled rule runs not at all, `remediate` reports as `mandatory` (the SDK's downgrade);
 * - `notApplicable()` ends a validation silently.
 * Rules that declare an `organization` option receive a snapshot of every stack planned so far.
 */
import type {
  EnforcementLevel,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PlannedResource, PolicyResult, StackPlan } from "../lib/plan-model";
import { resolvePolicyConfig, type MlzPolicy, type PolicyPackConfig } from "./config";
import { snapshotOf, stackProps, type OrganizationSnapshot } from "./organization-context";
import { allPolicies } from "./registry";

export interface EvaluateOptions {
  /** Same shape as `--policy-pack-config`: `{ "all": "advisory", "rule": { "enforcementLevel": "disabled", "option": … } }`. */
  policyConfig?: object;
  /** Every stack planned so far, for org-wide stack checks (may include `plan` itself). */
  organization?: StackPlan[];
  /** Rules to run; defaults to the whole pack. */
  policies?: readonly MlzPolicy[];
}

class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

function notApplicable(reason?: string): never {
  // Thrown for most (rule, resource) pairs and always caught: no stack trace to capture.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    throw new NotApplicable(reason);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The type a validation function is bound to (the policy SDK's `getPulumiType`), if any. */
function pulumiTypeOf(fn: unknown): string | undefined {
  const token = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof token === "string" && token.length > 0 ? token : undefined;
}

/** Same check as the policy SDK: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: any): boolean {
  const token = pulumiTypeOf(resourceClass);
  if (token !== undefined) return type === token;
  return typeof resourceClass?.isInstance === "function" && resourceClass.isInstance({ __pulumiType: type }) === true;
}

const EMPTY_OPTIONS = (parent?: string): PolicyResourceOptions => ({
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
  ...(parent ? { parent } : {}),
});

/** The provider resource a planned resource refers to (`<provider urn>` or `<provider urn>::<id>`). */
function providerOf(r: PlannedResource, plan: StackPlan): PlannedResource | undefined {
  const ref = r.provider;
  if (!ref) return undefined;
  return plan.resources.find((p) => p.type.startsWith("pulumi:providers:") && (ref === p.urn || ref.startsWith(`${p.urn}::`)));
}

function providerResource(p: PlannedResource | undefined): PolicyProviderResource | undefined {
  return p ? { type: p.type, props: p.inputs, urn: p.urn, name: p.name } : undefined;
}

/** Builds the args a resource rule sees for one planned resource. */
export function resourceValidationArgs(r: PlannedResource, plan: StackPlan, config: Record<string, unknown>): ResourceValidationArgs {
  const props = r.inputs as Record<string, any>;
  const args: ResourceValidationArgs = {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: EMPTY_OPTIONS(r.parent),
    stackTags: new Map<string, string>(),
    isType: (cls) => isTypeOf(r.type, cls),
    asType: ((cls: any) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
  const provider = providerResource(providerOf(r, plan));
  if (provider) args.provider = provider;
  return args;
}

/** Builds the resources a stack rule sees: outputs as props, parent and dependencies linked. */
export function stackResources(plan: StackPlan): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const list = plan.resources.map((r) => {
    const props = stackProps(r);
    const pr: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: EMPTY_OPTIONS(r.parent),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls),
      asType: ((cls: any) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    };
    const provider = providerResource(providerOf(r, plan));
    if (provider) pr.provider = provider;
    byUrn.set(r.urn, pr);
    return pr;
  });
  plan.resources.forEach((r, i) => {
    if (r.parent && byUrn.has(r.parent)) list[i].parent = byUrn.get(r.parent);
    list[i].dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
  });
  return list;
}

/** Deterministic order: stack, rule, URN (stack-level results first), message. */
export function compareResults(a: PolicyResult, b: PolicyResult): number {
  const key = (r: PolicyResult) => [r.stack, r.policy, r.urn ?? "", r.message];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  }
  return 0;
}

// The plan evaluates every stack against the same organization: its snapshots are made once, not
// once per stack (which made the evaluation of N stacks quadratic in N).
const snapshots = new WeakMap<StackPlan[], OrganizationSnapshot[]>();
function organizationSnapshots(plans: StackPlan[]): OrganizationSnapshot[] {
  let known = snapshots.get(plans);
  if (!known || known.length !== plans.length) {
    known = plans.map(snapshotOf);
    snapshots.set(plans, known);
  }
  return known;
}

/** Evaluates every enabled rule against one planned stack. Advisory results are returned too. */
export async function evaluateStack(plan: StackPlan, opts: EvaluateOptions = {}): Promise<PolicyResult[]> {
  const policies = opts.policies ?? allPolicies;
  const resolved = resolvePolicyConfig(policies, (opts.policyConfig ?? {}) as PolicyPackConfig);
  const organization = opts.organization && organizationSnapshots(opts.organization);
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const results: PolicyResult[] = [];
  let stackArgsResources: PolicyResource[] | undefined;

  for (const p of policies) {
    const { enforcementLevel: configured, properties } = resolved.get(p.name)!;
    if (configured === "disabled") continue;
    const level: EnforcementLevel = configured === "remediate" ? "mandatory" : configured;
    const config: Record<string, unknown> = structuredClone(properties);
    if (organization && p.configSchema?.properties && "organization" in p.configSchema.properties && config.organization === undefined) {
      config.organization = organization;
    }
    const push = (message: string, urn?: string) => {
      const r = urn ? byUrn.get(urn) : undefined;
      results.push({
        policy: p.name,
        enforcementLevel: level,
        message,
        stack: plan.stack,
        ...(urn ? { urn } : {}),
        ...(r ? { resourceName: r.name, resourceType: r.type } : {}),
      });
    };

    if (isResourceRule(p)) {
      const validations: ResourceValidation[] = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource!];
      // A validation built for one resource type (it carries that type, e.g. from
      // validateResourceOfType) is not applicable to any other: skipped as the SDK's analyzer skips
      // a single one, and for one of a list, the outcome of calling it (it ends not applicable).
      const types = validations.map(pulumiTypeOf);
      for (const r of plan.resources) {
        if (types.every((t) => t !== undefined && t !== r.type)) continue;
        const args = resourceValidationArgs(r, plan, config);
        for (const [i, validate] of validations.entries()) {
          if (types[i] !== undefined && types[i] !== r.type) continue;
          // As in the SDK, a resource rule's violations always name the resource being validated.
          await runValidation(() => validate(args, (message) => push(message, r.urn)), p.name, r.urn);
        }
      }
    }
    const stackOnlyType = isStackRule(p) ? pulumiTypeOf(p.validateStack) : undefined;
    if (isStackRule(p) && (stackOnlyType === undefined || plan.resources.some((r) => r.type === stackOnlyType))) {
      stackArgsResources ??= stackResources(plan);
      const args: StackValidationArgs = {
        resources: stackArgsResources,
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => config as T,
        notApplicable,
      };
      await runValidation(() => p.validateStack(args, (message, urn) => push(message, urn)), p.name, plan.stack);
    }
  }
  return results.sort(compareResults);
}

/** Resource rules (have `validateResource`) and stack rules (have `validateStack`), as the SDK tells them apart. */
export function isResourceRule(p: MlzPolicy): p is ResourceValidationPolicy {
  return "validateResource" in p && p.validateResource !== undefined;
}

export function isStackRule(p: MlzPolicy): p is StackValidationPolicy {
  return "validateStack" in p && typeof p.validateStack === "function";
}

async function runValidation(fn: () => void | Promise<void>, policy: string, where: string): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof NotApplicable) return;
    throw new Error(`policy '${policy}' failed on ${where}: ${(e as Error).message}`, { cause: e });
  }
}

/** Whether any result blocks the deployment (the offline plan exits 1 then). */
export function hasMandatoryViolation(results: readonly PolicyResult[]): boolean {
  return results.some((r) => r.enforcementLevel === "mandatory" || r.enforcementLevel === "remediate");
}
