import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { DEFAULT_SCP_SIZE_QUOTA, checkScpSize, validateScp, validateScpStructure } from "./scp";
import { declareOrganizationPolicy, type OrganizationPolicyArgs, type PolicyGrammar } from "./organization-policy";

export { isPlain } from "./organization-policy";

/** The policy's args (see `OrganizationPolicyArgs`). */
export type ServiceControlPolicyArgs = OrganizationPolicyArgs;

/** Service control policies: the SCP grammar of `./scp.ts`. */
export const SCP_GRAMMAR: PolicyGrammar = {
  type: "SERVICE_CONTROL_POLICY",
  label: "service control policy",
  defaultQuota: DEFAULT_SCP_SIZE_QUOTA,
  validateStructure: validateScpStructure,
  validate: validateScp,
  checkSize: checkScpSize,
};

/**
 * A service control policy built from typed statements: validated against the SCP grammar,
 * serialized minified, refused when larger than the size quota, and attached to each target.
 */
export class ServiceControlPolicy extends pulumi.ComponentResource {
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

  constructor(name: string, args: ServiceControlPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:ServiceControlPolicy", name, {}, opts);
    const declared = declareOrganizationPolicy(this, name, args, SCP_GRAMMAR);
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
