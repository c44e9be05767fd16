import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";

export interface SecureBucketArgs {
  /** Physical bucket name (explicit, so other accounts can reference it before it exists). */
  readonly bucketName: pulumi.Input<string>;
  /** Keep every object version. Defaults to `true`. */
  readonly versioning?: boolean;
  /**
   * Customer-managed KMS key for SSE-KMS. Defaults to SSE-KMS with the AWS-managed `aws/s3` key
   * (no key id), with S3 Bucket Keys enabled.
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /**
   * Object Lock default retention in days (GOVERNANCE mode), so objects cannot be erased before it
   * ends. Requires versioning. Defaults to no Object Lock.
   */
  readonly objectLockDays?: number;
  /**
   * Object Lock retention mode. `GOVERNANCE` lets principals with `s3:BypassGovernanceRetention`
   * delete locked versions; `COMPLIANCE` lets no one, the root user included, for the retention
   * period (irreversible per object version). Defaults to `GOVERNANCE`.
   */
  readonly objectLockMode?: "GOVERNANCE" | "COMPLIANCE";
  /** Allow `pulumi destroy` to empty the bucket. Defaults to `false`. */
  readonly forceDestroy?: boolean;
  /**
   * Extra bucket-policy statements (service access, cross-account reads). They are merged after the
   * statement that denies every request not made over TLS. Defaults to none.
   */
  readonly policyStatements?: PolicyStatement<pulumi.Input<string>>[];
  /** Tags for the bucket (merged over the provider's default tags). Defaults to none. */
  readonly tags?: Record<string, string>;
}

/**
 * An S3 bucket that is safe by construction: SSE-KMS, versioned, all public access blocked,
 * ACLs disabled (bucket owner enforced), and a bucket policy that refuses plain-HTTP requests.
 */
export class SecureBucket extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly arn: pulumi.Output<string>;
  public readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:storage:SecureBucket", name, {}, opts);
    const versioning = args.versioning ?? true;
    if (args.objectLockDays !== undefined) {
      if (!Number.isInteger(args.objectLockDays) || args.objectLockDays < 1) {
        throw new Error(`[objectLockDays] must be a whole number of days ≥ 1; got ${args.objectLockDays}`);
      }
      if (!versioning) throw new Error("[objectLockDays] requires [versioning] to be true");
    }
    const lockMode = args.objectLockMode ?? "GOVERNANCE";
    if (lockMode !== "GOVERNANCE" && lockMode !== "COMPLIANCE") {
      throw new Error(`[objectLockMode] must be 'GOVERNANCE' or 'COMPLIANCE'; got '${String(lockMode)}'`);
    }
    if (args.objectLockMode !== undefined && args.objectLockDays === undefined) {
      throw new Error("[objectLockMode] requires [objectLockDays]");
    }

    this.bucket = new aws.s3.Bucket(`${name}-bucket`, {
      bucket: args.bucketName,
      forceDestroy: args.forceDestroy ?? false,
      objectLockEnabled: args.objectLockDays !== undefined ? true : undefined,
      tags: args.tags,
    }, { parent: this });
    const bucketId = this.bucket.id;

    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
      bucket: bucketId,
      rules: [{
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
        bucketKeyEnabled: true,
      }],
    }, { parent: this });

    if (versioning) {
      new aws.s3.BucketVersioning(`${name}-versioning`, {
        bucket: bucketId,
        versioningConfiguration: { status: "Enabled" },
      }, { parent: this });
    }

    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(`${name}-public-access-block`, {
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, { parent: this });

    new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
      bucket: bucketId,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }, { parent: this });

    if (args.objectLockDays !== undefined) {
      new aws.s3.BucketObjectLockConfiguration(`${name}-object-lock`, {
        bucket: bucketId,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: lockMode, days: args.objectLockDays } },
      }, { parent: this });
    }

    const arn = this.bucket.arn;
    new aws.s3.BucketPolicy(`${name}-policy`, {
      bucket: bucketId,
      policy: policyJson(policyDocument<pulumi.Input<string>>([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [arn, pulumi.interpolate`${arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        ...(args.policyStatements ?? []),
      ])),
    }, { parent: this, dependsOn: [publicAccessBlock] });

    this.arn = arn;
    this.bucketName = this.bucket.bucket;
    this.registerOutputs({ bucket: this.bucket, arn: this.arn, bucketName: this.bucketName });
  }
}
