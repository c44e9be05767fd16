import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { endpointNameForModelArn, parseSageMakerModelArn } from "./arns";

export const DEFAULT_HOSTING_INSTANCE_TYPE = "ml.m5.xlarge";
export const DEFAULT_HOSTING_INSTANCE_COUNT = 1;
/** Name of the single production variant. */
export const HOSTING_VARIANT_NAME = "AllTraffic";

/**
 * The endpoint configuration (one `AllTraffic` variant serving `modelName`, no physical name: a new
 * model replaces the configuration, create before delete) and the endpoint with its fixed `name`
 * (the configuration changes, the endpoint is updated in place), as children of `parent` under the
 * given logical names. Both hosting paths (`SageMakerModelHosting`, the bike-share candidate) use it.
 */
export function declareModelEndpoint(
  parent: pulumi.Resource,
  logicalNames: { configurationName: string; endpointName: string },
  args: {
    name: pulumi.Input<string>;
    modelName: pulumi.Input<string>;
    instanceType: pulumi.Input<string>;
    instanceCount: pulumi.Input<number>;
    kmsKeyArn?: pulumi.Input<string>;
    tags?: Record<string, string>;
  },
): { configuration: aws.sagemaker.EndpointConfiguration; endpoint: aws.sagemaker.Endpoint } {
  const configuration = new aws.sagemaker.EndpointConfiguration(logicalNames.configurationName, {
    kmsKeyArn: args.kmsKeyArn,
    productionVariants: [{
      variantName: HOSTING_VARIANT_NAME,
      modelName: args.modelName,
      initialInstanceCount: args.instanceCount,
      instanceType: args.instanceType,
      initialVariantWeight: 1,
    }],
    tags: args.tags,
  }, { parent });
  const endpoint = new aws.sagemaker.Endpoint(logicalNames.endpointName, {
    name: args.name,
    endpointConfigName: configuration.name,
    tags: args.tags,
  }, { parent });
  return { configuration, endpoint };
}

const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;

export interface SageMakerModelHostingArgs {
  /**
   * The SageMaker model version to serve: `arn:<partition>:sagemaker:<region>:<account>:model/<name>`.
   * The model itself (created by a training run) must exist in this account and region; the
   * endpoint configuration refers to it by the name in the ARN. Required.
   */
  readonly modelArn: string;
  /** KMS key that encrypts the ML storage volumes of the endpoint's instances. Required. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Instance type of the variant. Defaults to `ml.m5.xlarge`. */
  readonly instanceType?: string;
  /** Instances of the variant (1–10). Defaults to 1. */
  readonly instanceCount?: number;
  /** Region of the stack: the model must be in it. Defaults to no check. */
  readonly region?: string;
  /**
   * Account the stack deploys into: the model must be in it (checked at once for a plain string,
   * and when the value resolves for an Output). Defaults to no check.
   */
  readonly accountId?: pulumi.Input<string>;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/**
 * Hosting of one SageMaker model version: a KMS-encrypted endpoint configuration with one variant
 * (`AllTraffic`) serving the existing model named in the ARN, and the endpoint named
 * `endpointNameForModelArn(modelArn)`, the name the consumers' model access roles are granted
 * `sagemaker:InvokeEndpoint` on. One endpoint per version: a promotion never changes what an
 * existing endpoint serves, and removing the component (no environment references the version any
 * more) deletes the endpoint, so an unused version stops costing money. The model is not owned
 * here: training runs create it, and it outlives its endpoint.
 */
export class SageMakerModelHosting extends pulumi.ComponentResource {
  public readonly endpointConfiguration: aws.sagemaker.EndpointConfiguration;
  public readonly endpoint: aws.sagemaker.Endpoint;
  /** The served model's name (from the ARN). */
  public readonly modelName: string;
  /** `endpointNameForModelArn(modelArn)`, known before deployment. */
  public readonly endpointName: string;
  public readonly endpointArn: pulumi.Output<string>;

  constructor(name: string, args: SageMakerModelHostingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:models:SageMakerModelHosting", name, {}, opts);
    let parsed;
    try {
      parsed = parseSageMakerModelArn(args.modelArn);
    } catch (e) {
      throw new Error(`[modelArn] ${(e as Error).message}`);
    }
    if (args.region !== undefined && parsed.region !== args.region) {
      throw new Error(`[modelArn] must be in region ${args.region}, where the endpoint is; got '${args.modelArn}'`);
    }
    if (typeof args.accountId === "string" && parsed.account !== args.accountId) {
      throw new Error(`[modelArn] must be in account ${args.accountId}, where the endpoint is; got account ${parsed.account} in '${args.modelArn}'`);
    }
    const instanceType = args.instanceType ?? DEFAULT_HOSTING_INSTANCE_TYPE;
    if (!INSTANCE_TYPE.test(instanceType)) {
      throw new Error(`[instanceType] must be a SageMaker instance type such as 'ml.m5.xlarge'; got '${instanceType}'`);
    }
    const instanceCount = args.instanceCount ?? DEFAULT_HOSTING_INSTANCE_COUNT;
    if (!Number.isInteger(instanceCount) || instanceCount < 1 || instanceCount > 10) {
      throw new Error(`[instanceCount] must be a whole number from 1 to 10; got ${instanceCount}`);
    }
    this.modelName = parsed.name;
    this.endpointName = endpointNameForModelArn(args.modelArn);

    const modelName = args.accountId === undefined || typeof args.accountId === "string"
      ? pulumi.output(parsed.name)
      : pulumi.output(args.accountId).apply((account) => {
        if (parsed.account !== account) {
          throw new pulumi.ResourceError(`[modelArn] must be in account ${account}, where the endpoint is; got account ${parsed.account} in '${args.modelArn}'`, this);
        }
        return parsed.name;
      });

    ({ configuration: this.endpointConfiguration, endpoint: this.endpoint } = declareModelEndpoint(this, {
      configurationName: `${name}-config`,
      endpointName: `${name}-endpoint`,
    }, {
      name: this.endpointName,
      modelName,
      instanceType,
      instanceCount,
      kmsKeyArn: args.kmsKeyArn,
      tags: args.tags,
    }));
    this.endpointArn = this.endpoint.arn;

    this.registerOutputs({
      endpointConfiguration: this.endpointConfiguration,
      endpoint: this.endpoint,
      modelName: this.modelName,
      endpointName: this.endpointName,
      endpointArn: this.endpointArn,
    });
  }
}
