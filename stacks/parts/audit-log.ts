/**
 * Lakehouse stack: the organization trail's audit-log bucket (and its KMS key), and the bucket every
 * account's AWS Config delivery channel writes to. Bucket names and the trail ARN are predictable,
 * so neither stack needs the other's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { kebabName, region } from "../fields";
import type { StackContext } from "../context";
import { AuditLogBucket } from "../../components/organization/audit-log-bucket";
import { configLogBucketName } from "../../components/organization/config-recorder";
import { DEFAULT_ORGANIZATION_TRAIL_NAME, auditLogBucketName, trailArn } from "../../components/organization/organization-trail";

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.lakehouse.yaml`). */
export const auditLogConfigSchema = z.object({
  /** The audit-log bucket. Every field has a default, so the key may be omitted. */
  auditLog: z.strictObject({
    /** Bucket name (the management stack's `guardrails.organizationTrail.bucketName` must match). Defaults to mlz-audit-logs-<this account id>. */
    bucketName: z.string().optional(),
    /** Name of the organization trail allowed to write. Defaults to mlz-organization-trail. */
    trailName: z.string().default(DEFAULT_ORGANIZATION_TRAIL_NAME),
    /** Region of the management stack (the trail's home region). Defaults to this stack's region. */
    trailRegion: region.optional(),
    /** Object Lock default retention in days. Defaults to 365. */
    objectLockDays: z.number().int().min(1).max(36500).default(365),
    /**
     * Object Lock default retention mode. Defaults to COMPLIANCE: a log object version cannot be
     * deleted or overwritten, and its retention cannot be shortened, by anyone (the root user
     * included) until `objectLockDays` have passed. Irreversible per object version for its
     * retention period: deliberate, so a compromised pipeline cannot erase the trail. GOVERNANCE
     * lets a principal with s3:BypassGovernanceRetention delete locked versions.
     */
    objectLockMode: z.enum(["COMPLIANCE", "GOVERNANCE"]).default("COMPLIANCE"),
    /**
     * AWS Config delivery bucket (no Object Lock: AWS Config does not deliver to Object Lock buckets).
     * The management stack's guardrails.configRecorders.bucketName must match. Defaults to
     * mlz-config-logs-<this account id>.
     */
    configBucketName: z.string().optional(),
    /** Account keys whose AWS Config may deliver to that bucket. Defaults to every account of the example organization. */
    configSourceAccounts: z.array(kebabName("an account key")).min(1)
      .refine((ks) => new Set(ks).size === ks.length, { error: (i) => `expected each account once; got ${(i.input as string[]).join(", ")}` })
      .default(["management", "cicd", "lakehouse", "ml", "qa", "prod"]),
    /** Existing KMS key ARN. Defaults to a new key with alias alias/mlz-audit-logs. */
    kmsKeyArn: z.string().optional(),
  }).prefault({}),
});

export type AuditLogConfig = z.infer<typeof auditLogConfigSchema>;

export interface AuditLogOutputs {
  auditLogBucketName: pulumi.Output<string>;
  auditLogBucketArn: pulumi.Output<string>;
  auditLogKmsKeyArn: pulumi.Output<string>;
  /** Bucket of the AWS Config delivery channels. */
  configLogBucketName: pulumi.Output<string>;
  /** The trail the bucket accepts logs from. */
  organizationTrailArn: pulumi.Output<string>;
}

export function declareAuditLog(ctx: StackContext, cfg: AuditLogConfig): AuditLogOutputs {
  const c = cfg.auditLog;
  const managementAccountId = ctx.accountIds.apply((ids) => {
    const id = ids?.management;
    if (!id) throw new Error(`${ctx.stack}: the management stack exports no 'management' account id; the audit-log bucket must trust the management account's trail`);
    return id;
  });
  const trail = managementAccountId.apply((id) => trailArn(c.trailRegion ?? ctx.region, id, c.trailName, ctx.partition));
  const bucket = new AuditLogBucket("audit-log", {
    bucketName: c.bucketName ?? ctx.accountId.apply(auditLogBucketName),
    organizationId: ctx.organizationId,
    managementAccountId,
    trailArn: trail,
    accountId: ctx.accountId,
    kmsKeyArn: c.kmsKeyArn,
    objectLockDays: c.objectLockDays,
    objectLockMode: c.objectLockMode,
    configBucketName: c.configBucketName ?? ctx.accountId.apply(configLogBucketName),
    configSourceAccountIds: c.configSourceAccounts.map((key) => ctx.accountIds.apply((ids) => {
      const id = ids?.[key];
      if (!id) throw new Error(`ml-landing-zone:auditLog.configSourceAccounts: expected account keys of the organization (${Object.keys(ids ?? {}).join(", ")}); got '${key}'`);
      return id;
    })),
    partition: ctx.partition,
  }, { provider: ctx.provider });
  return {
    auditLogBucketName: bucket.bucketName,
    auditLogBucketArn: bucket.bucketArn,
    auditLogKmsKeyArn: bucket.kmsKeyArn,
    configLogBucketName: bucket.configBucketName!,
    organizationTrailArn: trail,
  };
}
