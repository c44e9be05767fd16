/**
 * AWSGuard-style helpers (after pulumi/pulumi-policy-aws src/tests/util.ts): build validation args
 * for one resource or a small stack, run a rule, and return what it reported. Options reach the
 * rule through the same resolution as the offline plan (schema defaults, then the given options).
 */
import type {
  PolicyProviderResource,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { resolvePolicyConfig, type MlzPolicy } from "../../policies/config";

export interface Violation {
  message: string;
  urn?: string;
}

export interface Outcome {
  violations: Violation[];
  /** Reason given to `notApplicable()`, if the rule called it. */
  notApplicable?: string;
}

class NotApplicable extends Error {}

const OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

type ResourceClass = { __pulumiType?: string } | (new (...args: any[]) => unknown);

/** The type token of a resource class (e.g. `aws.s3.Bucket` → `aws:s3/bucket:Bucket`), or a token as is. */
export function typeOf(cls: ResourceClass | string): string {
  if (typeof cls === "string") return cls;
  const t = (cls as { __pulumiType?: string }).__pulumiType;
  if (typeof t !== "string") throw new Error("resource class without __pulumiType");
  return t;
}

function isTypeOf(type: string, cls: any): boolean {
  return cls?.__pulumiType === type;
}

function optionsFor(policy: MlzPolicy, options?: Record<string, unknown>): Record<string, unknown> {
  return resolvePolicyConfig([policy], options ? { [policy.name]: options } : {}).get(policy.name)!.properties;
}

/** An AWS provider resource with `defaultTags.tags` serialized the way @pulumi/aws does. */
export function awsProvider(tags: Record<string, string>, name = "account"): PolicyProviderResource {
  return {
    type: "pulumi:providers:aws",
    name,
    urn: `urn:pulumi:test::ml-landing-zone::pulumi:providers:aws::${name}`,
    props: { region: "us-east-1", defaultTags: JSON.stringify({ tags }) },
  };
}

export const STANDARD_TAGS = { environment: "prod", owner: "platform@example.com", pipeline: "ml-landing-zone" };

export function createResourceValidationArgs(
  cls: ResourceClass | string,
  props: Record<string, any>,
  opts: { name?: string; provider?: PolicyProviderResource; options?: Record<string, unknown>; policy?: MlzPolicy } = {},
): ResourceValidationArgs {
  const type = typeOf(cls);
  const name = opts.name ?? "test";
  const config = opts.policy ? optionsFor(opts.policy, opts.options) : {};
  const args: ResourceValidationArgs = {
    type,
    props,
    urn: `urn:pulumi:test::ml-landing-zone::${type}::${name}`,
    name,
    opts: OPTIONS,
    stackTags: new Map(),
    isType: (c) => isTypeOf(type, c),
    asType: ((c: any) => (isTypeOf(type, c) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  if (opts.provider) args.provider = opts.provider;
  return args;
}

/** Runs a resource rule (every validator of it) over one resource. */
export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  cls: ResourceClass | string,
  props: Record<string, any>,
  opts: { name?: string; provider?: PolicyProviderResource; options?: Record<string, unknown> } = {},
): Promise<Outcome> {
  const args = createResourceValidationArgs(cls, props, { ...opts, policy });
  const violations: Violation[] = [];
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  let notApplicable: string | undefined;
  for (const v of validations) {
    try {
      await v(args, (message) => violations.push({ message, urn: args.urn }));
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
      notApplicable = e.message;
    }
  }
  return { violations, notApplicable };
}

/** Messages a resource rule reports for one resource. */
export async function resourceMessages(
  policy: ResourceValidationPolicy,
  cls: ResourceClass | string,
  props: Record<string, any>,
  opts: { name?: string; provider?: PolicyProviderResource; options?: Record<string, unknown> } = {},
): Promise<string[]> {
  return (await runResourcePolicy(policy, cls, props, opts)).violations.map((v) => v.message);
}

export interface StackResourceSpec {
  cls: ResourceClass | string;
  name: string;
  props: Record<string, any>;
  provider?: PolicyProviderResource;
}

export function urnOf(cls: ResourceClass | string, name: string): string {
  return `urn:pulumi:test::ml-landing-zone::${typeOf(cls)}::${name}`;
}

export function createStackValidationArgs(policy: MlzPolicy, specs: StackResourceSpec[], options?: Record<string, unknown>): StackValidationArgs {
  const config = optionsFor(policy, options);
  const resources: PolicyResource[] = specs.map((s) => {
    const type = typeOf(s.cls);
    const r: PolicyResource = {
      type,
      props: s.props,
      urn: urnOf(s.cls, s.name),
      name: s.name,
      opts: OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: (c) => isTypeOf(type, c),
      asType: ((c: any) => (isTypeOf(type, c) ? s.props : undefined)) as PolicyResource["asType"],
    };
    if (s.provider) r.provider = s.provider;
    return r;
  });
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** Runs a stack rule over the given resources. */
export async function runStackPolicy(policy: StackValidationPolicy, specs: StackResourceSpec[], options?: Record<string, unknown>): Promise<Outcome> {
  const args = createStackValidationArgs(policy, specs, options);
  const violations: Violation[] = [];
  try {
    await policy.validateStack(args, (message, urn) => violations.push({ message, ...(urn ? { urn } : {}) }));
  } catch (e) {
    if (!(e instanceof NotApplicable)) throw e;
    return { violations, notApplicable: e.message };
  }
  return { violations };
}
