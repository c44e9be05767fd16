import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import { SecureBucket } from "../storage/secure-bucket";
import { accountRootArn, arn, isAccountId, s3Arn } from "../aws";

/** Alias of the audit-log key in the lakehouse account (predictable, so the trail can name it). */
export const DEFAULT_AUDIT_LOG_KEY_ALIAS = "alias/mlz-audit-logs";

/** `arn:<partition>:kms:<region>:<account>:<alias>`: what the organization trail passes as its KMS key. */
export function auditLogKeyAliasArn(region: string, lakehouseAccountId: string, alias = DEFAULT_AUDIT_LOG_KEY_ALIAS, partition = "aws"): string {
  return arn(partition, "kms", region, lakehouseAccountId, alias);
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
  /** Object Lock default retention in days. Defaults to 365. */
  readonly objectLockDays?: number;
  /**
   * Object Lock default retention mode. Defaults to `COMPLIANCE`: no one, the account root user
   * included, can delete or overwrite a log object version, shorten its retention or switch it to
   * GOVERNANCE until its retention period (`objectLockDays`) ends. The choice is irreversible per
   * object version; changing the default later affects only new objects. `GOVERNANCE` lets a
   * principal with `s3:BypassGovernanceRetention` remove locked versions.
   */
  readonly objectLockMode?: ObjectLockMode;
  /**
   * Name of a second bucket for AWS Config delivery channels. AWS Config does not support delivery
   * to a bucket with Object Lock enabled (AWS::Config::DeliveryChannel, CloudFormation reference),
   * so the Config logs get their own bucket: versioned, SSE-KMS with the same key, no Object Lock,
   * deletion of objects denied to everyone. Defaults to none (no Config bucket).
   */
  readonly configBucketName?: pulumi.Input<string>;
  /**
   * Accounts whose AWS Config may deliver to the Config bucket (each under
   * `config/AWSLogs/<account>/Config/`). Required with `configBucketName`.
   */
  readonly configSourceAccountIds?: pulumi.Input<string>[];
  /** AWS partition. Defaults to `aws`. */
  readonly partition?: string;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/** Object Lock default retention modes. */
export type ObjectLockMode = "COMPLIANCE" | "GOVERNANCE";

/** Key prefix of the AWS Config delivery channels in the Config bucket. */
export const CONFIG_LOG_PREFIX = "config";

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

/** Object actions that would erase Config logs; denied to every principal by the Config bucket policy. */
export const CONFIG_LOG_DENIED_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion"];

/**
 * The AWS Config delivery statements of the Config bucket policy, as the AWS Config Developer Guide
 * documents them for delivery by the service principal ("Permissions for the Amazon S3 Bucket for
 * the AWS Config Delivery Channel": AWSConfigBucketPermissionsCheck, AWSConfigBucketExistenceCheck,
 * AWSConfigBucketDelivery with `s3:x-amz-acl = bucket-owner-full-control`, each restricted by
 * `AWS:SourceAccount`), for the organization's accounts, plus a deny of object deletion.
 */
export function configLogBucketStatements(args: {
  bucketArn: pulumi.Input<string>;
  sourceAccountIds: pulumi.Input<string>[];
  prefix?: string;
}): PolicyStatement<pulumi.Input<string>>[] {
  const prefix = args.prefix ?? CONFIG_LOG_PREFIX;
  const sourceAccounts = { "aws:SourceAccount": [...args.sourceAccountIds] };
  return [
    {
      Sid: "AWSConfigBucketPermissionsCheck",
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: args.bucketArn,
      Condition: { StringEquals: sourceAccounts },
    },
    {
      Sid: "AWSConfigBucketExistenceCheck",
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: "s3:ListBucket",
      Resource: args.bucketArn,
      Condition: { StringEquals: sourceAccounts },
    },
    {
      Sid: "AWSConfigBucketDelivery",
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: args.sourceAccountIds.map((id) => pulumi.interpolate`${args.bucketArn}/${prefix}/AWSLogs/${id}/Config/*`),
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", ...sourceAccounts } },
    },
    {
      Sid: "DenyConfigLogErasure",
      Effect: "Deny",
      Principal: "*",
      Action: [...CONFIG_LOG_DENIED_ACTIONS],
      Resource: pulumi.interpolate`${args.bucketArn}/*`,
    },
  ];
}

/**
 * Checks `AuditLogBucket`'s args (pure: no resources; names and ids given as Outputs are not
 * checked) and applies their defaults; throws naming the argument and the rule.
 */
export function validateAuditLogBucketArgs(args: AuditLogBucketArgs): {
  partition: string;
  lockDays: number;
  alias: string;
  lockMode: "COMPLIANCE" | "GOVERNANCE";
  configSources: pulumi.Input<string>[];
} {
  const partition = args.partition ?? "aws";
  const lockDays = args.objectLockDays ?? 365;
  if (!Number.isInteger(lockDays) || lockDays < 1 || lockDays > 36500) {
    throw new Error(`[objectLockDays] must be a whole number of days from 1 to 36500; got ${lockDays}`);
  }
  const alias = args.keyAlias ?? DEFAULT_AUDIT_LOG_KEY_ALIAS;
  if (!/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(alias) || alias.startsWith("alias/aws/")) {
    throw new Error(`[keyAlias] must be 'alias/<name>' (letters, digits, '/', '_', '-'; not under alias/aws/); got '${alias}'`);
  }
  for (const [arg, value] of [["bucketName", args.bucketName], ["configBucketName", args.configBucketName]] as const) {
    if (typeof value === "string" && !BUCKET_NAME.test(value)) {
      throw new Error(`[${arg}] must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-'); got '${value}'`);
    }
  }
  const lockMode = args.objectLockMode ?? "COMPLIANCE";
  if (lockMode !== "COMPLIANCE" && lockMode !== "GOVERNANCE") {
    throw new Error(`[objectLockMode] must be 'COMPLIANCE' or 'GOVERNANCE'; got '${String(lockMode)}'`);
  }
  const configSources = args.configSourceAccountIds ?? [];
  if (args.configBucketName !== undefined) {
    if (configSources.length === 0) {
      throw new Error("[configSourceAccountIds] must name at least one account when [configBucketName] is set");
    }
    for (const id of configSources) {
      if (typeof id === "string" && !isAccountId(id)) {
        throw new Error(`[configSourceAccountIds] must hold 12-digit account ids; got '${id}'`);
      }
    }
  } else if (configSources.length > 0) {
    throw new Error("[configSourceAccountIds] requires [configBucketName]");
  }
  return { partition, lockDays, alias, lockMode, configSources: [...configSources] };
}

/**
 * The organization trail's log bucket in the lakehouse account: a SecureBucket (SSE-KMS, versioned,
 * public access blocked, TLS only) with Object Lock, a policy that lets only the organization
 * trail write (under `AWSLogs/<orgId>/` and `AWSLogs/<managementAccountId>/`, bucket-owner-full-control)
 * and denies deleting objects or versions to everyone, and a customer-managed key CloudTrail may use.
 * Object Lock defaults to COMPLIANCE mode (see `objectLockMode`). With `configBucketName`, a second
 * bucket (no Object Lock) receives the AWS Config delivery channels of `configSourceAccountIds`,
 * and the created key lets AWS Config encrypt for those accounts.
 */
export class AuditLogBucket extends pulumi.ComponentResource {
  public readonly bucket: SecureBucket;
  public readonly key: aws.kms.Key | undefined;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** Key the bucket and the trail encrypt with. */
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** The AWS Config delivery bucket; undefined without `configBucketName`. */
  public readonly configBucket: SecureBucket | undefined;
  /** Name of the AWS Config delivery bucket; undefined without `configBucketName`. */
  public readonly configBucketName: pulumi.Output<string> | undefined;

  constructor(name: string, args: AuditLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:AuditLogBucket", name, {}, opts);
    const { partition, lockDays, alias, lockMode, configSources } = validateAuditLogBucketArgs(args);

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
            Principal: { AWS: accountRootArn(partition, args.accountId) },
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
              StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": arn(partition, "cloudtrail", "*", args.managementAccountId, "trail/*") },
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
          // AWS Config Developer Guide, "Permissions for the KMS Key for the AWS Config Delivery
          // Channel" (service-linked role: Config delivers as the service principal).
          ...(args.configBucketName !== undefined ? [{
            Sid: "AWSConfigKMSPolicy",
            Effect: "Allow" as const,
            Principal: { Service: "config.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": [...configSources] } },
          }] : []),
        ])),
        tags: args.tags,
      }, { parent: this });
      new aws.kms.Alias(`${name}-key-alias`, { name: alias, targetKeyId: this.key.keyId }, { parent: this });
      kmsKeyArn = this.key.arn;
    }

    const bucketArn = s3Arn(partition, args.bucketName);
    this.bucket = new SecureBucket(`${name}-logs`, {
      bucketName: args.bucketName,
      versioning: true,
      kmsKeyArn,
      objectLockDays: lockDays,
      objectLockMode: lockMode,
      forceDestroy: false,
      policyStatements: auditLogBucketStatements({
        bucketArn,
        organizationId: args.organizationId,
        managementAccountId: args.managementAccountId,
        trailArn: args.trailArn,
      }),
      tags: args.tags,
    }, { parent: this });

    if (args.configBucketName !== undefined) {
      this.configBucket = new SecureBucket(`${name}-config`, {
        bucketName: args.configBucketName,
        versioning: true,
        kmsKeyArn,
        forceDestroy: false,
        policyStatements: configLogBucketStatements({
          bucketArn: s3Arn(partition, args.configBucketName),
          sourceAccountIds: configSources,
        }),
        tags: args.tags,
      }, { parent: this });
      this.configBucketName = this.configBucket.bucketName;
    } else {
      this.configBucket = undefined;
      this.configBucketName = undefined;
    }

    this.bucketName = this.bucket.bucketName;
    this.bucketArn = this.bucket.arn;
    this.kmsKeyArn = kmsKeyArn;
    this.registerOutputs({
      bucket: this.bucket,
      key: this.key,
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: this.kmsKeyArn,
      configBucket: this.configBucket,
      configBucketName: this.configBucketName,
    });
  }
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

