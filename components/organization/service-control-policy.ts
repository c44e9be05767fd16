import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, type PolicyDocument, type PolicyStatement } from "../iam/policy-document";
import { DEFAULT_SCP_SIZE_QUOTA, checkScpSize, validateQuota, validateScp, validateScpStructure } from "./scp";

export interface ServiceControlPolicyArgs {
  /** Physical policy name in AWS Organizations (1–128 characters). Defaults to the component name. */
  readonly policyName?: string;
  /** Description shown in the Organizations console. Defaults to none. */
  readonly description?: string;
  /**
   * The statements, as typed data. Leaves may be Outputs (e.g. account ids); when every leaf is a
   * plain string the document is validated, sized and refused before any child is declared,
   * otherwise the size check runs as soon as the values are known (still before anything is created).
   */
  readonly statements: PolicyStatement<pulumi.Input<string>>[];
  /**
   * Where to attach the policy: stable key (e.g. `root`, an OU key) → root, OU or account id.
   * One `aws.organizations.PolicyAttachment` per entry. Defaults to none (policy only).
   */
  readonly targetIds?: Record<string, pulumi.Input<string>>;
  /** Size quota in characters for the minified document. Defaults to 5,120 (the AWS quota). */
  readonly sizeQuota?: number;
  /** Tags for the policy. Defaults to none. */
  readonly tags?: Record<string, string>;
}

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
    const policyName = args.policyName ?? name;
    if (policyName.length < 1 || policyName.length > 128) {
      throw new Error(`[policyName] must be 1 to 128 characters; got '${policyName}'`);
    }
    if (args.description !== undefined && args.description.length > 512) {
      throw new Error(`[description] of service control policy '${policyName}' must be at most 512 characters; got ${args.description.length}`);
    }
    const quota = args.sizeQuota ?? DEFAULT_SCP_SIZE_QUOTA;
    validateQuota(quota);
    const targetIds = args.targetIds ?? {};
    for (const key of Object.keys(targetIds)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) {
        throw new Error(`[targetIds] keys must be letters, digits and '-'; got '${key}'`);
      }
    }

    const doc = policyDocument(args.statements);
    validateScpStructure(policyName, doc);
    let document: pulumi.Output<string>;
    let size: pulumi.Output<number>;
    if (isPlain(doc)) {
      const checked = validateScp(policyName, doc as PolicyDocument<string>, quota);
      document = pulumi.output(checked.json);
      size = pulumi.output(checked.size);
    } else {
      const checked = pulumi.output(doc).apply((resolved) => {
        try {
          return checkScpSize(policyName, resolved as PolicyDocument<string>, quota);
        } catch (e) {
          throw new pulumi.ResourceError((e as Error).message, this);
        }
      });
      document = checked.json;
      size = checked.size;
    }

    this.policy = new aws.organizations.Policy(`${name}-policy`, {
      name: policyName,
      description: args.description,
      type: "SERVICE_CONTROL_POLICY",
      content: document,
      tags: args.tags,
    }, { parent: this });

    this.attachments = {};
    for (const [key, targetId] of Object.entries(targetIds)) {
      this.attachments[key] = new aws.organizations.PolicyAttachment(`${name}-${key}`, {
        policyId: this.policy.id,
        targetId,
      }, { parent: this });
    }

    this.policyId = this.policy.id;
    this.arn = this.policy.arn;
    this.document = document;
    this.size = size;
    this.targets = pulumi.output(targetIds) as pulumi.Output<Record<string, string>>;
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

/** `true` when no leaf of `v` is an Output or a Promise. */
export function isPlain(v: unknown): boolean {
  if (pulumi.Output.isInstance(v) || v instanceof Promise) return false;
  if (Array.isArray(v)) return v.every(isPlain);
  if (v && typeof v === "object") return Object.values(v).every(isPlain);
  return true;
}
