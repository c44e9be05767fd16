import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import { SecureBucket } from "../storage/secure-bucket";

/** Alias of the audit-log key in the lakehouse account (predictable, so the trail can name it). */
export const DEFAULT_AUDIT_LOG_KEY_ALIAS = "alias/mlz-audit-logs";

/** `arn:<partition>:kms:<region>:<account>:<alias>`: what the organization trail passes as its KMS key. */
export function auditLogKeyAliasArn(region: string, lakehouseAccountId: string, alias = DEFAULT_AUDIT_LOG_KEY_ALIAS, partition = "aws"): string {
  return `arn:${partition}:kms:${region}:${lakehouseAccountId}:${alias}`;
}

export interface AuditLogBucketArgs {
  /** Physical bucket name (predictable, so the management stack can point the trail at it). */
  readonly bucketName: pulumi.Input<string>;
  /** Organization id (`o-…`): CloudTrail writes organization logs under `AWSLogs/<orgId>/`. */
  readonly organizationId: pulumi.Input<string>;
  /** Management account id: CloudTrail writes the trail owner's own logs under `AWSLogs/<id>/`. */
  readonly managementAccountId: pulumi.Input<string>;
  /** ARN of the organization trail, the only source allowed to write (`aws:SourceArn`). */
  readonly trailArn: pulumi.Input<string>;
  /** Id of the account holding the bucket (administers the key). */
  readonly accountId: pulumi.Input<string>;
  /**
   * Existing KMS key ARN for the bucket and the trail. Defaults to a new customer-managed key (with
   * rotation, alias `keyAlias`) whose policy lets this trail encrypt.
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Alias of the created key. Defaults to `alias/mlz-audit-logs`. */
  readonly keyAlias?: string;
  /** Object Lock retention (GOVERNANCE) in days. Defaults to 365. */
  readonly objectLockDays?: number;
  /** AWS partition. Defaults to `aws`. */
  readonly partition?: string;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/** Object actions that would erase logs; denied to every principal by the bucket policy. */
export const AUDIT_LOG_DENIED_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"];

/** The CloudTrail delivery statements and the deny-erase statement of the audit-log bucket policy. */
export function auditLogBucketStatements(args: {
  bucketArn: pulumi.Input<string>;
  organizationId: pulumi.Input<string>;
  managementAccountId: pulumi.Input<string>;
  trailArn: pulumi.Input<string>;
}): PolicyStatement<pulumi.Input<string>>[] {
  const write = (sid: string, prefix: pulumi.Input<string>): PolicyStatement<pulumi.Input<string>> => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: "cloudtrail.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: pulumi.interpolate`${args.bucketArn}/AWSLogs/${prefix}/*`,
    Condition: {
      StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": args.trailArn },
    },
  });
  return [
    {
      Sid: "AWSCloudTrailAclCheck",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: args.bucketArn,
      Condition: { StringEquals: { "aws:SourceArn": args.trailArn } },
    },
    write("AWSCloudTrailWriteOrganization", args.organizationId),
    write("AWSCloudTrailWriteManagementAccount", args.managementAccountId),
    {
      Sid: "DenyLogErasure",
      Effect: "Deny",
      Principal: "*",
      Action: [...AUDIT_LOG_DENIED_ACTIONS],
      Resource: pulumi.interpolate`${args.bucketArn}/*`,
    },
  ];
}

/**
 * The organization trail's log bucket in the lakehouse account: a SecureBucket (SSE-KMS, versioned,
 * public access blocked, TLS only) with Object Lock, a policy that lets only the organization
 * trail write (under `AWSLogs/<orgId>/` and `AWSLogs/<managementAccountId>/`, bucket-owner-full-control)
 * and denies deleting objects or versions to everyone, and a customer-managed key CloudTrail may use.
 */
export class AuditLogBucket extends pulumi.ComponentResource {
  public readonly bucket: SecureBucket;
  public readonly key: aws.kms.Key | undefined;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** Key the bucket and the trail encrypt with. */
  public readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: AuditLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:AuditLogBucket", name, {}, opts);
    const partition = args.partition ?? "aws";
    const lockDays = args.objectLockDays ?? 365;
    if (!Number.isInteger(lockDays) || lockDays < 1 || lockDays > 36500) {
      throw new Error(`[objectLockDays] must be a whole number of days from 1 to 36500; got ${lockDays}`);
    }
    const alias = args.keyAlias ?? DEFAULT_AUDIT_LOG_KEY_ALIAS;
    if (!/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(alias) || alias.startsWith("alias/aws/")) {
      throw new Error(`[keyAlias] must be 'alias/<name>' (letters, digits, '/', '_', '-'; not under alias/aws/); got '${alias}'`);
    }
    if (typeof args.bucketName === "string" && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketName)) {
      throw new Error(`[bucketName] must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-'); got '${args.bucketName}'`);
    }

    let kmsKeyArn: pulumi.Output<string>;
    if (args.kmsKeyArn !== undefined) {
      this.key = undefined;
      kmsKeyArn = pulumi.output(args.kmsKeyArn);
    } else {
      this.key = new aws.kms.Key(`${name}-key`, {
        description: "Encrypts the organization CloudTrail logs",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: policyJson(policyDocument<pulumi.Input<string>>([
          {
            Sid: "AccountAdministers",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${args.accountId}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "CloudTrailEncrypts",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:GenerateDataKey*",
            Resource: "*",
            Condition: {
              StringEquals: { "aws:SourceArn": args.trailArn },
              StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:${partition}:cloudtrail:*:${args.managementAccountId}:trail/*` },
            },
          },
          {
            Sid: "CloudTrailDescribesKey",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:DescribeKey",
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": args.trailArn } },
          },
        ])),
        tags: args.tags,
      }, { parent: this });
      new aws.kms.Alias(`${name}-key-alias`, { name: alias, targetKeyId: this.key.keyId }, { parent: this });
      kmsKeyArn = this.key.arn;
    }

    const bucketArn = pulumi.interpolate`arn:${partition}:s3:::${args.bucketName}`;
    this.bucket = new SecureBucket(`${name}-logs`, {
      bucketName: args.bucketName,
      versioning: true,
      kmsKeyArn,
      objectLockDays: lockDays,
      forceDestroy: false,
      policyStatements: auditLogBucketStatements({
        bucketArn,
        organizationId: args.organizationId,
        managementAccountId: args.managementAccountId,
        trailArn: args.trailArn,
      }),
      tags: args.tags,
    }, { parent: this });

    this.bucketName = this.bucket.bucketName;
    this.bucketArn = this.bucket.arn;
    this.kmsKeyArn = kmsKeyArn;
    this.registerOutputs({
      bucket: this.bucket,
      key: this.key,
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
