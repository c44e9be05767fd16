/**
 * Workload stacks (qa, prod): how an environment consumes the models shared from the ML account.
 * A private network with the service endpoints, per model an SSM parameter with the version in
 * use and an application role, and a smoke-test function the promotion workflow invokes.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ConsumedModel } from "../config";
import type { StackContext } from "../context";
import { PrivateNetwork } from "../../components/network/private-network";
import { ModelConsumer, modelAccessRoleArn as modelAccessRoleArnFor } from "../../components/models/model-consumer";
import { ModelSmokeTest } from "../../components/models/smoke-test";
import { appRoleName } from "../../components/naming";
import { roleArn } from "../../components/aws";

export const DEFAULT_MODEL_NETWORK_CIDR = "10.40.0.0/16";

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.<stack>.yaml`). */
export const modelConsumptionConfigSchema = z.object({
  /** The environment's private network. Defaults to 10.40.0.0/16 in zones `<region>a`, `<region>b`. */
  modelNetwork: z.strictObject({
    /** Private IPv4 range of the VPC (/16–/24); each subnet is a quarter. Defaults to 10.40.0.0/16. */
    cidrBlock: z.string().default(DEFAULT_MODEL_NETWORK_CIDR),
    /** Zones of the private subnets (2–4). Defaults to `<region>a`, `<region>b`. */
    availabilityZones: z.array(z.string()).min(2, { error: "expected at least 2 availability zones" }).max(4, { error: "expected at most 4 availability zones" }).optional(),
    /** Interface endpoints. Defaults to rekognition, sts, ssm, sagemaker.runtime. */
    interfaceServices: z.array(z.string()).min(1).optional(),
  }).prefault({}),
  /** The smoke test. Defaults to none (no function). */
  modelSmokeTest: z.strictObject({
    /** Model the smoke test calls (a Rekognition model of `models`). */
    model: z.string(),
    /**
     * Bucket of the test image, in this account and region. The function reads the image with its
     * own role (s3:GetObject on exactly that object) and sends its bytes to DetectCustomLabels; the
     * ML account's role needs no access to it.
     */
    imageBucket: z.string(),
    /** Key of the test image (PNG or JPEG, at most 4 MiB). */
    imageKey: z.string(),
    /** Customer-managed KMS key of an SSE-KMS image bucket (key ARN). Defaults to none. */
    imageKmsKeyArn: z.string().regex(/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+$/, { error: (i) => `expected a KMS key ARN; got '${String(i.input)}'` }).optional(),
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
  const opts = { provider: ctx.provider };
  const environment = ctx.stack;

  const network = new PrivateNetwork("model-network", {
    region: ctx.region,
    cidrBlock: cfg.modelNetwork.cidrBlock,
    availabilityZones: cfg.modelNetwork.availabilityZones ?? [`${ctx.region}a`, `${ctx.region}b`],
    organizationId: ctx.organizationId,
    interfaceServices: cfg.modelNetwork.interfaceServices,
  }, opts);

  const modelAccessRoleArn = modelAccessRoleArnFor(environment, mlAccountId, ctx.partition);

  let smokeTest: ModelSmokeTest | undefined;
  if (smoke) {
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
    }, opts);
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
