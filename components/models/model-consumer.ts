import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import { appRoleName, modelAccessRoleName, modelEndpointParameterName, modelParameterName } from "../naming";
import { endpointNameForModelArn, parseModelVersionArn, type ModelKind, type ModelVersionArn } from "./arns";
import { roleArn } from "../aws";

/** One model an environment uses: the version it runs, as its stack config states it. */
export interface ConsumedModel {
  /** What serves the model. */
  readonly kind: ModelKind;
  /** Rekognition project-version ARN or SageMaker model ARN, in the ML account. */
  readonly versionArn: string;
}

export interface ModelConsumerArgs {
  /** Consumer environment (`qa`, `prod`); names the ML account's role `modelAccessRoleName(environment)`. Required. */
  readonly environment: string;
  /** Models this environment uses, by model name. Required (may be empty). */
  readonly models: Record<string, ConsumedModel>;
  /**
   * The ML account id. Every version must live in it: checked at once for a plain string, and when
   * the value resolves (failing the parameter with a resource error) for an Output. Required.
   */
  readonly mlAccountId: pulumi.Input<string>;
  /** Partition of every ARN. Defaults to `aws`. */
  readonly partition?: string;
  /** When set, every version must be in this region (the region of this environment's endpoints). Defaults to no check. */
  readonly region?: string;
  /**
   * Exact role ARNs (per model) that may assume the model's application role besides the Lambda
   * service, e.g. the smoke-test function's role. Defaults to none.
   */
  readonly additionalTrustedRoleArns?: Record<string, pulumi.Input<string>[]>;
  /** Tags for every resource (merged over the provider's default tags). Defaults to none. */
  readonly tags?: Record<string, string>;
}

const MODEL_NAME = /^[a-z0-9](?:[a-z0-9-]{0,54}[a-z0-9])?$/;

/** ARN of the ML account's role that environment `environment` assumes (`modelAccessRoleName`). */
export function modelAccessRoleArn(
  environment: string,
  mlAccountId: pulumi.Input<string>,
  partition = "aws",
): pulumi.Output<string> {
  return pulumi.output(roleArn(partition, mlAccountId, modelAccessRoleName(environment)));
}

/** Trust policy of an application role: the Lambda service (applications run as functions), plus exact extra roles. */
export function appRoleTrustStatements(extraRoleArns: pulumi.Input<string>[] = []): PolicyStatement<pulumi.Input<string>>[] {
  const statements: PolicyStatement<pulumi.Input<string>>[] = [{
    Sid: "LambdaRunsTheApplication",
    Effect: "Allow",
    Principal: { Service: "lambda.amazonaws.com" },
    Action: "sts:AssumeRole",
  }];
  if (extraRoleArns.length > 0) {
    statements.push({
      Sid: "ExactRolesActingAsTheApplication",
      Effect: "Allow",
      Principal: { AWS: extraRoleArns },
      Action: "sts:AssumeRole",
    });
  }
  return statements;
}

/**
 * Permissions of an application role: read its model's parameters (the version ARN, and for a
 * SageMaker model the endpoint name) and assume the ML account's role; nothing more.
 */
export function appRolePermissionStatements(
  parameterArns: pulumi.Input<string> | pulumi.Input<string>[],
  modelAccessRoleArn: pulumi.Input<string>,
): PolicyStatement<pulumi.Input<string>>[] {
  return [
    { Sid: "ReadModelVersionParameter", Effect: "Allow", Action: "ssm:GetParameter", Resource: parameterArns },
    { Sid: "AssumeModelAccessRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: modelAccessRoleArn },
  ];
}

/**
 * How an environment consumes the models shared from the ML account: per model, an SSM parameter
 * `/mlz/models/<model>/arn` (String) holding the version ARN the environment runs, for a SageMaker
 * model also `/mlz/models/<model>/endpoint` holding the name of the ML account's endpoint serving
 * that version (`endpointNameForModelArn`), and an application role `mlz-app-<model>` that may
 * read exactly those parameters and assume exactly the ML account's role for this environment.
 *
 * The application role trusts the Lambda service: applications run as Lambda functions in the
 * private network. Other exact role ARNs can be trusted per model (the smoke test's role, which
 * chains into the application role so the test proves the application's own permissions).
 */
export class ModelConsumer extends pulumi.ComponentResource {
  /** Parameter names by model (known before deployment). */
  public readonly parameterNames: Record<string, string>;
  /** Endpoint-name parameter names by SageMaker model (known before deployment). */
  public readonly endpointParameterNames: Record<string, string>;
  public readonly parameterArns: Record<string, pulumi.Output<string>>;
  public readonly appRoleArns: Record<string, pulumi.Output<string>>;
  public readonly appRoleNames: Record<string, string>;
  /** ARN of the ML account's role this environment assumes. */
  public readonly modelAccessRoleArn: pulumi.Output<string>;
  /** The version ARN each parameter holds, by model (what runs here: the ML stack reads it as live). */
  public readonly modelVersionArns: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ModelConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:models:ModelConsumer", name, {}, opts);
    const parsed = validate(args);
    const partition = args.partition ?? "aws";

    this.modelAccessRoleArn = modelAccessRoleArn(args.environment, args.mlAccountId, partition);
    const mlAccountId = pulumi.output(args.mlAccountId);

    this.parameterNames = {};
    this.endpointParameterNames = {};
    this.parameterArns = {};
    this.appRoleArns = {};
    this.appRoleNames = {};
    const values: Record<string, pulumi.Output<string>> = {};

    for (const model of Object.keys(args.models).sort()) {
      const version = parsed[model];
      const checkedArn = mlAccountId.apply((account) => {
        if (version.account !== account) {
          throw new pulumi.ResourceError(
            `[models.${model}.versionArn] must be in the ML account ${account}; got account ${version.account} in '${version.arn}'`,
            this,
          );
        }
        return version.arn;
      });

      const parameter = new aws.ssm.Parameter(`${name}-${model}-parameter`, {
        name: modelParameterName(model),
        type: "String",
        insecureValue: checkedArn,
        description: `Model-version ARN (${version.kind}) that the ${args.environment} environment uses for ${model}`,
        tags: args.tags,
      }, { parent: this });

      let endpointParameter: aws.ssm.Parameter | undefined;
      if (version.kind === "sagemaker") {
        endpointParameter = new aws.ssm.Parameter(`${name}-${model}-endpoint-parameter`, {
          name: modelEndpointParameterName(model),
          type: "String",
          insecureValue: checkedArn.apply(endpointNameForModelArn),
          description: `SageMaker endpoint (in the ML account) serving the version that the ${args.environment} environment uses for ${model}`,
          tags: args.tags,
        }, { parent: this });
        this.endpointParameterNames[model] = modelEndpointParameterName(model);
      }

      const role = new aws.iam.Role(`${name}-${model}-app-role`, {
        name: appRoleName(model),
        description: `Application role for model ${model} in ${args.environment}`,
        assumeRolePolicy: policyJson(policyDocument(appRoleTrustStatements(args.additionalTrustedRoleArns?.[model]))),
        maxSessionDuration: 3600,
        tags: args.tags,
      }, { parent: this });

      new aws.iam.RolePolicy(`${name}-${model}-app-permissions`, {
        role: role.id,
        policy: policyJson(policyDocument(appRolePermissionStatements(
          endpointParameter ? [parameter.arn, endpointParameter.arn] : parameter.arn,
          this.modelAccessRoleArn,
        ))),
      }, { parent: this });

      this.parameterNames[model] = modelParameterName(model);
      this.parameterArns[model] = parameter.arn;
      this.appRoleArns[model] = role.arn;
      this.appRoleNames[model] = appRoleName(model);
      values[model] = parameter.insecureValue.apply((v) => v ?? "");
    }
    this.modelVersionArns = pulumi.output(values);

    this.registerOutputs({
      parameterNames: this.parameterNames,
      endpointParameterNames: this.endpointParameterNames,
      parameterArns: this.parameterArns,
      appRoleArns: this.appRoleArns,
      appRoleNames: this.appRoleNames,
      modelAccessRoleArn: this.modelAccessRoleArn,
      modelVersionArns: this.modelVersionArns,
    });
  }
}

function validate(args: ModelConsumerArgs): Record<string, ModelVersionArn> {
  if (typeof args.environment !== "string" || !/^[a-z][a-z0-9-]{0,30}$/.test(args.environment)) {
    throw new Error(`[environment] must be a lower-case environment name such as 'qa' or 'prod'; got '${args.environment}'`);
  }
  if (args.models === null || typeof args.models !== "object" || Array.isArray(args.models)) {
    throw new Error(`[models] must be a map of model name to { kind, versionArn }; got ${JSON.stringify(args.models)}`);
  }
  const partition = args.partition ?? "aws";
  const parsed: Record<string, ModelVersionArn> = {};
  for (const model of Object.keys(args.models).sort()) {
    const entry = args.models[model];
    if (!MODEL_NAME.test(model)) {
      throw new Error(`[models] keys must be model names of lower-case letters, digits and '-' (at most 56 characters); got '${model}'`);
    }
    let version: ModelVersionArn;
    try {
      version = parseModelVersionArn(entry?.versionArn, entry?.kind);
    } catch (e) {
      throw new Error(`[models.${model}.versionArn] ${(e as Error).message}`);
    }
    if (version.partition !== partition) {
      throw new Error(`[models.${model}.versionArn] must be in partition '${partition}'; got '${version.arn}'`);
    }
    if (args.region !== undefined && version.region !== args.region) {
      throw new Error(
        `[models.${model}.versionArn] must be in region ${args.region}, where this environment's endpoints are; got '${version.arn}'`,
      );
    }
    if (typeof args.mlAccountId === "string" && version.account !== args.mlAccountId) {
      throw new Error(`[models.${model}.versionArn] must be in the ML account ${args.mlAccountId}; got account ${version.account} in '${version.arn}'`);
    }
    parsed[model] = version;
  }
  for (const model of Object.keys(args.additionalTrustedRoleArns ?? {})) {
    if (!(model in args.models)) {
      throw new Error(`[additionalTrustedRoleArns] names model '${model}', which is not in [models] (${Object.keys(args.models).sort().join(", ") || "none"})`);
    }
  }
  return parsed;
}
