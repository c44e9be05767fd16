import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ACCOUNT_PATTERN } from "../aws";

/** Ids an organization policy can be attached to: the root, an OU or an account. */
export const POLICY_TARGET_ID = new RegExp(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|${ACCOUNT_PATTERN})$`);
export const POLICY_ID = /^p-[0-9a-zA-Z_]{8,128}$/;

export interface AdoptedOrganizationPolicyArgs {
  /** Id (`p-…`) of the existing policy; it is imported, never created. */
  readonly policyId: string;
  /** The policy's name, exactly as it is in Organizations (import compares it). */
  readonly policyName: string;
  /** SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY. */
  readonly type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
  /** The policy document exactly as Organizations returns it (DescribePolicy `Content`). */
  readonly content: string;
  /** Description, as in Organizations. Defaults to none. */
  readonly description?: string;
  /** Ids of the root, OUs and accounts it is attached to; each attachment is imported too. */
  readonly targetIds: readonly string[];
}

/** Checks the args; returns the problems (empty when valid). Pure, so tests call it directly. */
export function validateAdoptedPolicy(args: AdoptedOrganizationPolicyArgs): string[] {
  const problems: string[] = [];
  if (!POLICY_ID.test(args.policyId)) problems.push(`[policyId] must be a policy id (p-…); got '${args.policyId}'`);
  try {
    JSON.parse(args.content);
  } catch {
    problems.push(`[content] of policy ${args.policyId} must be a JSON policy document`);
  }
  for (const t of args.targetIds) {
    if (!POLICY_TARGET_ID.test(t)) problems.push(`[targetIds] must hold root (r-…), OU (ou-…) or 12-digit account ids; got '${t}'`);
  }
  if (new Set(args.targetIds).size !== args.targetIds.length) problems.push(`[targetIds] of policy ${args.policyId} must not repeat a target`);
  return problems;
}

/**
 * An organization policy (SCP or RCP) that existed before the landing zone, adopted as it is with
 * `npm run adopt -- --adopt-policies`: the policy and each of its attachments are imported by id,
 * so `pulumi up` manages them from then on instead of leaving them unseen.
 */
export class AdoptedOrganizationPolicy extends pulumi.ComponentResource {
  public readonly policy: aws.organizations.Policy;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AdoptedOrganizationPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:AdoptedOrganizationPolicy", name, {}, opts);
    const problems = validateAdoptedPolicy(args);
    if (problems.length > 0) throw new Error(problems.join("; "));
    this.policy = new aws.organizations.Policy(`${name}-policy`, {
      name: args.policyName,
      type: args.type,
      content: args.content,
      ...(args.description !== undefined ? { description: args.description } : {}),
    }, { parent: this, import: args.policyId });
    for (const target of [...args.targetIds].sort()) {
      new aws.organizations.PolicyAttachment(`${name}-${target}`, {
        policyId: this.policy.id,
        targetId: target,
      }, { parent: this, import: `${target}:${args.policyId}` });
    }
    this.arn = this.policy.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
