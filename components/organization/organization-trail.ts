import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { KMS_KEY_ARN, KMS_KEY_ARN_SHAPE, arn } from "../aws";

/** Name of the organization trail (fixed, so the log bucket in the lakehouse account can trust its ARN). */
export const DEFAULT_ORGANIZATION_TRAIL_NAME = "mlz-organization-trail";

/** Name of the organization's audit-log bucket in the lakehouse account (predictable, globally unique). */
export function auditLogBucketName(lakehouseAccountId: string): string {
  return `mlz-audit-logs-${lakehouseAccountId}`;
}

/** `arn:<partition>:cloudtrail:<region>:<managementAccountId>:trail/<name>` */
export function trailArn(region: string, managementAccountId: string, trailName: string, partition = "aws"): string {
  return arn(partition, "cloudtrail", region, managementAccountId, `trail/${trailName}`);
}

const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;

export interface OrganizationTrailArgs {
  /** Physical trail name (3–128 characters; the log bucket policy trusts this exact trail). Defaults to `mlz-organization-trail`. */
  readonly trailName?: string;
  /** Name of the S3 bucket (in the lakehouse account) that receives the logs. */
  readonly s3BucketName: pulumi.Input<string>;
  /**
   * KMS key ARN to encrypt log files with (its key policy must allow CloudTrail). A key ARN, not an
   * alias ARN: CloudTrail reports the key ARN back, so an alias would show a change on every run.
   * Defaults to the bucket's default encryption.
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Tags for the trail. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/**
 * The organization trail: management events of every account in every region, global-service
 * events included, with log file integrity validation, delivered to the audit-log bucket.
 * Declare it in the management account; the bucket policy must already let this trail write.
 */
export class OrganizationTrail extends pulumi.ComponentResource {
  public readonly trail: aws.cloudtrail.Trail;
  public readonly arn: pulumi.Output<string>;
  public readonly trailName: pulumi.Output<string>;

  constructor(name: string, args: OrganizationTrailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:OrganizationTrail", name, {}, opts);
    const trailName = args.trailName ?? DEFAULT_ORGANIZATION_TRAIL_NAME;
    if (!TRAIL_NAME.test(trailName) || /[._-]{2}/.test(trailName)) {
      throw new Error(`[trailName] must be 3 to 128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, without adjacent punctuation; got '${trailName}'`);
    }
    const kmsKeyArn = args.kmsKeyArn === undefined ? undefined : pulumi.output(args.kmsKeyArn).apply((arn) => {
      if (!KMS_KEY_ARN.test(arn)) {
        throw new pulumi.ResourceError(`[kmsKeyArn] must be a KMS key ARN (${KMS_KEY_ARN_SHAPE}), not an alias: CloudTrail reports the key ARN back; got '${arn}'`, this);
      }
      return arn;
    });

    this.trail = new aws.cloudtrail.Trail(`${name}-trail`, {
      name: trailName,
      s3BucketName: args.s3BucketName,
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: kmsKeyArn,
      tags: args.tags,
    }, { parent: this });

    this.arn = this.trail.arn;
    this.trailName = this.trail.name;
    this.registerOutputs({ trail: this.trail, arn: this.arn, trailName: this.trailName });
  }
}
