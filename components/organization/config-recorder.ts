import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { CONFIG_LOG_PREFIX } from "./audit-log-bucket";
import { isAccountId, roleArn } from "../aws";

/** Service principal of AWS Config (and of its service-linked role). */
export const CONFIG_SERVICE_PRINCIPAL = "config.amazonaws.com";

/** Name of the bucket (in the lakehouse account) that receives every account's AWS Config delivery channel. */
export function configLogBucketName(lakehouseAccountId: string): string {
  return `mlz-config-logs-${lakehouseAccountId}`;
}

/** ARN of AWS Config's service-linked role `AWSServiceRoleForConfig` in `accountId`. */
export function configServiceLinkedRoleArn(accountId: string, partition = "aws"): string {
  return roleArn(partition, accountId, `aws-service-role/${CONFIG_SERVICE_PRINCIPAL}/AWSServiceRoleForConfig`);
}

export interface ConfigRecorderArgs {
  /** Id of the account the recorder records (the provider's account); used for the role ARN. */
  readonly accountId: pulumi.Input<string>;
  /** Bucket the delivery channel writes to (the lakehouse Config bucket, `mlz-config-logs-<lakehouse id>`). */
  readonly s3BucketName: pulumi.Input<string>;
  /** Key prefix of the delivery channel. Defaults to `config` (the bucket policy allows `config/AWSLogs/<account>/Config/*`). */
  readonly s3KeyPrefix?: string;
  /**
   * Record global resource types (IAM users, roles, policies…). Set true in exactly one region
   * per account, the home region, so global resources are not recorded twice. Defaults to true.
   */
  readonly includeGlobalResourceTypes?: boolean;
  /**
   * Create AWS Config's service-linked role `AWSServiceRoleForConfig`. Defaults to true.
   * IAM refuses to create a service-linked role that already exists in the account (e.g. Config,
   * Security Hub or Control Tower enabled it before): set false there, and the recorder uses the
   * existing role's ARN. Destroying the role fails while AWS Config still uses it in any region.
   */
  readonly createServiceLinkedRole?: boolean;
  /** Name of the recorder and of the delivery channel. Defaults to `default` (the name AWS Config uses). */
  readonly recorderName?: string;
  /** How often AWS Config delivers configuration snapshots. Defaults to `TwentyFour_Hours`. */
  readonly snapshotDeliveryFrequency?: "One_Hour" | "Three_Hours" | "Six_Hours" | "Twelve_Hours" | "TwentyFour_Hours";
  /** AWS partition. Defaults to `aws`. */
  readonly partition?: string;
}

const FREQUENCIES = new Set(["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"]);

/**
 * AWS Config recording for ONE account and region (the provider's): the service-linked role, a
 * configuration recorder for all supported resource types, a delivery channel to the Config bucket
 * and the recorder status (enabled once the channel exists). AWS Config allows one recorder and
 * one delivery channel per account and region. Organization Config rules need this in every
 * account they evaluate.
 */
export class ConfigRecorder extends pulumi.ComponentResource {
  public readonly serviceLinkedRole: aws.iam.ServiceLinkedRole | undefined;
  public readonly recorder: aws.cfg.Recorder;
  public readonly deliveryChannel: aws.cfg.DeliveryChannel;
  public readonly status: aws.cfg.RecorderStatus;
  /** Recorder name. */
  public readonly recorderName: pulumi.Output<string>;
  /** ARN of the role the recorder uses. */
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ConfigRecorderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:organization:ConfigRecorder", name, {}, opts);
    const partition = args.partition ?? "aws";
    const recorderName = args.recorderName ?? "default";
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(recorderName)) {
      throw new Error(`[recorderName] must be 1 to 256 letters, digits, '_', '.' or '-'; got '${recorderName}'`);
    }
    const prefix = args.s3KeyPrefix ?? CONFIG_LOG_PREFIX;
    if (!/^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/.test(prefix) || prefix.includes("AWSLogs")) {
      throw new Error(`[s3KeyPrefix] must be an S3 key prefix without leading or trailing '/' and without 'AWSLogs'; got '${prefix}'`);
    }
    if (typeof args.accountId === "string" && !isAccountId(args.accountId)) {
      throw new Error(`[accountId] must be a 12-digit account id; got '${args.accountId}'`);
    }
    const frequency = args.snapshotDeliveryFrequency ?? "TwentyFour_Hours";
    if (!FREQUENCIES.has(frequency)) {
      throw new Error(`[snapshotDeliveryFrequency] must be one of ${[...FREQUENCIES].join(", ")}; got '${String(frequency)}'`);
    }

    // The role's ARN is fixed by AWS, so it is computed (the same whether the role is created here
    // or already exists); the recorder waits for the role when this component creates it.
    this.roleArn = pulumi.output(args.accountId).apply((id) => configServiceLinkedRoleArn(id, partition));
    if (args.createServiceLinkedRole ?? true) {
      this.serviceLinkedRole = new aws.iam.ServiceLinkedRole(`${name}-service-role`, {
        awsServiceName: CONFIG_SERVICE_PRINCIPAL,
        description: "AWS Config records this account's resource configurations",
      }, { parent: this });
    } else {
      this.serviceLinkedRole = undefined;
    }

    this.recorder = new aws.cfg.Recorder(`${name}-recorder`, {
      name: recorderName,
      roleArn: this.roleArn,
      recordingGroup: {
        allSupported: true,
        includeGlobalResourceTypes: args.includeGlobalResourceTypes ?? true,
      },
    }, { parent: this, dependsOn: this.serviceLinkedRole ? [this.serviceLinkedRole] : [] });

    this.deliveryChannel = new aws.cfg.DeliveryChannel(`${name}-delivery-channel`, {
      name: recorderName,
      s3BucketName: args.s3BucketName,
      s3KeyPrefix: prefix,
      snapshotDeliveryProperties: { deliveryFrequency: frequency },
    }, { parent: this, dependsOn: [this.recorder] });

    this.status = new aws.cfg.RecorderStatus(`${name}-status`, {
      name: recorderName,
      isEnabled: true,
    }, { parent: this, dependsOn: [this.deliveryChannel] });

    this.recorderName = this.recorder.name;
    this.registerOutputs({
      serviceLinkedRole: this.serviceLinkedRole,
      recorder: this.recorder,
      deliveryChannel: this.deliveryChannel,
      status: this.status,
      recorderName: this.recorderName,
      roleArn: this.roleArn,
    });
  }
}
