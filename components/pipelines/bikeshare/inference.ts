import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson } from "../../iam/policy-document";
import { modelEndpointParameterName, modelParameterName } from "../../naming";
import { candidateEndpointName } from "../../models/arns";
import { DEFAULT_HOSTING_INSTANCE_COUNT, DEFAULT_HOSTING_INSTANCE_TYPE, declareModelEndpoint } from "../../models/sagemaker-model-hosting";
import type { InferenceContainer } from "./automl-job-provider";
import { modelRoleStatements, serviceTrust } from "./policies";

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

/** Sizing of the candidate's endpoint (stacks/parts/bikeshare.ts): the hosting defaults. */
export const DEFAULT_INSTANCE_TYPE = DEFAULT_HOSTING_INSTANCE_TYPE;
export const DEFAULT_INSTANCE_COUNT = DEFAULT_HOSTING_INSTANCE_COUNT;

const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;

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
  /** KMS key of the artifacts (the model role may decrypt through S3). Required. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Account the stack deploys into. Required. */
  readonly accountId: pulumi.Input<string>;
  /** Region of the stack. Required. */
  readonly region: string;
  /** Partition of the region. Defaults to `aws`. */
  readonly partition?: string;
  /**
   * Keep the SageMaker model in AWS when a new training run replaces it (or on destroy), so the
   * environments still referencing it keep their endpoints (declared by the ML stack's SageMaker
   * hosting) until they are promoted. Defaults to `true`.
   */
  readonly retainReplacedModels?: boolean;
  /**
   * Serve the model on the model's candidate endpoint `candidateEndpointName(model)`
   * (`mlz-<model>-candidate`): an endpoint with a fixed name whose endpoint configuration points at
   * this model, so a new training run (a new model) gets a new endpoint configuration and the same
   * endpoint is updated in place. Needs `endpointKmsKeyArn`. Defaults to `false` (no endpoint).
   */
  readonly serveCandidate?: boolean;
  /** KMS key encrypting the candidate endpoint's ML storage volumes. Required with `serveCandidate`. */
  readonly endpointKmsKeyArn?: pulumi.Input<string>;
  /** Instance type of the candidate endpoint. Defaults to `ml.m5.xlarge`. */
  readonly instanceType?: string;
  /** Instances of the candidate endpoint (1–10). Defaults to 1. */
  readonly instanceCount?: number;
  /**
   * Publish `/mlz/models/<model>/arn` in this account's SSM, and with `serveCandidate`
   * `/mlz/models/<model>/endpoint` naming the candidate endpoint (without it this account has no
   * endpoint known to serve the model, so none is published). Defaults to `true`.
   */
  readonly publishParameters?: boolean;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/**
 * Bike-share inference model: the Autopilot best candidate's containers (data transform,
 * algorithm, inverse label transform) as one `aws.sagemaker.Model` in Serial inference mode, with
 * its execution role, and with `serveCandidate` the candidate endpoint `mlz-<model>-candidate`
 * (`candidateEndpointName`): a KMS-encrypted endpoint configuration with one variant
 * (`AllTraffic`) serving this model, and the endpoint of that fixed name. A new training run
 * replaces the model and so the endpoint configuration (created before the old one is deleted),
 * and updates the endpoint in place. The versions environments reference are served elsewhere:
 * the ML stack's SageMaker hosting gives each its own endpoint `endpointNameForModelArn(arn)`
 * (components/models/sagemaker-model-hosting.ts), whose name can never be the candidate's.
 *
 * The model is kept in AWS when a new training run replaces it (`retainOnDelete`): consumers may
 * still reference it, and their endpoints need it. A model costs nothing by itself (its artifacts
 * stay in the Autopilot output bucket either way). Publishes `/mlz/models/<model>/arn` (and, when
 * serving the candidate, `/mlz/models/<model>/endpoint`) in this account's SSM unless
 * `publishParameters` is false.
 */
export class BikeshareInference extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly sagemakerModel: aws.sagemaker.Model;
  public readonly modelArn: pulumi.Output<string>;
  /** The candidate endpoint's configuration; undefined without `serveCandidate`. */
  public readonly endpointConfiguration: aws.sagemaker.EndpointConfiguration | undefined;
  /** The candidate endpoint; undefined without `serveCandidate`. */
  public readonly endpoint: aws.sagemaker.Endpoint | undefined;
  /** `candidateEndpointName(model)`, known before deployment; undefined without `serveCandidate`. */
  public readonly endpointName: string | undefined;
  /** Name of the published model ARN parameter; undefined when `publishParameters` is false. */
  public readonly modelArnParameterName: string | undefined;
  /** Name of the published endpoint parameter; undefined unless `publishParameters` and `serveCandidate`. */
  public readonly endpointParameterName: string | undefined;

  constructor(name: string, args: BikeshareInferenceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:BikeshareInference", name, {}, opts);
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(args.model)) {
      throw new Error(`[model] must be a model name (lowercase letters, digits and '-', starting with a letter); got '${args.model}'`);
    }
    if (!/^([a-zA-Z0-9!_.*'()-]+\/)+$/.test(args.modelDataPrefix)) {
      throw new Error(`[modelDataPrefix] must be an S3 key prefix of path segments ending in '/'; got '${args.modelDataPrefix}'`);
    }
    const serve = args.serveCandidate ?? false;
    const instanceType = args.instanceType ?? DEFAULT_INSTANCE_TYPE;
    const instanceCount = args.instanceCount ?? DEFAULT_INSTANCE_COUNT;
    if (serve) {
      if (args.endpointKmsKeyArn === undefined) {
        throw new Error("[endpointKmsKeyArn] is required with serveCandidate: the candidate endpoint's ML storage volumes must be encrypted with a KMS key");
      }
      if (!INSTANCE_TYPE.test(instanceType)) {
        throw new Error(`[instanceType] must be a SageMaker instance type such as 'ml.m5.xlarge'; got '${instanceType}'`);
      }
      if (!Number.isInteger(instanceCount) || instanceCount < 1 || instanceCount > 10) {
        throw new Error(`[instanceCount] must be a whole number from 1 to 10; got ${instanceCount}`);
      }
    }
    const retain = args.retainReplacedModels ?? true;
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

    this.modelArn = this.sagemakerModel.arn;

    if (serve) {
      this.endpointName = candidateEndpointName(args.model);
      ({ configuration: this.endpointConfiguration, endpoint: this.endpoint } = declareModelEndpoint(this, {
        configurationName: `${name}-endpoint-config`,
        endpointName: `${name}-endpoint`,
      }, {
        name: this.endpointName,
        modelName: this.sagemakerModel.name,
        instanceType,
        instanceCount,
        kmsKeyArn: args.endpointKmsKeyArn,
        tags: args.tags,
      }));
    }

    if (args.publishParameters ?? true) {
      this.modelArnParameterName = modelParameterName(args.model);
      new aws.ssm.Parameter(`${name}-arn-parameter`, {
        name: this.modelArnParameterName,
        type: "String",
        insecureValue: this.modelArn,
        description: `SageMaker model ARN of ${args.model} in this environment`,
        tags: args.tags,
      }, { parent: this });
      if (this.endpoint) {
        this.endpointParameterName = modelEndpointParameterName(args.model);
        new aws.ssm.Parameter(`${name}-endpoint-parameter`, {
          name: this.endpointParameterName,
          type: "String",
          insecureValue: this.endpoint.name,
          description: `SageMaker endpoint serving the latest ${args.model} candidate in this environment`,
          tags: args.tags,
        }, { parent: this });
      }
    }

    this.registerOutputs({
      role: this.role,
      sagemakerModel: this.sagemakerModel,
      modelArn: this.modelArn,
      endpointConfiguration: this.endpointConfiguration,
      endpoint: this.endpoint,
      endpointName: this.endpointName,
      modelArnParameterName: this.modelArnParameterName,
      endpointParameterName: this.endpointParameterName,
    });
  }
}
