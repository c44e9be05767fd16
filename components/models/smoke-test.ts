import * as pulumi from "@pulumi/pulumi";
import { NodeFunction } from "../lambda/node-function";
import type { PolicyStatement } from "../iam/policy-document";
import { KMS_KEY_ARN, PARTITIONS, s3Arn } from "../aws";

export interface ModelSmokeTestArgs {
  /** Models the function may test (the first is its default); each needs an entry in `appRoleArns`. Required. */
  readonly models: string[];
  /**
   * Application role of each model, by model. The function acts as it (role chaining), so the test
   * proves the application's own permissions; its own role may assume exactly these. Required.
   */
  readonly appRoleArns: Record<string, pulumi.Input<string>>;
  /** ARN of the ML account's role this environment assumes. Required. */
  readonly modelAccessRoleArn: pulumi.Input<string>;
  /**
   * Bucket of the test image, in this account and region. The function reads the image with its own
   * role (`s3:GetObject` on exactly `<imageBucket>/<imageKey>`) and sends the bytes to
   * DetectCustomLabels, so the ML account's role needs no access to this account's buckets. Required.
   */
  readonly imageBucket: string;
  /** Key of the test image (PNG or JPEG, at most 4 MiB); no IAM wildcards (`*`, `?`, `${`). Required. */
  readonly imageKey: string;
  /**
   * ARN of the customer-managed KMS key that encrypts the image (SSE-KMS image bucket): the role
   * gets `kms:Decrypt` on it, only through S3 in the key's region. Defaults to none (SSE-S3, or the
   * `aws/s3` key, which needs no grant in its own account).
   */
  readonly imageKmsKeyArn?: string;
  /** Partition of the ARNs the function's policy names. Defaults to `aws`. */
  readonly partition?: string;
  /** DetectCustomLabels minimum confidence, 0–100. Defaults to 50. */
  readonly minConfidence?: number;
  /** Parameter prefix; parameters are `<prefix>/<model>/arn`. Defaults to `/mlz/models`. */
  readonly parameterPrefix?: string;
  /** Private subnets the function runs in. Required (at least one). */
  readonly subnetIds: pulumi.Input<string>[];
  /** Security groups of the function (the network's endpoint group). Required (at least one). */
  readonly securityGroupIds: pulumi.Input<string>[];
  /** Timeout in seconds. Defaults to 60 (two role assumptions and one inference). */
  readonly timeoutSeconds?: number;
  /** Tags for every resource. Defaults to none. */
  readonly tags?: Record<string, string>;
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Where the test image is, as the function's policy needs it. */
export interface TestImage {
  bucket: string;
  key: string;
  /** Customer-managed key of an SSE-KMS image, if any. */
  kmsKeyArn?: string;
  /** Defaults to `aws`. */
  partition?: string;
}

/**
 * The function's own permissions: assume exactly the application roles it tests, read exactly the
 * test image object, and (for an SSE-KMS image) decrypt with its key only through S3 in the key's
 * region (`kms:ViaService`).
 */
export function smokeTestPolicyStatements(appRoleArns: pulumi.Input<string>[], image: TestImage): PolicyStatement<pulumi.Input<string>>[] {
  const partition = image.partition ?? "aws";
  const statements: PolicyStatement<pulumi.Input<string>>[] = [
    { Sid: "ActAsTheApplication", Effect: "Allow", Action: "sts:AssumeRole", Resource: appRoleArns },
    { Sid: "ReadTheTestImage", Effect: "Allow", Action: "s3:GetObject", Resource: s3Arn(partition, image.bucket, `/${image.key}`) },
  ];
  if (image.kmsKeyArn !== undefined) {
    const region = KMS_KEY_ARN.exec(image.kmsKeyArn)?.[2];
    if (!region) throw new Error(`[imageKmsKeyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); got '${image.kmsKeyArn}'`);
    const dnsSuffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
    statements.push({
      Sid: "DecryptTheTestImage",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: image.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${region}.${dnsSuffix}` } },
    });
  }
  return statements;
}

/**
 * A Lambda function in the private subnets that checks the whole path from this environment to its
 * model (`functions/model-smoke-test`): act as the application role, read the model parameter,
 * assume the ML account's role, run DetectCustomLabels on a known image, report labels and latency.
 * The promotion workflow invokes it after a deploy.
 *
 * Its role may only assume the application roles and read the one test image (plus its logs and
 * the VPC network interfaces that `NodeFunction` adds). The image is read here and sent as bytes:
 * with an S3 reference, Rekognition would read it with the caller's permissions, and the caller is
 * the ML account's role, which has no access to this account's buckets. Everything else the
 * function does, it does as the application, whose role trusts this function's role by exact ARN
 * (`ModelConsumer.additionalTrustedRoleArns`).
 */
export class ModelSmokeTest extends pulumi.ComponentResource {
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  /** The function's execution role, to be trusted by the application roles. */
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ModelSmokeTestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:models:ModelSmokeTest", name, {}, opts);
    validate(args);

    const appRoleArns = args.models.map((m) => args.appRoleArns[m]);
    const fn = new NodeFunction(`${name}-fn`, {
      source: "model-smoke-test",
      description: `Smoke test of models ${args.models.join(", ")} through the private endpoints`,
      environment: {
        MODEL_NAMES: args.models.join(","),
        MODEL_ACCESS_ROLE_ARN: args.modelAccessRoleArn,
        APP_ROLE_ARNS: pulumi.jsonStringify(pulumi.output(Object.fromEntries(args.models.map((m) => [m, args.appRoleArns[m]])))),
        TEST_IMAGE_BUCKET: args.imageBucket,
        TEST_IMAGE_KEY: args.imageKey,
        MIN_CONFIDENCE: String(args.minConfidence ?? 50),
        PARAMETER_PREFIX: args.parameterPrefix ?? "/mlz/models",
      },
      policyStatements: smokeTestPolicyStatements(appRoleArns, {
        bucket: args.imageBucket,
        key: args.imageKey,
        kmsKeyArn: args.imageKmsKeyArn,
        partition: args.partition,
      }),
      timeoutSeconds: args.timeoutSeconds ?? 60,
      vpc: { subnetIds: args.subnetIds, securityGroupIds: args.securityGroupIds },
      tags: args.tags,
    }, { parent: this });

    this.functionName = fn.functionName;
    this.functionArn = fn.arn;
    this.roleArn = fn.roleArn;
    this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn, roleArn: this.roleArn });
  }
}

function validate(args: ModelSmokeTestArgs): void {
  if (!Array.isArray(args.models) || args.models.length === 0) {
    throw new Error(`[models] must name at least one model; got ${JSON.stringify(args.models)}`);
  }
  for (const m of args.models) {
    if (args.appRoleArns?.[m] === undefined) {
      throw new Error(`[appRoleArns] must hold the application role of every model in [models]; missing '${m}'`);
    }
  }
  if (typeof args.imageBucket !== "string" || !S3_BUCKET.test(args.imageBucket)) {
    throw new Error(`[imageBucket] must be an S3 bucket name; got '${args.imageBucket}'`);
  }
  if (typeof args.imageKey !== "string" || args.imageKey === "" || args.imageKey.startsWith("/")) {
    throw new Error(`[imageKey] must be an object key without a leading '/'; got '${args.imageKey}'`);
  }
  if (/[*?]|\$\{/.test(args.imageKey)) {
    throw new Error(`[imageKey] must not contain '*', '?' or '\${' (the function's policy grants exactly that object); got '${args.imageKey}'`);
  }
  if (args.imageKmsKeyArn !== undefined && !KMS_KEY_ARN.test(args.imageKmsKeyArn)) {
    throw new Error(`[imageKmsKeyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); got '${args.imageKmsKeyArn}'`);
  }
  if (args.partition !== undefined && !(PARTITIONS as readonly string[]).includes(args.partition)) {
    throw new Error(`[partition] must be aws, aws-cn or aws-us-gov; got '${args.partition}'`);
  }
  const minConfidence = args.minConfidence ?? 50;
  if (!(minConfidence >= 0 && minConfidence <= 100)) {
    throw new Error(`[minConfidence] must be from 0 to 100; got ${args.minConfidence}`);
  }
  if (!Array.isArray(args.subnetIds) || args.subnetIds.length === 0) {
    throw new Error(`[subnetIds] must hold at least one private subnet`);
  }
  if (!Array.isArray(args.securityGroupIds) || args.securityGroupIds.length === 0) {
    throw new Error(`[securityGroupIds] must hold at least one security group`);
  }
}
