import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, type PolicyDocument, type PolicyStatement } from "../iam/policy-document";
import { POLICY_GRAMMARS, validateQuota, type OrganizationPolicyKind, type PolicyGrammar } from "./policy-grammar";

/** Type tokens by kind: the two kinds keep the tokens (and so the URNs) they have always had. */
export const ORGANIZATION_POLICY_TYPES: Readonly<Record<OrganizationPolicyKind, string>> = {
  scp: "mlz:organization:ServiceControlPolicy",
  rcp: "mlz:organization:ResourceControlPolicy",
};

export interface OrganizationPolicyArgs {
  /**
   * `scp` (service control policy) or `rcp` (resource control policy, which needs the
   * RESOURCE_CONTROL_POLICY policy type enabled): picks the grammar and quota of `./policy-grammar.ts`.
   */
  readonly kind: OrganizationPolicyKind;
  /** Physical policy name in AWS Organizations (1–128 characters). Defaults to the component name. */
  readonly policyName?: string;
  /** Description shown in the Organizations console. Defaults to none. */
  readonly description?: string;
  /**
   * The statements, as typed data. Leaves may be Outputs (e.g. account or organization ids); when
   * every leaf is a plain string the document is validated, sized and refused before any child is
   * declared, otherwise the size check runs as soon as the values are known (still before anything
   * is created).
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

interface DeclaredOrganizationPolicy {
  policy: aws.organizations.Policy;
  attachments: Record<string, aws.organizations.PolicyAttachment>;
  document: pulumi.Output<string>;
  size: pulumi.Output<number>;
  targets: pulumi.Output<Record<string, string>>;
}

/**
 * Validates the args, then declares the policy (minified, sized) and one attachment per target as
 * children of `parent`; throws before declaring anything.
 */
function declareOrganizationPolicy(
  parent: pulumi.ComponentResource,
  name: string,
  args: OrganizationPolicyArgs,
  grammar: PolicyGrammar,
): DeclaredOrganizationPolicy {
  const policyName = args.policyName ?? name;
  if (policyName.length < 1 || policyName.length > 128) {
    throw new Error(`[policyName] must be 1 to 128 characters; got '${policyName}'`);
  }
  if (args.description !== undefined && args.description.length > 512) {
    throw new Error(`[description] of ${grammar.label} '${policyName}' must be at most 512 characters; got ${args.description.length}`);
  }
  const quota = args.sizeQuota ?? grammar.defaultQuota;
  validateQuota(quota);
  const targetIds = args.targetIds ?? {};
  for (const key of Object.keys(targetIds)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) {
      throw new Error(`[targetIds] keys must be letters, digits and '-'; got '${key}'`);
    }
  }

  const doc = policyDocument(args.statements);
  grammar.validateStructure(policyName, doc);
  let document: pulumi.Output<string>;
  let size: pulumi.Output<number>;
  if (isPlain(doc)) {
    const checked = grammar.validate(policyName, doc as PolicyDocument<string>, quota);
    document = pulumi.output(checked.json);
    size = pulumi.output(checked.size);
  } else {
    const checked = pulumi.output(doc).apply((resolved) => {
      try {
        return grammar.checkSize(policyName, resolved as PolicyDocument<string>, quota);
      } catch (e) {
        throw new pulumi.ResourceError((e as Error).message, parent);
      }
    });
    document = checked.json;
    size = checked.size;
  }

  const policy = new aws.organizations.Policy(`${name}-policy`, {
    name: policyName,
    description: args.description,
    type: grammar.type,
    content: document,
    tags: args.tags,
  }, { parent });

  const attachments: Record<string, aws.organizations.PolicyAttachment> = {};
  for (const [key, targetId] of Object.entries(targetIds)) {
    attachments[key] = new aws.organizations.PolicyAttachment(`${name}-${key}`, {
      policyId: policy.id,
      targetId,
    }, { parent });
  }
  return { policy, attachments, document, size, targets: pulumi.output(targetIds) as pulumi.Output<Record<string, string>> };
}

/**
 * An Organizations authorization policy built from typed statements: validated against the
 * grammar of its kind, serialized minified, refused when larger than the size quota, and attached
 * to each target. Same children and outputs whatever the kind.
 */
export class OrganizationPolicy extends pulumi.ComponentResource {
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

  constructor(name: string, args: OrganizationPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    const grammar = POLICY_GRAMMARS[args.kind];
    if (!grammar) throw new Error(`[kind] must be one of ${Object.keys(POLICY_GRAMMARS).join(", ")}; got '${String(args.kind)}'`);
    super(ORGANIZATION_POLICY_TYPES[args.kind], name, {}, opts);
    const declared = declareOrganizationPolicy(this, name, args, grammar);
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

/** `true` when no leaf of `v` is an Output or a Promise. */
export function isPlain(v: unknown): boolean {
  if (pulumi.Output.isInstance(v) || v instanceof Promise) return false;
  if (Array.isArray(v)) return v.every(isPlain);
  if (v && typeof v === "object") return Object.values(v).every(isPlain);
  return true;
}
