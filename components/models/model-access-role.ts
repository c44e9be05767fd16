import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import { appRoleName, modelAccessRoleName } from "../naming";
import { accountRootArn, isAccountId, roleArn, sessionDuration } from "../aws";
import { MODEL_ACTIONS, MODEL_ENDPOINT_SERVICES, type ModelGrant } from "./grants";
import { REKOGNITION_PROJECT_VERSION_ARN, SAGEMAKER_ENDPOINT_ARN, type ModelKind } from "./arns";

export interface ModelAccessRoleArgs {
  /** Consumer environment (`qa`, `prod`); the role is named `modelAccessRoleName(environment)`. Required. */
  readonly environment: string;
  /** Account id of the consumer environment. Required. */
  readonly consumerAccountId: pulumi.Input<string>;
  /** Organization id (`o-…`) the caller must belong to (`aws:PrincipalOrgID`). Required. */
  readonly organizationId: pulumi.Input<string>;
  /**
   * Models whose application roles (`appRoleName(model)` in the consumer account) may assume this
   * role. Defaults to the models of `grants`. At least one is required.
   */
  readonly trustedModels?: readonly string[];
  /** What the role may call (from `computeGrants`). Defaults to nothing: the role gets no permissions. */
  readonly grants?: readonly ModelGrant[];
  /**
   * When set (prod), every call must come through the consumer's VPC endpoints (`aws:SourceVpce`),
   * keyed by endpoint service: `rekognition` for Rekognition grants, `sagemaker.runtime` for
   * SageMaker grants. Defaults to no endpoint condition.
   */
  readonly requireVpcEndpointIds?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Maximum session duration. Defaults to 3600 s (900–43200). */
  readonly maxSessionDurationSeconds?: number;
  /** Partition of the ML and consumer accounts (`aws`, `aws-cn`, `aws-us-gov`). Defaults to `aws`. */
  readonly partition?: string;
  /** Tags for the role. Defaults to none. */
  readonly tags?: Record<string, string>;
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const MODEL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const VPCE_ID = /^vpce-[0-9a-f]{8,17}$/;

const STATEMENT_SIDS: Record<ModelKind, string> = {
  rekognition: "DetectCustomLabelsOnGrantedVersions",
  sagemaker: "InvokeEndpointsOfGrantedVersions",
  comprehend: "ImportGrantedRecognizerVersions",
};

/**
 * Checks `ModelAccessRole`'s args (pure: no resources; ids given as Outputs are not checked) and
 * applies their defaults; throws naming the argument and the rule.
 */
export function validateModelAccessRoleArgs(args: ModelAccessRoleArgs): {
  grants: ModelGrant[];
  trustedModels: string[];
  kinds: ModelKind[];
  endpointIds: ModelAccessRoleArgs["requireVpcEndpointIds"];
  maxSession: number;
  partition: string;
} {
  if (typeof args.environment !== "string" || !ENV_NAME.test(args.environment)) {
    throw new Error(`[environment] must be a lower-case environment name matching ${ENV_NAME}; got ${JSON.stringify(args.environment)}`);
  }
  if (typeof args.consumerAccountId === "string" && !isAccountId(args.consumerAccountId)) {
    throw new Error(`[consumerAccountId] must be a 12-digit AWS account id; got '${args.consumerAccountId}'`);
  }
  if (typeof args.organizationId === "string" && !ORG_ID.test(args.organizationId)) {
    throw new Error(`[organizationId] must be an AWS Organizations id (o-…); got '${args.organizationId}'`);
  }
  const grants = [...(args.grants ?? [])];
  for (const g of grants) {
    const ok = g.kind === "rekognition"
      ? REKOGNITION_PROJECT_VERSION_ARN.test(g.resource) && g.resource === g.versionArn
      : SAGEMAKER_ENDPOINT_ARN.test(g.resource);
    if (g.action !== MODEL_ACTIONS[g.kind]) {
      throw new Error(`[grants] must use the action '${MODEL_ACTIONS[g.kind]}' for ${g.kind} models; got '${g.action}' for model '${g.model}'`);
    }
    if (!ok || g.resource.includes("*")) {
      throw new Error(`[grants] must hold exact ${g.kind === "rekognition" ? "Rekognition project-version" : "SageMaker endpoint"} ARNs; got '${g.resource}' for model '${g.model}'`);
    }
  }
  const trustedModels = [...new Set(args.trustedModels ?? grants.map((g) => g.model))].sort();
  if (trustedModels.length === 0) {
    throw new Error("[trustedModels] must name at least one model whose application role may assume the role; got none");
  }
  for (const m of trustedModels) {
    if (!MODEL_NAME.test(m)) throw new Error(`[trustedModels] must hold model names matching ${MODEL_NAME}; got '${m}'`);
  }
  const endpointIds = args.requireVpcEndpointIds;
  const kinds = [...new Set(grants.map((g) => g.kind))].sort() as ModelKind[];
  if (endpointIds !== undefined) {
    for (const kind of kinds) {
      const service = MODEL_ENDPOINT_SERVICES[kind];
      const id = endpointIds[service];
      if (id === undefined) {
        throw new Error(`[requireVpcEndpointIds] must hold the '${service}' endpoint id for the ${kind} grants of '${args.environment}'; got keys ${JSON.stringify(Object.keys(endpointIds).sort())}`);
      }
      if (typeof id === "string" && !VPCE_ID.test(id)) {
        throw new Error(`[requireVpcEndpointIds] must hold VPC endpoint ids (vpce-…); got '${id}' for '${service}'`);
      }
    }
  }
  const maxSession = sessionDuration(args.maxSessionDurationSeconds);
  const partition = args.partition ?? "aws";
  return { grants, trustedModels, kinds, endpointIds, maxSession, partition };
}

/**
 * The role in the ML account that ONE consumer environment assumes to call its models.
 *
 * Trust: principal the consumer account, limited by `aws:PrincipalArn` to the exact application
 * role ARNs and by `aws:PrincipalOrgID` to the organization. (A role ARN written as the principal
 * would make IAM refuse the policy while the application role does not exist yet, i.e. during the
 * first promotion of a new model, and would silently break when that role is recreated; the
 * `aws:PrincipalArn` condition admits exactly the same callers without either problem.)
 *
 * Permissions: the granted action on exactly the granted resources, one statement per model kind;
 * with `requireVpcEndpointIds`, only through those endpoints. No grants: no permission policy at all.
 */
export class ModelAccessRole extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly arn: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;
  /** Version ARNs the role may call (sorted). */
  public readonly grantedVersionArns: pulumi.Output<string[]>;

  constructor(name: string, args: ModelAccessRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:models:ModelAccessRole", name, {}, opts);

    const { grants, trustedModels, kinds, endpointIds, maxSession, partition } = validateModelAccessRoleArgs(args);

    const account = pulumi.output(args.consumerAccountId);
    const trust = policyDocument<pulumi.Input<string>>([{
      Sid: "AssumeFromConsumerApplicationRoles",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(partition, account) },
      Action: "sts:AssumeRole",
      Condition: {
        ArnEquals: { "aws:PrincipalArn": trustedModels.map((m) => roleArn(partition, account, appRoleName(m))) },
        StringEquals: { "aws:PrincipalOrgID": args.organizationId },
      },
    }]);

    this.role = new aws.iam.Role(`${name}-role`, {
      name: modelAccessRoleName(args.environment),
      description: `Lets the ${args.environment} application roles call the model versions granted to ${args.environment}`,
      assumeRolePolicy: policyJson(trust),
      maxSessionDuration: maxSession,
      tags: args.tags,
    }, { parent: this });

    const statements: PolicyStatement<pulumi.Input<string>>[] = kinds.map((kind) => {
      const ofKind = grants.filter((g) => g.kind === kind);
      const statement: PolicyStatement<pulumi.Input<string>> = {
        Sid: STATEMENT_SIDS[kind],
        Effect: "Allow",
        Action: ofKind[0].action,
        Resource: [...new Set(ofKind.map((g) => g.resource))].sort(),
      };
      if (endpointIds !== undefined) {
        statement.Condition = { StringEquals: { "aws:SourceVpce": endpointIds[MODEL_ENDPOINT_SERVICES[kind]] } };
      }
      return statement;
    });
    if (statements.length > 0) {
      new aws.iam.RolePolicy(`${name}-invoke`, {
        role: this.role.name,
        name: "invoke-granted-model-versions",
        policy: policyJson(policyDocument(statements)),
      }, { parent: this });
    }

    this.arn = this.role.arn;
    this.roleName = this.role.name;
    this.grantedVersionArns = pulumi.output([...new Set(grants.map((g) => g.versionArn))].sort());
    this.registerOutputs({
      role: this.role,
      arn: this.arn,
      roleName: this.roleName,
      grantedVersionArns: this.grantedVersionArns,
    });
  }
}
