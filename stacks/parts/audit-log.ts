/**
 * Lakehouse stack: the organization trail's audit-log bucket (and its KMS key). The bucket name and
 * the trail ARN are predictable, so neither stack needs the other's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { region } from "../fields";
import type { StackContext } from "../context";
import { AuditLogBucket } from "../../components/organization/audit-log-bucket";
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
    /** Object Lock retention in days (GOVERNANCE). Defaults to 365. */
    objectLockDays: z.number().int().min(1).max(36500).default(365),
    /** Existing KMS key ARN. Defaults to a new key with alias alias/mlz-audit-logs. */
    kmsKeyArn: z.string().optional(),
  }).prefault({}),
});

export type AuditLogConfig = z.infer<typeof auditLogConfigSchema>;

export interface AuditLogOutputs {
  auditLogBucketName: pulumi.Output<string>;
  auditLogBucketArn: pulumi.Output<string>;
  auditLogKmsKeyArn: pulumi.Output<string>;
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
    partition: ctx.partition,
  }, { provider: ctx.provider });
  return {
    auditLogBucketName: bucket.bucketName,
    auditLogBucketArn: bucket.bucketArn,
    auditLogKmsKeyArn: bucket.kmsKeyArn,
    organizationTrailArn: trail,
  };
}
