import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { DEFAULT_RCP_SIZE_QUOTA, checkRcpSize, validateRcp, validateRcpStructure } from "./rcp";
import { declareOrganizationPolicy, type OrganizationPolicyArgs, type PolicyGrammar } from "./organization-policy";

/** The policy's args (see `OrganizationPolicyArgs`). */
export type ResourceControlPolicyArgs = OrganizationPolicyArgs;

/** Resource control policies: the RCP grammar of `./rcp.ts`. */
export const RCP_GRAMMAR: PolicyGrammar = {
  type: "RESOURCE_CONTROL_POLICY",
  label: "resource control policy",
  defaultQuota: DEFAULT_RCP_SIZE_QUOTA,
  validateStructure: validateRcpStructure,
  validate: validateRcp,
  checkSize: checkRcpSize,
};

/**
 * A resource control policy built from typed statements: validated against the RCP grammar
 * (`./rcp.ts`: Deny, `Principal: "*"`, services RCPs apply to), serialized minified, refused when
 * larger than the size quota, and attached to each target. The organization must have the
 * `RESOURCE_CONTROL_POLICY` policy type enabled.
 */
export class ResourceControlPolicy extends pulumi.ComponentResource {
  public readonly policy: aws.organizations.Policy;
  public readonly attachments: Record<string, aws.organizations.PolicyAttachment>;
  /** Policy id (`p-…`). */
  public readonly policyId: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  /** The minified document sent to AWS. */
  public readonly document: pulumi.Output<string>;
  /** Characters the document counts toward the quota. */
  public readonly size: pulumi.Output<number>;
  /** Attached target ids by key. */
  public readonly targets: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ResourceControlPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:ResourceControlPolicy", name, {}, opts);
    const declared = declareOrganizationPolicy(this, name, args, RCP_GRAMMAR);
    this.policy = declared.policy;
    this.attachments = declared.attachments;
    this.policyId = this.policy.id;
    this.arn = this.policy.arn;
    this.document = declared.document;
    this.size = declared.size;
    this.targets = declared.targets;
    this.registerOutputs({
      policy: this.policy,
      attachments: this.attachments,
      policyId: this.policyId,
      arn: this.arn,
      document: this.document,
      size: this.size,
      targets: this.targets,
    });
  }
}
