import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson } from "../../iam/policy-document";
import { NodeFunction } from "../../lambda/node-function";
import { SecureBucket } from "../../storage/secure-bucket";
import { s3Arn } from "../../aws";
import {
  accessPointArn,
  delegationStatements,
  derivedReadStatements,
  keyPolicyStatements,
  objectLambdaAccessPointArn,
  objectLambdaAccessPointPolicy,
  objectLambdaFunctionStatements,
  onUploadFunctionStatements,
  rolesByAccount,
  supportingAccessPointPolicy,
  trainingRoleReaderStatements,
  validateNormalizationSettings,
  type NormalizationMode,
  type NormalizationSettings,
  type ResourceNames,
} from "./policies";

export interface ImageNormalizationArgs {
  /** `object-lambda` (a just-in-time view through an S3 Object Lambda access point) or `on-upload` (derived copies). */
  readonly mode: NormalizationMode;
  /** Physical name of the raw-images bucket this component creates. */
  readonly bucketName: pulumi.Input<string>;
  /** Exact IAM role ARNs that read the normalized images (any account of the organization). */
  readonly trainingRoleArns: string[];
  /** The account the bucket lives in (this stack's). */
  readonly accountId: pulumi.Input<string>;
  /** Organization id: the roles must belong to it (`aws:PrincipalOrgID`). */
  readonly organizationId: pulumi.Input<string>;
  /** Region of the bucket, access points and function. */
  readonly region: string;
  /** Partition of the region. Defaults to `aws`. */
  readonly partition?: string;
  /** Prefix of the raw images. Defaults to `raw/`. */
  readonly rawPrefix?: string;
  /** Prefix of the normalized copies (on-upload). Defaults to `normalized/`. */
  readonly derivedPrefix?: string;
  /** Name of the supporting access point (object-lambda). Defaults to `mlz-raw-images`. */
  readonly accessPointName?: string;
  /** Name of the Object Lambda access point (object-lambda). Defaults to `mlz-normalized-images`. */
  readonly objectLambdaAccessPointName?: string;
  /** Function memory in MB (Lambda's CPU share grows with it). Defaults to 1024. */
  readonly memoryMb?: number;
  /** Function timeout in seconds (at most 60 for object-lambda). Defaults to 30. */
  readonly timeoutSeconds?: number;
  /** Function architecture. Defaults to `arm64` (Graviton). */
  readonly architecture?: "arm64" | "x86_64";
  /** Largest object normalized, in bytes. Defaults to 52428800 (50 MiB). */
  readonly maxInputBytes?: number;
  /** Largest image normalized, in pixels. Defaults to 40000000. */
  readonly maxInputPixels?: number;
  /** Let `pulumi destroy` empty the bucket. Defaults to `false`. */
  readonly forceDestroy?: boolean;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

export const IMAGE_NORMALIZATION_DEFAULTS = {
  partition: "aws",
  rawPrefix: "raw/",
  derivedPrefix: "normalized/",
  accessPointName: "mlz-raw-images",
  objectLambdaAccessPointName: "mlz-normalized-images",
  memoryMb: 1024,
  timeoutSeconds: 30,
  architecture: "arm64" as const,
  maxInputBytes: 52_428_800,
  maxInputPixels: 40_000_000,
};

/** Args with defaults applied, checked; throws naming the argument. */
export function resolveImageNormalizationArgs(args: ImageNormalizationArgs): NormalizationSettings & { partition: string; architecture: "arm64" | "x86_64" } {
  const d = IMAGE_NORMALIZATION_DEFAULTS;
  const s = {
    mode: args.mode,
    partition: args.partition ?? d.partition,
    rawPrefix: args.rawPrefix ?? d.rawPrefix,
    derivedPrefix: args.derivedPrefix ?? d.derivedPrefix,
    trainingRoleArns: [...(args.trainingRoleArns ?? [])],
    accessPointName: args.accessPointName ?? d.accessPointName,
    objectLambdaAccessPointName: args.objectLambdaAccessPointName ?? d.objectLambdaAccessPointName,
    memoryMb: args.memoryMb ?? d.memoryMb,
    timeoutSeconds: args.timeoutSeconds ?? d.timeoutSeconds,
    architecture: args.architecture ?? d.architecture,
    maxInputBytes: args.maxInputBytes ?? d.maxInputBytes,
    maxInputPixels: args.maxInputPixels ?? d.maxInputPixels,
  };
  validateNormalizationSettings(s);
  if (s.architecture !== "arm64" && s.architecture !== "x86_64") throw new Error(`[architecture] must be arm64 or x86_64; got '${String(s.architecture)}'`);
  for (const arn of s.trainingRoleArns) {
    if (arn.split(":")[1] !== s.partition) throw new Error(`[trainingRoleArns] must be in partition '${s.partition}'; got '${arn}'`);
  }
  return s;
}

/**
 * Image normalization for training (functions/image-normalizer): a raw-images bucket (SSE-KMS
 * with its own key, versioned, TLS-only, no public access), the sharp normalizer on Lambda, and
 * one of two delivery modes:
 *
 * - `object-lambda`: supporting access point on the bucket (bucket policy delegating raw reads to
 *   it), an Object Lambda access point whose GetObject runs the function, its policy, and a Lambda
 *   permission per account of the training roles;
 * - `on-upload`: S3 notifications of the raw prefix (created and removed) invoke the function,
 *   which keeps normalized copies under the derived prefix; the bucket policy lets the training
 *   roles list and read that prefix.
 *
 * Either way the key policy lets exactly the training roles decrypt through S3.
 */
export class ImageNormalization extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  /** Where training reads: the Object Lambda access point ARN, or `s3://<bucket>/<derivedPrefix>`. */
  public readonly readLocation: pulumi.Output<string>;
  /**
   * The IAM policy document (JSON) each training role's OWN account must allow it, matching what
   * this component's resource policies grant (see `trainingRoleReaderStatements`): attach it to
   * the roles (the ML stack does for the roles it declares, see stacks/parts/normalized-images.ts).
   */
  public readonly trainingRolePolicy: pulumi.Output<string>;

  constructor(name: string, args: ImageNormalizationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:ImageNormalization", name, {}, opts);
    const s = resolveImageNormalizationArgs(args);
    const bucketArn = pulumi.output(s3Arn(s.partition, args.bucketName));
    const names: ResourceNames = {
      partition: s.partition,
      region: args.region,
      accountId: args.accountId,
      bucketArn,
      accessPointName: s.accessPointName,
      objectLambdaAccessPointName: s.objectLambdaAccessPointName,
    };
    const parent = { parent: this };

    const key = new aws.kms.Key(`${name}-key`, {
      description: "SSE-KMS key of the raw-images bucket; training roles decrypt through S3",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyJson(policyDocument(keyPolicyStatements(s.partition, args.region, args.accountId, s.trainingRoleArns, args.organizationId))),
      tags: args.tags,
    }, parent);

    const olapArn = objectLambdaAccessPointArn(names);
    const environment: Record<string, pulumi.Input<string>> = {
      MODE: s.mode,
      MAX_INPUT_BYTES: String(s.maxInputBytes),
      MAX_INPUT_PIXELS: String(s.maxInputPixels),
    };
    if (s.mode === "on-upload") {
      Object.assign(environment, {
        SOURCE_BUCKET: args.bucketName,
        RAW_PREFIX: s.rawPrefix,
        DERIVED_BUCKET: args.bucketName,
        DERIVED_PREFIX: s.derivedPrefix,
      });
    }
    // on-upload runs asynchronously (S3 notifications): events still failing after Lambda's retries
    // (S3 errors, not bad images) land in this queue instead of being dropped.
    const failures = s.mode === "on-upload"
      ? new aws.sqs.Queue(`${name}-failures`, {
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: 14 * 24 * 3600,
        tags: args.tags,
      }, parent)
      : undefined;
    const fn = new NodeFunction(`${name}-normalizer`, {
      source: "image-normalizer",
      description: `ml-landing-zone image normalizer (${s.mode})`,
      nativePackages: ["sharp"],
      architecture: s.architecture,
      memoryMb: s.memoryMb,
      timeoutSeconds: s.timeoutSeconds,
      environment,
      policyStatements: failures
        ? [
          ...onUploadFunctionStatements(bucketArn, key.arn, s.rawPrefix, s.derivedPrefix),
          { Sid: "RecordFailedEvents", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: failures.arn },
        ]
        : objectLambdaFunctionStatements(olapArn),
      tags: args.tags,
    }, parent);

    const bucket = new SecureBucket(`${name}-bucket`, {
      bucketName: args.bucketName,
      versioning: true,
      kmsKeyArn: key.arn,
      forceDestroy: args.forceDestroy ?? false,
      policyStatements: s.mode === "object-lambda"
        ? delegationStatements(names, s.rawPrefix)
        : derivedReadStatements(bucketArn, s.derivedPrefix, s.trainingRoleArns, args.organizationId),
      tags: args.tags,
    }, parent);

    if (s.mode === "object-lambda") {
      const accessPoint = new aws.s3.AccessPoint(`${name}-access-point`, {
        bucket: bucket.bucketName,
        name: s.accessPointName,
        publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        policy: policyJson(policyDocument(supportingAccessPointPolicy(names, s.rawPrefix, s.trainingRoleArns, args.organizationId))),
      }, parent);
      const olap = new aws.s3control.ObjectLambdaAccessPoint(`${name}-object-lambda-access-point`, {
        name: s.objectLambdaAccessPointName,
        configuration: {
          supportingAccessPoint: accessPoint.arn,
          transformationConfigurations: [{
            actions: ["GetObject"],
            contentTransformation: { awsLambda: { functionArn: fn.arn } },
          }],
        },
      }, parent);
      new aws.s3control.ObjectLambdaAccessPointPolicy(`${name}-object-lambda-policy`, {
        name: olap.name,
        policy: policyJson(policyDocument(objectLambdaAccessPointPolicy(names, s.trainingRoleArns, args.organizationId))),
      }, parent);
      for (const account of rolesByAccount(s.trainingRoleArns).keys()) {
        new aws.lambda.Permission(`${name}-invoke-${account}`, {
          function: fn.functionName,
          action: "lambda:InvokeFunction",
          principal: account,
        }, parent);
      }
      this.readLocation = olap.arn;
    } else {
      const permission = new aws.lambda.Permission(`${name}-s3-invoke`, {
        function: fn.functionName,
        action: "lambda:InvokeFunction",
        principal: "s3.amazonaws.com",
        sourceArn: bucket.arn,
        sourceAccount: args.accountId,
      }, parent);
      new aws.s3.BucketNotification(`${name}-notification`, {
        bucket: bucket.bucketName,
        lambdaFunctions: [{
          lambdaFunctionArn: fn.arn,
          events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
          filterPrefix: s.rawPrefix,
        }],
      }, { parent: this, dependsOn: [permission] });
      new aws.lambda.FunctionEventInvokeConfig(`${name}-async`, {
        functionName: fn.functionName,
        maximumRetryAttempts: 2,
        destinationConfig: { onFailure: { destination: failures!.arn } },
      }, parent);
      this.readLocation = pulumi.interpolate`s3://${bucket.bucketName}/${s.derivedPrefix}`;
    }

    this.trainingRolePolicy = policyJson(policyDocument(trainingRoleReaderStatements({
      mode: s.mode,
      partition: s.partition,
      region: args.region,
      bucketArn,
      keyArn: key.arn,
      functionArn: fn.arn,
      accessPointArn: accessPointArn(names),
      objectLambdaAccessPointArn: olapArn,
      rawPrefix: s.rawPrefix,
      derivedPrefix: s.derivedPrefix,
    })));
    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.arn;
    this.keyArn = key.arn;
    this.functionArn = fn.arn;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      keyArn: this.keyArn,
      functionArn: this.functionArn,
      readLocation: this.readLocation,
      trainingRolePolicy: this.trainingRolePolicy,
    });
  }
}
