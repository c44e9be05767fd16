import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson } from "../../iam/policy-document";
import { modelParameterName } from "../../naming";
import { endpointNameForModelArn } from "../../models/arns";
import type { InferenceContainer } from "./automl-job-provider";
import { modelRoleStatements, serviceTrust } from "./policies";

/** SSM parameter holding the endpoint name that serves `model` (beside `modelParameterName`). */
export function modelEndpointParameterName(model: string): string {
  return `/mlz/models/${model}/endpoint`;
}

/**
 * SageMaker model name for the model trained by an Autopilot job: `<model>-<yyyyMMddHHmmss>` from
 * the job name's timestamp (e.g. `bikeshare-classifier-20261101101500`), else `<model>-<job name>`;
 * cut to SageMaker's 63 characters.
 */
export function modelNameForJob(model: string, jobName: string): string {
  const stamp = /-(\d{14})$/.exec(jobName)?.[1];
  const name = `${model}-${stamp ?? jobName}`.replace(/[^a-zA-Z0-9-]/g, "-").replace(/-+/g, "-");
  return name.slice(0, 63).replace(/-+$/, "");
}

export const DEFAULT_INSTANCE_TYPE = "ml.m5.xlarge";
export const DEFAULT_INSTANCE_COUNT = 1;

export interface BikeshareInferenceArgs {
  /** Model key (`models` map of the ml stack); names the SSM parameters. Required. */
  readonly model: string;
  /** SageMaker model name (1–63 letters, digits, dashes), e.g. from `modelNameForJob`. Required. */
  readonly modelName: pulumi.Input<string>;
  /** The best candidate's inference containers, in serving order. Required. */
  readonly containers: pulumi.Input<InferenceContainer[]>;
  /** Bucket holding the model artifacts (Autopilot's output bucket). Required. */
  readonly modelDataBucketArn: pulumi.Input<string>;
  /** Key prefix of the artifacts (Autopilot's output prefix). Required. */
  readonly modelDataPrefix: string;
  /** KMS key: endpoint storage volumes and the artifacts' encryption. Required. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Account the stack deploys into. Required. */
  readonly accountId: pulumi.Input<string>;
  /** Region of the stack. Required. */
  readonly region: string;
  /** Partition of the region. Defaults to `aws`. */
  readonly partition?: string;
  /** Endpoint instance type. Defaults to `ml.m5.xlarge`. */
  readonly instanceType?: string;
  /** Endpoint instance count. Defaults to 1. */
  readonly instanceCount?: number;
  /**
   * Keep the model, endpoint configuration and endpoint in AWS when a retraining replaces them, so
   * an environment still pointing at the previous version keeps working until it is promoted.
   * Defaults to `true`.
   */
  readonly retainReplacedVersions?: boolean;
  /**
   * Publish `/mlz/models/<model>/arn` and `/mlz/models/<model>/endpoint` in this account's SSM.
   * Defaults to `true`.
   */
  readonly publishParameters?: boolean;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/**
 * Bike-share inference: the Autopilot best candidate's containers (data transform, algorithm,
 * inverse label transform) as one `aws.sagemaker.Model` in Serial inference mode, a KMS-encrypted
 * endpoint configuration, and the endpoint named by `endpointNameForModelArn` (one endpoint per
 * model version, so a promotion never changes what an existing endpoint serves). Publishes
 * `/mlz/models/<model>/arn` and `/mlz/models/<model>/endpoint` in this account's SSM (unless
 * `publishParameters` is false).
 */
export class BikeshareInference extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly sagemakerModel: aws.sagemaker.Model;
  public readonly endpointConfiguration: aws.sagemaker.EndpointConfiguration;
  public readonly endpoint: aws.sagemaker.Endpoint;
  public readonly modelArn: pulumi.Output<string>;
  public readonly endpointName: pulumi.Output<string>;
  /** Names of the published parameters; undefined when `publishParameters` is false. */
  public readonly modelArnParameterName: string | undefined;
  public readonly endpointParameterName: string | undefined;

  constructor(name: string, args: BikeshareInferenceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:BikeshareInference", name, {}, opts);
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(args.model)) {
      throw new Error(`[model] must be a model name (lowercase letters, digits and '-', starting with a letter); got '${args.model}'`);
    }
    if (!/^([a-zA-Z0-9!_.*'()-]+\/)+$/.test(args.modelDataPrefix)) {
      throw new Error(`[modelDataPrefix] must be an S3 key prefix of path segments ending in '/'; got '${args.modelDataPrefix}'`);
    }
    const instanceType = args.instanceType ?? DEFAULT_INSTANCE_TYPE;
    if (!/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType)) {
      throw new Error(`[instanceType] must be a SageMaker instance type such as 'ml.m5.xlarge'; got '${instanceType}'`);
    }
    const instanceCount = args.instanceCount ?? DEFAULT_INSTANCE_COUNT;
    if (!Number.isInteger(instanceCount) || instanceCount < 1) {
      throw new Error(`[instanceCount] must be a whole number ≥ 1; got ${instanceCount}`);
    }
    const retain = args.retainReplacedVersions ?? true;
    const partition = args.partition ?? "aws";

    this.role = new aws.iam.Role(`${name}-role`, {
      description: `SageMaker execution role of the ${args.model} model`,
      assumeRolePolicy: policyJson(policyDocument([serviceTrust("sagemaker.amazonaws.com", args.accountId)])),
      tags: args.tags,
    }, { parent: this });
    const permissions = new aws.iam.RolePolicy(`${name}-permissions`, {
      role: this.role.id,
      policy: policyJson(policyDocument(modelRoleStatements({
        modelBucketArn: args.modelDataBucketArn,
        modelPrefix: args.modelDataPrefix,
        region: args.region,
        partition,
        accountId: args.accountId,
        kmsKeyArn: args.kmsKeyArn,
      }))),
    }, { parent: this });

    const modelName = pulumi.output(args.modelName).apply((n) => {
      if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(n)) {
        throw new pulumi.ResourceError(`[modelName] must be 1-63 letters, digits or inner dashes; got '${n}'`, this);
      }
      return n;
    });
    this.sagemakerModel = new aws.sagemaker.Model(`${name}-model`, {
      name: modelName,
      executionRoleArn: this.role.arn,
      containers: pulumi.output(args.containers).apply((cs) => cs.map((c) => ({
        image: c.image,
        modelDataUrl: c.modelDataUrl,
        environment: c.environment,
      }))),
      inferenceExecutionConfig: { mode: "Serial" },
      enableNetworkIsolation: false,
      tags: args.tags,
    }, { parent: this, dependsOn: [permissions], retainOnDelete: retain });

    this.endpointConfiguration = new aws.sagemaker.EndpointConfiguration(`${name}-endpoint-config`, {
      kmsKeyArn: args.kmsKeyArn,
      productionVariants: [{
        variantName: "AllTraffic",
        modelName: this.sagemakerModel.name,
        initialInstanceCount: instanceCount,
        instanceType,
        initialVariantWeight: 1,
      }],
      tags: args.tags,
    }, { parent: this, retainOnDelete: retain });

    this.modelArn = this.sagemakerModel.arn;
    this.endpoint = new aws.sagemaker.Endpoint(`${name}-endpoint`, {
      name: this.modelArn.apply(endpointNameForModelArn),
      endpointConfigName: this.endpointConfiguration.name,
      tags: args.tags,
    }, { parent: this, retainOnDelete: retain });
    this.endpointName = this.endpoint.name;

    if (args.publishParameters ?? true) {
      this.modelArnParameterName = modelParameterName(args.model);
      this.endpointParameterName = modelEndpointParameterName(args.model);
      new aws.ssm.Parameter(`${name}-arn-parameter`, {
        name: this.modelArnParameterName,
        type: "String",
        insecureValue: this.modelArn,
        description: `SageMaker model ARN of ${args.model} in this environment`,
        tags: args.tags,
      }, { parent: this });
      new aws.ssm.Parameter(`${name}-endpoint-parameter`, {
        name: this.endpointParameterName,
        type: "String",
        insecureValue: this.endpointName,
        description: `SageMaker endpoint serving ${args.model} in this environment`,
        tags: args.tags,
      }, { parent: this });
    }

    this.registerOutputs({
      role: this.role,
      sagemakerModel: this.sagemakerModel,
      endpointConfiguration: this.endpointConfiguration,
      endpoint: this.endpoint,
      modelArn: this.modelArn,
      endpointName: this.endpointName,
      modelArnParameterName: this.modelArnParameterName,
      endpointParameterName: this.endpointParameterName,
    });
  }
}
