/**
 * Management stack: the organization's guardrails (SCPs) and detection (org-wide IAM Access
 * Analyzer, the organization CloudTrail trail delivering to the lakehouse audit-log bucket, AWS
 * Config organization rules, and the configuration recorders those rules need in every account).
 */
import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import { z } from "zod";
import { accountId, kebabName, region } from "../fields";
import type { StackContext } from "../context";
import { ORGANIZATION_ACCESS_ROLE_NAME } from "../../components/naming";
import { KMS_ALIAS_ARN, KMS_KEY_ARN } from "../../components/aws";
import { GuardrailSet, type GuardrailSummary } from "../../components/organization/guardrail-set";
import { OrganizationAccessAnalyzers } from "../../components/organization/access-analyzers";
import { OrganizationTrail, DEFAULT_ORGANIZATION_TRAIL_NAME, auditLogBucketName } from "../../components/organization/organization-trail";
import { OrganizationConfigRules } from "../../components/organization/config-rules";
import { DEFAULT_AUDIT_LOG_KEY_ALIAS } from "../../components/organization/audit-log-bucket";
import { ConfigRecorder, configLogBucketName } from "../../components/organization/config-recorder";
import { DEFAULT_SCP_SIZE_QUOTA } from "../../components/organization/policy-grammar";


/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.management.yaml`). */
export const guardrailsConfigSchema = z.object({
  /** Guardrails and detection. Every field has a default, so the key may be omitted. */
  guardrails: z.strictObject({
    /** Regions where requests are allowed (global services excepted). Defaults to the stack's region. */
    allowedRegions: z.array(region).min(1, { error: "expected at least one region" })
      .refine((rs) => new Set(rs).size === rs.length, { error: (i) => `expected each region once; got ${(i.input as string[]).join(", ")}` })
      .optional(),
    /** Account keys of the consumer accounts; their OUs get the Rekognition lockout. Defaults to qa, prod. */
    consumerAccounts: z.array(kebabName("an account key")).min(1).default(["qa", "prod"]),
    /** 12-digit ids of accounts where IAM users and access keys may still be created. Defaults to none. */
    iamUserExceptionAccountIds: z.array(accountId).default([]),
    /** Size quota of each SCP in characters (minified). Defaults to 5120, the AWS quota. */
    scpSizeQuota: z.number().int().min(1).default(DEFAULT_SCP_SIZE_QUOTA),
    /**
     * Add `ProtectAuditLogBucket` and `ProtectAuditLogKey`/`ProtectAuditLogKeyAlias` to the baseline
     * SCP: outside OrganizationAccountAccessRole (break glass, assumed from the management account),
     * no one may change the audit-log and Config buckets' Object Lock, lifecycle or default
     * encryption, replace or delete their policies, delete them, or bypass governance retention;
     * nor schedule the deletion of, disable or change the key policy of the audit-log KMS key
     * (organizationTrail.kmsKeyArn; none when "none"), nor delete or re-point its alias. Defaults to
     * true. Creating the buckets needs s3:PutBucketObjectLockConfiguration, s3:PutBucketPolicy and
     * s3:PutEncryptionConfiguration, so set false for the first deployment (with
     * organizationTrail.enabled false), before the lakehouse stack has created the buckets. Once
     * true, the lakehouse deploy role can no longer update those bucket policies, their encryption
     * or the key policy: such changes go through OrganizationAccountAccessRole (or a deployment
     * with this key set false).
     */
    protectAuditLogBuckets: z.boolean().default(true),
    /**
     * Attach the `mlz-enforce-org-identities` resource control policy to the organization root: no
     * principal outside the organization may sts:AssumeRole into a member account, whatever a
     * role's trust policy says (AWS service principals and GitHub OIDC web-identity federation are
     * unaffected; management-account resources are never subject to RCPs). Defaults to true.
     */
    enforceOrgIdentities: z.boolean().default(true),
    /** IAM Access Analyzer: days after which access counts as unused (1–365). Defaults to 90. */
    unusedAccessAgeDays: z.number().int().min(1).max(365).default(90),
    /** The organization trail. */
    organizationTrail: z.strictObject({
      /**
       * Declare the trail. Defaults to true. Set false for the first deployment, before the lakehouse
       * stack has created the audit-log bucket (CloudTrail checks the bucket policy at creation).
       */
      enabled: z.boolean().default(true),
      /** Trail name (the lakehouse's `auditLog.trailName` must match). Defaults to mlz-organization-trail. */
      name: z.string().default(DEFAULT_ORGANIZATION_TRAIL_NAME),
      /** Audit-log bucket. Defaults to mlz-audit-logs-<lakehouse account id>. */
      bucketName: z.string().optional(),
      /** Region of the lakehouse stack (where the bucket and its key live). Defaults to this stack's region. */
      bucketRegion: region.optional(),
      /**
       * KMS key of the log files: the key ARN (the lakehouse stack's output `auditLogKmsKeyArn`),
       * or "none" for the bucket's default encryption. Not an alias ARN: CloudTrail reports the key
       * ARN back, so an alias would show a change on every run. Required while `enabled`.
       */
      kmsKeyArn: z.string().refine((v) => v === "none" || KMS_KEY_ARN.test(v), {
        error: (i) => `expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>, the lakehouse stack's output auditLogKmsKeyArn) or "none"; ${KMS_ALIAS_ARN.test(String(i.input)) ? "an alias ARN is reported back by CloudTrail as the key ARN (a change on every run)" : "got"} '${String(i.input)}'`,
      }).optional(),
    }).prefault({}).superRefine((t, ctx) => {
      if (t.enabled && t.kmsKeyArn === undefined) {
        ctx.addIssue({ code: "custom", path: ["kmsKeyArn"], message: "is required while the trail is enabled: the audit-log key ARN (the lakehouse stack's output auditLogKmsKeyArn) or \"none\"" });
      }
    }),
    /** AWS Config configuration recorders (one per account, created through OrganizationAccountAccessRole). */
    configRecorders: z.strictObject({
      /**
       * Declare the recorders. Defaults to true. Set false (with configRules.enabled false) for the
       * first deployment, before the lakehouse stack has created the Config bucket: AWS Config
       * checks the bucket when the delivery channel is created.
       */
      enabled: z.boolean().default(true),
      /** Config delivery bucket in the lakehouse account (auditLog.configBucketName must match). Defaults to mlz-config-logs-<lakehouse account id>. */
      bucketName: z.string().optional(),
      /** Region whose recorders record global resource types (IAM). Defaults to this stack's region. */
      homeRegion: region.optional(),
      /**
       * Account keys where AWS Config's service-linked role already exists (IAM refuses to create
       * it twice); their recorders use the existing role. Defaults to none.
       */
      existingServiceLinkedRole: z.array(kebabName("an account key")).default([]),
    }).prefault({}),
    /** AWS Config organization rules. */
    configRules: z.strictObject({
      /** Declare the rules. Defaults to true (every evaluated account needs a configuration recorder: see declareConfigRecorders). */
      enabled: z.boolean().default(true),
      /** Account keys the rules skip; they get no configuration recorder either. Defaults to none. */
      excludedAccounts: z.array(kebabName("an account key")).default([]),
    }).prefault({}),
  }).prefault({}),
});

export type GuardrailsConfig = z.infer<typeof guardrailsConfigSchema>;

/** What the management program receives from the organization component. */
export interface OrganizationFacts {
  organizationId: pulumi.Output<string>;
  rootId: pulumi.Output<string>;
  organizationalUnitIds: Record<string, pulumi.Output<string>>;
  /** Account key → OU key. */
  accountOus: Record<string, string>;
  accountIds: Record<string, pulumi.Output<string>>;
  /**
   * The resource that enables the organization's trusted service access (the organization, whose
   * `awsServiceAccessPrincipals` include access-analyzer.amazonaws.com): organization analyzers
   * fail until it exists, so they depend on it. Defaults to none (the organization already exists).
   */
  trustedAccess?: pulumi.Resource;
  /**
   * Roles the management stack bootstraps member accounts through (each account's
   * `bootstrapRoleName`): the SCPs' Config and audit-log exemptions name them. Defaults to
   * OrganizationAccountAccessRole only.
   */
  bootstrapRoleNames?: string[];
}

export interface GuardrailsOutputs {
  /** Each SCP and RCP: name, type, id, minified size, attachments (target key → id), statement ids. */
  guardrails: pulumi.Output<Record<string, GuardrailSummary>>;
  accessAnalyzerArns: { externalAccess: pulumi.Output<string>; unusedAccess: pulumi.Output<string> };
  /** Undefined when `organizationTrail.enabled` is false. */
  organizationTrailArn: pulumi.Output<string> | undefined;
  auditLogBucketName: pulumi.Output<string>;
  /** Config rule names by key; undefined when `configRules.enabled` is false. */
  configRuleNames: pulumi.Output<Record<string, string>> | undefined;
}

/**
 * The guardrails' checks against the organization's member accounts (`accountOus`: account key →
 * OU key, from `ml-landing-zone:accounts`), run by the management stack's schema
 * (stacks/config.ts) so they are reported as config errors with file and key before any resource
 * is declared: `consumerAccounts`, `configRecorders.existingServiceLinkedRole` (or `management`)
 * and `configRules.excludedAccounts` name member accounts, and no OU that gets the Rekognition
 * lockout also holds an account that is not a consumer.
 */
export function refineGuardrailsConfig(
  g: GuardrailsConfig["guardrails"],
  accountOus: Record<string, string>,
  ctx: z.RefinementCtx,
): void {
  const known = Object.keys(accountOus).join(", ");
  const keysOf = (keys: readonly string[], path: string[], extra: readonly string[] = []) => keys.forEach((key, i) => {
    if (!(key in accountOus) && !extra.includes(key)) {
      ctx.addIssue({ code: "custom", path: ["guardrails", ...path, i], message: `expected account keys of the organization (${[...extra, known].filter(Boolean).join(", ")}); got '${key}'` });
    }
  });
  keysOf(g.consumerAccounts, ["consumerAccounts"]);
  keysOf(g.configRecorders.existingServiceLinkedRole, ["configRecorders", "existingServiceLinkedRole"], ["management"]);
  keysOf(g.configRules.excludedAccounts, ["configRules", "excludedAccounts"]);
  const lockedOus = consumerOuKeys(g.consumerAccounts, accountOus);
  for (const [account, ou] of Object.entries(accountOus)) {
    if (lockedOus.includes(ou) && !g.consumerAccounts.includes(account)) {
      ctx.addIssue({ code: "custom", path: ["guardrails", "consumerAccounts"], message: `OU '${ou}' would get the Rekognition lockout, but it also holds account '${account}', which is not a consumer; move it to another OU or list it` });
    }
  }
}

/** OU keys holding the consumer accounts (the schema has checked them: `refineGuardrailsConfig`). */
export function consumerOuKeys(consumerAccounts: readonly string[], accountOus: Record<string, string>): string[] {
  const keys: string[] = [];
  for (const account of consumerAccounts) {
    const ou = accountOus[account];
    if (ou !== undefined && !keys.includes(ou)) keys.push(ou);
  }
  return keys;
}

/** The id of a member account the schema has checked; an unknown key is a program error. */
function accountIdOf(org: OrganizationFacts, key: string): pulumi.Output<string> {
  const id = org.accountIds[key];
  if (id === undefined) {
    throw new Error(`guardrails: no member account '${key}' in the organization (${Object.keys(org.accountIds).join(", ")})`);
  }
  return id;
}

/** Name of the lakehouse Config delivery bucket the recorders write to. */
function configBucketNameOf(g: GuardrailsConfig["guardrails"], org: OrganizationFacts): pulumi.Output<string> {
  return g.configRecorders.bucketName !== undefined
    ? pulumi.output(g.configRecorders.bucketName)
    : accountIdOf(org, "lakehouse").apply(configLogBucketName);
}

/**
 * The audit-log KMS key the baseline SCP protects, from `organizationTrail.kmsKeyArn`: by default
 * the lakehouse account's `alias/mlz-audit-logs`; an alias ARN names its account and alias; a key
 * ARN names the key exactly; "none" (the bucket's default encryption) protects no key.
 */
export function auditLogKeyOf(
  kmsKeyArn: string | undefined,
  lakehouseAccountId: pulumi.Input<string>,
): { accountId: pulumi.Input<string>; alias: string } | { keyArn: string } | undefined {
  if (kmsKeyArn === undefined) return { accountId: lakehouseAccountId, alias: DEFAULT_AUDIT_LOG_KEY_ALIAS };
  if (kmsKeyArn === "none") return undefined;
  const alias = KMS_ALIAS_ARN.exec(kmsKeyArn);
  if (alias) return { accountId: alias[3], alias: alias[4] };
  if (KMS_KEY_ARN.test(kmsKeyArn)) return { keyArn: kmsKeyArn };
  throw new Error(`ml-landing-zone:guardrails.organizationTrail.kmsKeyArn: expected a KMS key ARN, a KMS alias ARN or "none"; got '${kmsKeyArn}'`);
}

/**
 * One ConfigRecorder per account: the management account (through the stack's provider) and each
 * member account in `accountProviders` (providers assuming OrganizationAccountAccessRole, the only
 * role ProtectConfig exempts), except `configRules.excludedAccounts`; none when
 * `configRecorders.enabled` is false. Pass the result to
 * `declareGuardrails` so the organization rules wait for the recorders.
 */
export function declareConfigRecorders(
  ctx: StackContext,
  cfg: GuardrailsConfig,
  org: OrganizationFacts,
  accountProviders: Record<string, aws.Provider>,
): Record<string, ConfigRecorder> {
  const g = cfg.guardrails;
  if (!g.configRecorders.enabled) return {};
  const s3BucketName = configBucketNameOf(g, org);
  const homeRegion = g.configRecorders.homeRegion ?? ctx.region;
  const targets: Record<string, { accountId: pulumi.Input<string>; provider: aws.Provider }> = {
    management: { accountId: ctx.accountId, provider: ctx.provider },
  };
  for (const [key, provider] of Object.entries(accountProviders)) {
    if (key === "management") throw new Error("declareConfigRecorders: the management account's recorder uses the stack's provider; do not pass it in accountProviders");
    targets[key] = { accountId: accountIdOf(org, key), provider };
  }
  const recorders: Record<string, ConfigRecorder> = {};
  for (const key of Object.keys(targets).sort()) {
    if (g.configRules.excludedAccounts.includes(key)) continue;
    recorders[key] = new ConfigRecorder(`config-recorder-${key}`, {
      accountId: targets[key].accountId,
      s3BucketName,
      includeGlobalResourceTypes: ctx.region === homeRegion,
      createServiceLinkedRole: !g.configRecorders.existingServiceLinkedRole.includes(key),
      partition: ctx.partition,
    }, { provider: targets[key].provider });
  }
  return recorders;
}

/**
 * The guardrails, analyzers, trail and Config rules. `configRecorders` (from
 * `declareConfigRecorders`) are resources the organization rules wait for.
 */
export function declareGuardrails(
  ctx: StackContext,
  cfg: GuardrailsConfig,
  org: OrganizationFacts,
  configRecorders: Record<string, ConfigRecorder> = {},
): GuardrailsOutputs {
  const g = cfg.guardrails;
  const opts = { provider: ctx.provider };

  const lakehouseId = accountIdOf(org, "lakehouse");
  const bucketName = g.organizationTrail.bucketName !== undefined
    ? pulumi.output(g.organizationTrail.bucketName)
    : lakehouseId.apply(auditLogBucketName);

  const guardrails = new GuardrailSet("guardrails", {
    rootId: org.rootId,
    organizationId: org.organizationId,
    enforceOrgIdentities: g.enforceOrgIdentities,
    organizationalUnitIds: org.organizationalUnitIds,
    consumerOuKeys: consumerOuKeys(g.consumerAccounts, org.accountOus),
    allowedRegions: g.allowedRegions ?? [ctx.region],
    iamUserExceptionAccountIds: g.iamUserExceptionAccountIds,
    sizeQuota: g.scpSizeQuota,
    configExemptRoleNames: org.bootstrapRoleNames ?? [ORGANIZATION_ACCESS_ROLE_NAME],
    auditLogBucketNames: g.protectAuditLogBuckets ? [bucketName, configBucketNameOf(g, org)] : undefined,
    auditLogKey: g.protectAuditLogBuckets ? auditLogKeyOf(g.organizationTrail.kmsKeyArn, lakehouseId) : undefined,
    auditLogBreakGlassRoleNames: org.bootstrapRoleNames ?? [ORGANIZATION_ACCESS_ROLE_NAME],
    partition: ctx.partition,
  }, opts);

  // CreateAnalyzer of type ORGANIZATION* fails until trusted access for access-analyzer.amazonaws.com
  // is enabled (the organization's service access principals): wait for it.
  const analyzers = new OrganizationAccessAnalyzers("access-analyzers", {
    unusedAccessAgeDays: g.unusedAccessAgeDays,
    trustedAccess: org.trustedAccess ? [org.trustedAccess] : [],
  }, opts);

  let organizationTrailArn: pulumi.Output<string> | undefined;
  if (g.organizationTrail.enabled) {
    // The schema requires the key ARN or "none" while the trail is enabled.
    const configured = g.organizationTrail.kmsKeyArn;
    const kmsKeyArn = configured === "none" ? undefined : configured;
    const trail = new OrganizationTrail("organization-trail", {
      trailName: g.organizationTrail.name,
      s3BucketName: bucketName,
      kmsKeyArn,
    }, opts);
    organizationTrailArn = trail.arn;
  }

  let configRuleNames: pulumi.Output<Record<string, string>> | undefined;
  if (g.configRules.enabled) {
    const rules = new OrganizationConfigRules("config-rules", {
      excludedAccountIds: g.configRules.excludedAccounts.map((k) => accountIdOf(org, k)),
      recorders: Object.values(configRecorders),
    }, opts);
    configRuleNames = rules.ruleNames;
  }

  return {
    guardrails: guardrails.summary,
    accessAnalyzerArns: { externalAccess: analyzers.externalAccessArn, unusedAccess: analyzers.unusedAccessArn },
    organizationTrailArn,
    auditLogBucketName: bucketName,
    configRuleNames,
  };
}
