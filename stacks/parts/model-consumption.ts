/**
 * Workload stacks (qa, prod): how an environment consumes the models shared from the ML account.
 * A private network with the service endpoints, per model an SSM parameter with the version in
 * use and an application role, and a smoke-test function the promotion workflow invokes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import type { ConsumedModel } from "../config";
import type { StackContext } from "../context";
import { PrivateNetwork, zoneIdPrefix } from "../../components/network/private-network";
import { ModelConsumer, modelAccessRoleArn as modelAccessRoleArnFor } from "../../components/models/model-consumer";
import { ModelSmokeTest } from "../../components/models/smoke-test";
import { appRoleName } from "../../components/naming";
import { KMS_KEY_ARN, roleArn } from "../../components/aws";
import { SecureBucket } from "../../components/storage/secure-bucket";

export const DEFAULT_MODEL_NETWORK_CIDR = "10.40.0.0/16";
/** Root of the repository: `imageFile` paths are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** The known image of the repository (assets/smoke-test/README.md). */
export const DEFAULT_SMOKE_TEST_IMAGE = "assets/smoke-test/known-image.png";
/** DetectCustomLabels takes image bytes of at most 4 MiB, PNG or JPEG. */
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
const IMAGE_TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg" };

/**
 * The smoke-test image file (`imageFile`, relative to the repository root): its absolute path and
 * content type. Throws naming the key when it is missing, not PNG/JPEG, or over 4 MiB.
 */
export function smokeTestImageFile(imageFile: string, root: string = PROJECT_ROOT): { path: string; contentType: string } {
  const full = path.resolve(root, imageFile);
  const contentType = IMAGE_TYPES[path.extname(full).toLowerCase()];
  if (!contentType) throw new Error(`ml-landing-zone:modelSmokeTest.imageFile: expected a .png, .jpg or .jpeg file; got '${imageFile}'`);
  if (!fs.existsSync(full) || !fs.statSync(full).isFile()) throw new Error(`ml-landing-zone:modelSmokeTest.imageFile: '${imageFile}' does not exist (paths are relative to the repository root)`);
  const size = fs.statSync(full).size;
  if (size > MAX_IMAGE_BYTES) throw new Error(`ml-landing-zone:modelSmokeTest.imageFile: '${imageFile}' is ${size} bytes; DetectCustomLabels takes at most ${MAX_IMAGE_BYTES}`);
  return { path: full, contentType };
}

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.<stack>.yaml`). */
export const modelConsumptionConfigSchema = z.object({
  /** The environment's private network. Defaults to 10.40.0.0/16 in zone IDs `<code>-az1`, `<code>-az2`. */
  modelNetwork: z.strictObject({
    /** Private IPv4 range of the VPC (/16–/24); each subnet is a quarter. Defaults to 10.40.0.0/16. */
    cidrBlock: z.string().default(DEFAULT_MODEL_NETWORK_CIDR),
    /**
     * Zone IDs of the private subnets (2–4), e.g. `use1-az1`: zone IDs name the same zone in every
     * account (zone names do not), so pick ones that offer every interface endpoint service
     * (`aws ec2 describe-vpc-endpoint-services --service-names com.amazonaws.<region>.rekognition`
     * lists them under AvailabilityZones by name: map names to IDs with `aws ec2
     * describe-availability-zones`). Defaults to `<code>-az1`, `<code>-az2` (e.g. use1-az1, use1-az2).
     */
    availabilityZoneIds: z.array(z.string().regex(/^[a-z]{2,}\d+-az\d{1,2}$/, { error: (i) => `expected an availability zone ID such as 'use1-az1' (not a zone name such as 'us-east-1a'); got '${String(i.input)}'` }))
      .min(2, { error: "expected at least 2 availability zone IDs" }).max(4, { error: "expected at most 4 availability zone IDs" }).optional(),
    /** Interface endpoints. Defaults to rekognition, sts, ssm, sagemaker.runtime. */
    interfaceServices: z.array(z.string()).min(1).optional(),
  }).prefault({}),
  /** The smoke test. Defaults to none (no function). */
  modelSmokeTest: z.strictObject({
    /** Model the smoke test calls (a Rekognition model of `models`). */
    model: z.string(),
    /**
     * Name of the bucket this stack creates (hardened: SSE-KMS, versioning, public access blocked,
     * TLS only) for the test image, in this account and region (globally unique). The function reads
     * the image with its own role (s3:GetObject on exactly that object) and sends its bytes to
     * DetectCustomLabels; the ML account's role needs no access to it.
     */
    imageBucket: z.string(),
    /** Key of the test image in that bucket. */
    imageKey: z.string(),
    /**
     * The known image this stack uploads to `imageBucket`/`imageKey`: a PNG or JPEG file of the
     * repository (at most 4 MiB), relative to its root. Defaults to assets/smoke-test/known-image.png.
     */
    imageFile: z.string().default(DEFAULT_SMOKE_TEST_IMAGE),
    /** Customer-managed KMS key of the image bucket (key ARN). Defaults to the account's `aws/s3` key. */
    imageKmsKeyArn: z.string().regex(KMS_KEY_ARN, { error: (i) => `expected a KMS key ARN; got '${String(i.input)}'` }).optional(),
    /** DetectCustomLabels minimum confidence. Defaults to 50. */
    minConfidence: z.number().min(0).max(100).default(50),
  }).optional(),
});

export type ModelConsumptionConfig = z.infer<typeof modelConsumptionConfigSchema>;

export interface ModelConsumptionOutputs {
  /** Version ARN each model's parameter holds: what runs here (the ML stack reads it as "live"). */
  modelVersionArns: pulumi.Output<Record<string, string>>;
  /** VPC endpoint ids by service (`rekognition`, `sts`, `ssm`, `sagemaker.runtime`, `s3`). */
  modelEndpointIds: pulumi.Output<Record<string, string>>;
  /** SSM parameter names by model. */
  modelParameterNames: Record<string, string>;
  /** Application role ARNs by model. */
  modelAppRoleArns: pulumi.Output<Record<string, string>>;
  /** Name of the smoke-test function; undefined without `modelSmokeTest`. */
  smokeTestFunctionName: pulumi.Output<string> | undefined;
  vpcId: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string[]>;
  endpointSecurityGroupId: pulumi.Output<string>;
}

/**
 * Declares the model consumption of a workload stack. `models` is the stack's `models` map;
 * `mlAccountId` the ML account's id (e.g. `ctx.accountIds.apply(a => a.ml)`).
 */
export function declareModelConsumption(
  ctx: StackContext,
  cfg: ModelConsumptionConfig,
  models: Record<string, ConsumedModel>,
  mlAccountId: pulumi.Output<string>,
): ModelConsumptionOutputs {
  // `modelSmokeTest.model` names a Rekognition model of `models`: checked with the config (stacks/config.ts, workloadSchema).
  const smoke = cfg.modelSmokeTest;
  const image = smoke ? smokeTestImageFile(smoke.imageFile) : undefined;
  const opts = { provider: ctx.provider };
  const environment = ctx.stack;

  const network = new PrivateNetwork("model-network", {
    region: ctx.region,
    cidrBlock: cfg.modelNetwork.cidrBlock,
    availabilityZoneIds: cfg.modelNetwork.availabilityZoneIds ?? [`${zoneIdPrefix(ctx.region)}-az1`, `${zoneIdPrefix(ctx.region)}-az2`],
    organizationId: ctx.organizationId,
    interfaceServices: cfg.modelNetwork.interfaceServices,
  }, opts);

  const modelAccessRoleArn = modelAccessRoleArnFor(environment, mlAccountId, ctx.partition);

  let smokeTest: ModelSmokeTest | undefined;
  if (smoke && image) {
    // The test image: a hardened bucket of this stack, and the repository's known image in it.
    const imageBucket = new SecureBucket("model-smoke-test-images", {
      bucketName: smoke.imageBucket,
      kmsKeyArn: smoke.imageKmsKeyArn,
    }, opts);
    const imageObject = new aws.s3.BucketObjectv2("model-smoke-test-image", {
      bucket: imageBucket.bucketName,
      key: smoke.imageKey,
      source: new pulumi.asset.FileAsset(image.path),
      contentType: image.contentType,
      ...(smoke.imageKmsKeyArn ? { serverSideEncryption: "aws:kms", kmsKeyId: smoke.imageKmsKeyArn } : {}),
    }, opts);
    smokeTest = new ModelSmokeTest("model-smoke-test", {
      models: [smoke.model],
      appRoleArns: { [smoke.model]: roleArn(ctx.partition, ctx.accountId, appRoleName(smoke.model)) },
      modelAccessRoleArn,
      imageBucket: smoke.imageBucket,
      imageKey: smoke.imageKey,
      imageKmsKeyArn: smoke.imageKmsKeyArn,
      partition: ctx.partition,
      minConfidence: smoke.minConfidence,
      subnetIds: network.subnetIds,
      securityGroupIds: [network.securityGroupId],
    }, { ...opts, dependsOn: [imageObject] });
  }

  const consumer = new ModelConsumer("model-consumer", {
    environment,
    models: Object.fromEntries(Object.entries(models).map(([m, e]) => [m, { kind: e.kind, versionArn: e.versionArn }])),
    mlAccountId,
    partition: ctx.partition,
    region: ctx.region,
    additionalTrustedRoleArns: smoke && smokeTest ? { [smoke.model]: [smokeTest.roleArn] } : undefined,
  }, opts);

  return {
    modelVersionArns: consumer.modelVersionArns,
    modelEndpointIds: pulumi.output(network.endpointIds),
    modelParameterNames: consumer.parameterNames,
    modelAppRoleArns: pulumi.output(consumer.appRoleArns),
    smokeTestFunctionName: smokeTest?.functionName,
    vpcId: network.vpcId,
    privateSubnetIds: pulumi.output(network.subnetIds),
    endpointSecurityGroupId: network.securityGroupId,
  };
}
