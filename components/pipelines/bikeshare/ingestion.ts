import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { SecureBucket } from "../../storage/secure-bucket";
import { NodeFunction } from "../../lambda/node-function";
import { policyDocument, policyJson, type PolicyStatement } from "../../iam/policy-document";
import { deliveryRoleStatements } from "./policies";

/** Date-partitioned prefix of delivered trips (Firehose evaluates the expressions at delivery). */
export const TRIPS_PREFIX = "trips/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/";
/** Where Firehose writes records it could not process or deliver, by error type. */
export const TRIPS_ERROR_PREFIX = "trips-errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/";
/** Bucket-name suffixes appended to `bucketNamePrefix`. */
export const BUCKET_SUFFIXES = { rawTrips: "raw-trips", trainingSets: "training-sets", autopilotOutput: "autopilot" } as const;

export interface BikeshareIngestionArgs {
  /**
   * Start of the three physical bucket names (`<prefix>-raw-trips`, `<prefix>-training-sets`,
   * `<prefix>-autopilot`): lowercase letters, digits and dashes, at most 49 characters. Required.
   */
  readonly bucketNamePrefix: string;
  /** Account the stack deploys into (limits who may assume the delivery role). Required. */
  readonly accountId: pulumi.Input<string>;
  /** Region of the stack (scopes KMS use through S3). Required. */
  readonly region: string;
  /** Delivery stream name. Defaults to `bikeshare-trips`. */
  readonly streamName?: string;
  /**
   * Customer-managed KMS key for the buckets, the stream and the delivered objects. Defaults to a
   * new key with rotation, created here (exposed as `kmsKeyArn` for the training and inference).
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** S3 delivery buffer size in MB (1–128). Defaults to 64. */
  readonly bufferingSizeMb?: number;
  /** S3 delivery buffer interval in seconds (0–900). Defaults to 300. */
  readonly bufferingIntervalSeconds?: number;
  /** Transform invocation buffer in MB (0.2–3; Lambda's 6 MB payload limit). Defaults to 1 (Firehose's default). */
  readonly transformBufferSizeMb?: number;
  /** Transform memory in MB. Defaults to 1024. */
  readonly transformMemoryMb?: number;
  /** Transform timeout in seconds (1–300: Firehose waits at most 5 minutes). Defaults to 120. */
  readonly transformTimeoutSeconds?: number;
  /** Allow `pulumi destroy` to empty the buckets. Defaults to `false`. */
  readonly forceDestroy?: boolean;
  /** Log retention (transform and delivery errors) in days. Defaults to 90. */
  readonly logRetentionDays?: number;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/**
 * Trust of the delivery role, exactly as the Amazon Data Firehose Developer Guide documents it
 * ("Controlling access with Amazon Data Firehose" → "Grant Firehose access to an Amazon S3
 * destination", https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3;
 * source: awsdocs/amazon-kinesis-data-firehose-developer-guide, doc_source/controlling-access.md):
 * principal `firehose.amazonaws.com`, `sts:AssumeRole`, and `StringEquals sts:ExternalId` = the
 * account id, "so that only you can request Firehose to assume the IAM role" (Firehose presents the
 * stream owner's account id as the external id when it assumes the role). The guide shows no `aws:SourceArn` /
 * `aws:SourceAccount` condition for this role, so none is added: a condition on a key Firehose does
 * not send would make every `AssumeRole` (and so every delivery) fail.
 */
export function deliveryRoleTrust(accountId: pulumi.Input<string>): PolicyStatement<pulumi.Input<string>> {
  return {
    Effect: "Allow",
    Principal: { Service: "firehose.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": accountId } },
  };
}

const BUCKET_PREFIX = /^[a-z0-9][a-z0-9-]{1,47}[a-z0-9]$/;
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

function validate(args: BikeshareIngestionArgs): void {
  if (!BUCKET_PREFIX.test(args.bucketNamePrefix) || args.bucketNamePrefix.includes("--")) {
    throw new Error(`[bucketNamePrefix] must be 3-49 lowercase letters, digits or single dashes, starting and ending alphanumeric; got '${args.bucketNamePrefix}'`);
  }
  if (args.streamName !== undefined && !STREAM_NAME.test(args.streamName)) {
    throw new Error(`[streamName] must be 1-64 letters, digits, '_', '.' or '-'; got '${args.streamName}'`);
  }
  const range = (key: string, v: number | undefined, min: number, max: number, integer = true) => {
    if (v !== undefined && (!(v >= min && v <= max) || (integer && !Number.isInteger(v)))) {
      throw new Error(`[${key}] must be ${integer ? "a whole number " : ""}from ${min} to ${max}; got ${v}`);
    }
  };
  range("bufferingSizeMb", args.bufferingSizeMb, 1, 128);
  range("bufferingIntervalSeconds", args.bufferingIntervalSeconds, 0, 900);
  range("transformBufferSizeMb", args.transformBufferSizeMb, 0.2, 3, false);
  range("transformTimeoutSeconds", args.transformTimeoutSeconds, 1, 300);
}

/**
 * Bike-share ingestion: encrypted, TLS-only data-lake buckets (raw trips, training sets, Autopilot
 * output), a Firehose Direct PUT stream delivering date-partitioned objects to the raw-trips bucket
 * through the `bikeshare-transform` Lambda, with separate error prefix, error logging, and its own
 * least-privilege delivery role (the transform has its own role with log permissions only).
 */
export class BikeshareIngestion extends pulumi.ComponentResource {
  public readonly rawTripsBucket: SecureBucket;
  public readonly trainingSetsBucket: SecureBucket;
  public readonly autopilotOutputBucket: SecureBucket;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly transform: NodeFunction;
  public readonly deliveryRole: aws.iam.Role;
  public readonly stream: aws.kinesis.FirehoseDeliveryStream;
  public readonly streamName: pulumi.Output<string>;
  public readonly streamArn: pulumi.Output<string>;

  constructor(name: string, args: BikeshareIngestionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:BikeshareIngestion", name, {}, opts);
    validate(args);
    const streamName = args.streamName ?? "bikeshare-trips";
    const retention = args.logRetentionDays ?? 90;

    if (args.kmsKeyArn !== undefined) {
      this.kmsKeyArn = pulumi.output(args.kmsKeyArn);
    } else {
      const key = new aws.kms.Key(`${name}-key`, {
        description: "Bike-share pipeline data: raw trips, training sets, Autopilot output, endpoint volumes",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: args.tags,
      }, { parent: this });
      new aws.kms.Alias(`${name}-key-alias`, { name: `alias/mlz-${streamName}`, targetKeyId: key.keyId }, { parent: this });
      this.kmsKeyArn = key.arn;
    }
    const kmsKeyArn = this.kmsKeyArn;

    const bucket = (key: keyof typeof BUCKET_SUFFIXES) => new SecureBucket(`${name}-${BUCKET_SUFFIXES[key]}`, {
      bucketName: `${args.bucketNamePrefix}-${BUCKET_SUFFIXES[key]}`,
      kmsKeyArn,
      forceDestroy: args.forceDestroy ?? false,
      tags: args.tags,
    }, { parent: this });
    this.rawTripsBucket = bucket("rawTrips");
    this.trainingSetsBucket = bucket("trainingSets");
    this.autopilotOutputBucket = bucket("autopilotOutput");

    this.transform = new NodeFunction(`${name}-transform`, {
      source: "bikeshare-transform",
      description: "Firehose transform of Bay Wheels trip CSV (derived time features, rows with missing values dropped)",
      memoryMb: args.transformMemoryMb ?? 1024,
      timeoutSeconds: args.transformTimeoutSeconds ?? 120,
      logRetentionDays: retention,
      tags: args.tags,
    }, { parent: this });

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-delivery-logs`, {
      name: `/aws/kinesisfirehose/${streamName}`,
      retentionInDays: retention,
      tags: args.tags,
    }, { parent: this });
    const logStream = new aws.cloudwatch.LogStream(`${name}-delivery-log-stream`, {
      name: "DestinationDelivery",
      logGroupName: logGroup.name,
    }, { parent: this });

    this.deliveryRole = new aws.iam.Role(`${name}-delivery-role`, {
      description: `Firehose delivery role of ${streamName}`,
      assumeRolePolicy: policyJson(policyDocument([deliveryRoleTrust(args.accountId)])),
      tags: args.tags,
    }, { parent: this });
    const deliveryPolicy = new aws.iam.RolePolicy(`${name}-delivery-permissions`, {
      role: this.deliveryRole.id,
      policy: policyJson(policyDocument(deliveryRoleStatements({
        rawBucketArn: this.rawTripsBucket.arn,
        transformFunctionArn: this.transform.arn,
        logGroupArn: logGroup.arn,
        region: args.region,
        kmsKeyArn,
      }))),
    }, { parent: this });

    const processorParameters: { parameterName: string; parameterValue: pulumi.Input<string> }[] = [
      { parameterName: "LambdaArn", parameterValue: pulumi.interpolate`${this.transform.arn}:$LATEST` },
    ];
    if (args.transformBufferSizeMb !== undefined && args.transformBufferSizeMb !== 1) {
      processorParameters.push({ parameterName: "BufferSizeInMBs", parameterValue: String(args.transformBufferSizeMb) });
    }

    this.stream = new aws.kinesis.FirehoseDeliveryStream(`${name}-stream`, {
      name: streamName,
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: kmsKeyArn },
      extendedS3Configuration: {
        roleArn: this.deliveryRole.arn,
        bucketArn: this.rawTripsBucket.arn,
        prefix: TRIPS_PREFIX,
        errorOutputPrefix: TRIPS_ERROR_PREFIX,
        bufferingSize: args.bufferingSizeMb ?? 64,
        bufferingInterval: args.bufferingIntervalSeconds ?? 300,
        compressionFormat: "UNCOMPRESSED",
        kmsKeyArn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
        processingConfiguration: {
          enabled: true,
          processors: [{ type: "Lambda", parameters: processorParameters }],
        },
      },
      tags: args.tags,
    }, { parent: this, dependsOn: [deliveryPolicy] });

    this.streamName = this.stream.name;
    this.streamArn = this.stream.arn;
    this.registerOutputs({
      rawTripsBucket: this.rawTripsBucket,
      trainingSetsBucket: this.trainingSetsBucket,
      autopilotOutputBucket: this.autopilotOutputBucket,
      kmsKeyArn: this.kmsKeyArn,
      transform: this.transform,
      deliveryRole: this.deliveryRole,
      stream: this.stream,
      streamName: this.streamName,
      streamArn: this.streamArn,
    });
  }
}
