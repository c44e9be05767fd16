import * as pulumi from "@pulumi/pulumi";
import { ORGANIZATION_ACCESS_ROLE_NAME } from "../naming";
import {
  consumerRekognitionLockout,
  denyIamUsers,
  denyLeaveOrganization,
  denyMemberRootUser,
  enforceOrgIdentities,
  exemptRoleArnPatterns,
  protectAuditLogBuckets,
  protectAuditLogKey,
  protectDetection,
  regionAllowList,
} from "./guardrail-statements";
import { DEFAULT_SCP_SIZE_QUOTA, MAX_RCPS_PER_TARGET, MAX_SCPS_PER_TARGET, validateQuota, type OrganizationPolicyKind } from "./policy-grammar";
import { OrganizationPolicy } from "./organization-policy";
import type { PolicyStatement } from "../iam/policy-document";

export interface GuardrailSetArgs {
  /** Id of the organization root (`r-…`). */
  readonly rootId: pulumi.Input<string>;
  /** Id of the organization (`o-…`): the identity perimeter of the `enforce-org-identities` RCP. */
  readonly organizationId: pulumi.Input<string>;
  /**
   * Declare the `enforce-org-identities` resource control policy on the root (the organization
   * must have the RESOURCE_CONTROL_POLICY policy type enabled). Defaults to true.
   */
  readonly enforceOrgIdentities?: boolean;
  /** OU ids by OU key (from the organization component). */
  readonly organizationalUnitIds: Record<string, pulumi.Input<string>>;
  /** Keys (of `organizationalUnitIds`) of the OUs holding consumer accounts (QA, prod). At least one. */
  readonly consumerOuKeys: string[];
  /** Regions where requests are allowed (global services excepted). At least one. */
  readonly allowedRegions: string[];
  /** Accounts where IAM users and access keys may still be created. Defaults to none. */
  readonly iamUserExceptionAccountIds?: pulumi.Input<string>[];
  /** Size quota of each SCP and RCP, in characters. Defaults to 5,120 (the AWS quota for both). */
  readonly sizeQuota?: number;
  /**
   * Roles (in every member account) exempt from `ProtectConfig`: the role the management stack
   * creates configuration recorders and delivery channels through. No other guardrail exempts them.
   * Defaults to `["OrganizationAccountAccessRole"]`.
   */
  readonly configExemptRoleNames?: string[];
  /**
   * Audit-log buckets whose Object Lock and lifecycle configuration, deletion, policy deletion and
   * governance bypass `ProtectAuditLogBucket` denies. Defaults to none (no such statement).
   */
  readonly auditLogBucketNames?: pulumi.Input<string>[];
  /**
   * The audit-log KMS key `ProtectAuditLogKey` (and, with an alias, `ProtectAuditLogKeyAlias`)
   * protects from deletion, disabling and key-policy changes: its account and alias (the key ARN is
   * unknown to the management stack), or its exact key ARN. Defaults to none (no such statements).
   */
  readonly auditLogKey?: { accountId: pulumi.Input<string>; alias: string } | { keyArn: pulumi.Input<string> };
  /** Break-glass roles exempt from `ProtectAuditLogBucket` and `ProtectAuditLogKey*`. Defaults to `["OrganizationAccountAccessRole"]`. */
  readonly auditLogBreakGlassRoleNames?: string[];
  /** Global-service actions the region allow-list lets through. Defaults to `GLOBAL_SERVICE_ACTIONS`. */
  readonly globalServiceActions?: string[];
  /** Prefix of the physical policy names. Defaults to `mlz`. */
  readonly namePrefix?: string;
  /** AWS partition of the ARNs. Defaults to `aws`. */
  readonly partition?: string;
  /** Tags for the policies. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/** A guardrail as the plan lists it. */
export interface GuardrailSummary {
  policyName: string;
  /** `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`. */
  policyType: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
  policyId: string;
  size: number;
  /** Target key → root/OU id. */
  targets: Record<string, string>;
  /** Sids of the statements. */
  statements: string[];
}

/**
 * Refuses a target that would carry more SCPs (or RCPs, with `kind` "RCP") than AWS allows: this
 * set's, plus the AWS-managed `FullAWSAccess` (`RCPFullAWSAccess`) attached everywhere.
 */
export function assertAttachmentQuota(attachments: Record<string, string[]>, kind: "SCP" | "RCP" = "SCP"): void {
  const max = kind === "SCP" ? MAX_SCPS_PER_TARGET : MAX_RCPS_PER_TARGET;
  const managed = kind === "SCP" ? "FullAWSAccess" : "RCPFullAWSAccess";
  for (const [target, policies] of Object.entries(attachments)) {
    if (policies.length + 1 > max) {
      throw new Error(`target '${target}' would carry ${policies.length + 1} ${kind}s (${policies.join(", ")} and ${managed}); AWS allows ${max}`);
    }
  }
}

/**
 * The organization's preventive guardrails. Four SCPs, packed so that the root carries three of
 * its five SCP slots (with `FullAWSAccess`), and one RCP (two of five RCP slots on the root, with
 * `RCPFullAWSAccess`):
 * - `baseline` (root): deny leaving the organization, deny the member-account root user, protect
 *   CloudTrail and IAM Access Analyzer (no exemption) and AWS Config (`configExemptRoleNames`
 *   exempt); with `auditLogBucketNames`, protect the audit-log buckets, and with `auditLogKey`
 *   the audit-log KMS key and its alias (break-glass roles exempt);
 * - `region-allow-list` (root): deny requests outside the allowed regions (global services exempt);
 * - `deny-iam-users` (root): deny creating IAM users, access keys and login profiles (exception
 *   accounts exempt);
 * - `consumer-rekognition-lockout` (each consumer OU): deny Rekognition project lifecycle actions;
 * - `enforce-org-identities` (RCP, root; unless `enforceOrgIdentities` is false): no principal
 *   outside the organization may `sts:AssumeRole` into a member account, whatever a trust policy
 *   says (AWS service principals and web-identity federation are unaffected).
 */
export class GuardrailSet extends pulumi.ComponentResource {
  /** SCPs by guardrail key. */
  public readonly policies: Record<string, OrganizationPolicy>;
  /** RCPs by guardrail key (`enforce-org-identities`, unless disabled). */
  public readonly resourcePolicies: Record<string, OrganizationPolicy>;
  /** Each guardrail's name, id, minified size, targets and statement ids. */
  public readonly summary: pulumi.Output<Record<string, GuardrailSummary>>;

  constructor(name: string, args: GuardrailSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:Guardrails", name, {}, opts);
    const prefix = args.namePrefix ?? "mlz";
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(prefix)) {
      throw new Error(`[namePrefix] must be letters, digits and '-' (at most 64); got '${prefix}'`);
    }
    const partition = args.partition ?? "aws";
    const quota = args.sizeQuota ?? DEFAULT_SCP_SIZE_QUOTA;
    validateQuota(quota);
    if (args.consumerOuKeys.length === 0) {
      throw new Error("[consumerOuKeys] must name at least one OU (the OUs of the QA and prod accounts)");
    }
    for (const key of args.consumerOuKeys) {
      if (!Object.prototype.hasOwnProperty.call(args.organizationalUnitIds, key)) {
        throw new Error(`[consumerOuKeys] must be keys of [organizationalUnitIds] (${Object.keys(args.organizationalUnitIds).join(", ") || "none"}); got '${key}'`);
      }
    }
    if (new Set(args.consumerOuKeys).size !== args.consumerOuKeys.length) {
      throw new Error(`[consumerOuKeys] must not repeat an OU; got ${args.consumerOuKeys.join(", ")}`);
    }
    if (args.consumerOuKeys.includes("root")) {
      throw new Error("[consumerOuKeys] must not use the key 'root' (reserved for the organization root)");
    }
    const configExempt = exemptRoleArnPatterns(args.configExemptRoleNames ?? [ORGANIZATION_ACCESS_ROLE_NAME], partition, "configExemptRoleNames");
    const auditLogProtection = args.auditLogBucketNames !== undefined && args.auditLogBucketNames.length > 0
      ? protectAuditLogBuckets({
        bucketNames: args.auditLogBucketNames,
        exemptPrincipalArnPatterns: exemptRoleArnPatterns(args.auditLogBreakGlassRoleNames ?? [ORGANIZATION_ACCESS_ROLE_NAME], partition, "auditLogBreakGlassRoleNames"),
        partition,
      })
      : [];
    const auditLogKeyProtection = args.auditLogKey !== undefined
      ? protectAuditLogKey({
        key: args.auditLogKey,
        exemptPrincipalArnPatterns: exemptRoleArnPatterns(args.auditLogBreakGlassRoleNames ?? [ORGANIZATION_ACCESS_ROLE_NAME], partition, "auditLogBreakGlassRoleNames"),
        partition,
      })
      : [];
    const rcpDefinitions: Record<string, { description: string; statements: PolicyStatement<pulumi.Input<string>>[]; targets: Record<string, pulumi.Input<string>> }> = {};
    if (args.enforceOrgIdentities ?? true) {
      rcpDefinitions["enforce-org-identities"] = {
        description: "Deny sts:AssumeRole into member accounts to principals outside the organization (AWS services exempt)",
        statements: enforceOrgIdentities(args.organizationId),
        targets: { root: args.rootId },
      };
    }

    const definitions: Record<string, { description: string; statements: ReturnType<typeof denyLeaveOrganization>; targets: Record<string, pulumi.Input<string>> }> = {
      "baseline": {
        description: baselineDescription(auditLogProtection.length > 0, auditLogKeyProtection.length > 0),
        statements: [...denyLeaveOrganization(), ...denyMemberRootUser(partition), ...protectDetection(configExempt), ...auditLogProtection, ...auditLogKeyProtection],
        targets: { root: args.rootId },
      },
      "region-allow-list": {
        description: `Deny requests outside ${args.allowedRegions.join(", ")} (global services exempt)`,
        statements: regionAllowList({ allowedRegions: args.allowedRegions, globalServiceActions: args.globalServiceActions }),
        targets: { root: args.rootId },
      },
      "deny-iam-users": {
        description: "Deny creating IAM users, access keys and login profiles",
        statements: denyIamUsers(args.iamUserExceptionAccountIds ?? []),
        targets: { root: args.rootId },
      },
      "consumer-rekognition-lockout": {
        description: "Consumer accounts cannot create, delete, start or stop Rekognition projects and versions",
        statements: consumerRekognitionLockout(),
        targets: Object.fromEntries(args.consumerOuKeys.map((k) => [k, args.organizationalUnitIds[k]])),
      },
    };

    const perTarget: Record<string, string[]> = {};
    for (const [key, d] of Object.entries(definitions)) {
      for (const t of Object.keys(d.targets)) (perTarget[t] ??= []).push(`${prefix}-${key}`);
    }
    assertAttachmentQuota(perTarget);
    const rcpPerTarget: Record<string, string[]> = {};
    for (const [key, d] of Object.entries(rcpDefinitions)) {
      for (const t of Object.keys(d.targets)) (rcpPerTarget[t] ??= []).push(`${prefix}-${key}`);
    }
    assertAttachmentQuota(rcpPerTarget, "RCP");

    const declare = (kind: OrganizationPolicyKind, defs: typeof definitions) =>
      Object.fromEntries(Object.entries(defs).map(([key, d]) => [key, new OrganizationPolicy(`${name}-${key}`, {
        kind,
        policyName: `${prefix}-${key}`,
        description: d.description,
        statements: d.statements,
        targetIds: d.targets,
        sizeQuota: quota,
        tags: args.tags,
      }, { parent: this })]));
    this.policies = declare("scp", definitions);
    this.resourcePolicies = declare("rcp", rcpDefinitions);

    const summarize = (
      policyType: GuardrailSummary["policyType"],
      policies: Record<string, OrganizationPolicy>,
      defs: Record<string, { statements: PolicyStatement<pulumi.Input<string>>[] }>,
    ) => Object.entries(policies).map(([key, p]) =>
      pulumi.all([p.policyId, p.size, p.targets]).apply(([policyId, size, targets]): [string, GuardrailSummary] => [key, {
        policyName: `${prefix}-${key}`,
        policyType,
        policyId,
        size,
        targets,
        statements: defs[key].statements.map((s) => s.Sid ?? ""),
      }]));
    const entries = [
      ...summarize("SERVICE_CONTROL_POLICY", this.policies, definitions),
      ...summarize("RESOURCE_CONTROL_POLICY", this.resourcePolicies, rcpDefinitions),
    ];
    this.summary = pulumi.all(entries).apply((list) => Object.fromEntries(list));
    this.registerOutputs({ policies: this.policies, resourcePolicies: this.resourcePolicies, summary: this.summary });
  }
}

function baselineDescription(buckets: boolean, key: boolean): string {
  const base = "Deny leaving the organization and the member root user; protect CloudTrail, Config";
  if (buckets && key) return `${base}, Access Analyzer, the audit-log buckets and their KMS key`;
  if (buckets) return `${base}, Access Analyzer and the audit-log bucket`;
  if (key) return `${base}, Access Analyzer and the audit-log KMS key`;
  return `${base} and Access Analyzer`;
}
