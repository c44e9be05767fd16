import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, type PolicyStatement } from "../iam/policy-document";
import { IAM_ROLE_ARN, REGION_NAME, accountOfArn, accountRootArn, arn, isAccountId, isRoleName, sessionDuration } from "../aws";

/** Role in the ML account that the promotion workflow chains into for its online checks. */
export const PROMOTION_READER_ROLE_NAME = "mlz-promotion-reader";

/**
 * Exactly the calls of promotion/checks.ts: Rekognition `DescribeProjects` (project name → ARN) and
 * `DescribeProjectVersions`, SageMaker `DescribeModel` and `ListTags` (the `mlz:f1` tag).
 */
export const PROMOTION_READER_ACTIONS = [
  "rekognition:DescribeProjects",
  "rekognition:DescribeProjectVersions",
  "sagemaker:DescribeModel",
  "sagemaker:ListTags",
] as const;

export interface PromotionReaderArgs {
  /**
   * The only principal allowed to assume the role: the exact ARN of the CI/CD account's promotion
   * role (never a wildcard, never an account root). The trust names its account as principal and
   * pins the ARN with `aws:PrincipalArn`, so that role need not exist when this one is created.
   */
  readonly trustedRoleArn: pulumi.Input<string>;
  /** Organization id; the caller must belong to it (`aws:PrincipalOrgID`). */
  readonly organizationId: pulumi.Input<string>;
  /** The account this role lives in, which holds the models: permissions are scoped to it. */
  readonly accountId: pulumi.Input<string>;
  /** Regions the models live in (e.g. `["us-east-1"]`); permissions are scoped to them. At least one. */
  readonly regions: string[];
  /** Role name. Defaults to `mlz-promotion-reader`. */
  readonly roleName?: string;
  /** Maximum session duration in seconds (900–43200). Defaults to 3600. */
  readonly maxSessionDurationSeconds?: number;
  /** Partition of the account. Defaults to `aws`. */
  readonly partition?: string;
  /** Tags of the role. Defaults to none. */
  readonly tags?: Record<string, string>;
}

/**
 * Least-privilege, read-only role for the promotion checks (promotion/checks.ts): only the CI/CD
 * promotion role may assume it (exact ARN, same organization, `sts:AssumeRole` only), and it may only
 * describe Rekognition projects and their versions and read SageMaker models and their tags, in its
 * own account and the given regions.
 */
export class PromotionReader extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: PromotionReaderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:identity:PromotionReader", name, {}, opts);
    const roleName = args.roleName ?? PROMOTION_READER_ROLE_NAME;
    const partition = args.partition ?? "aws";
    if (!isRoleName(roleName)) {
      throw new Error(`[roleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got '${roleName}'`);
    }
    if (typeof args.trustedRoleArn === "string") checkRoleArn(args.trustedRoleArn);
    if (typeof args.accountId === "string" && !isAccountId(args.accountId)) {
      throw new Error(`[accountId] must be a 12-digit account id; got '${args.accountId}'`);
    }
    if (args.regions.length === 0) throw new Error("[regions] must name at least one region");
    for (const region of args.regions) {
      if (!REGION_NAME.test(region)) throw new Error(`[regions] must hold AWS region names such as 'us-east-1' (no wildcards); got '${region}'`);
    }
    const duration = sessionDuration(args.maxSessionDurationSeconds);
    const regions = [...new Set(args.regions)].sort();

    const trusted = pulumi.output(args.trustedRoleArn).apply((arn) => {
      try {
        checkRoleArn(arn);
      } catch (e) {
        throw new pulumi.ResourceError((e as Error).message, this);
      }
      return arn;
    });
    const trust = pulumi.all([trusted, args.organizationId]).apply(([trustedArn, orgId]) => JSON.stringify(policyDocument([{
      Sid: "TrustPromotionRoleOnly",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(partition, accountOfArn(trustedArn)) },
      Action: "sts:AssumeRole",
      Condition: {
        ArnEquals: { "aws:PrincipalArn": trustedArn },
        StringEquals: { "aws:PrincipalOrgID": orgId },
      },
    }])));

    this.role = new aws.iam.Role(`${name}-role`, {
      name: roleName,
      description: "Assumed by the CI/CD promotion role (GitHub promote workflow) to read model versions for the promotion checks",
      maxSessionDuration: duration,
      assumeRolePolicy: trust,
      tags: args.tags,
    }, { parent: this });

    const permissions = pulumi.output(args.accountId).apply((account) => {
      if (!isAccountId(account)) {
        throw new pulumi.ResourceError(`[accountId] must be a 12-digit account id; got '${account}'`, this);
      }
      const statements: PolicyStatement[] = [
        // DescribeProjects supports no resource-level permissions: it lists the account's projects.
        { Sid: "ListRekognitionProjects", Effect: "Allow", Action: "rekognition:DescribeProjects", Resource: "*" },
        {
          Sid: "DescribeRekognitionProjectVersions",
          Effect: "Allow",
          Action: "rekognition:DescribeProjectVersions",
          Resource: regions.map((r) => arn(partition, "rekognition", r, account, "project/*")),
        },
        {
          Sid: "ReadSageMakerModels",
          Effect: "Allow",
          Action: ["sagemaker:DescribeModel", "sagemaker:ListTags"],
          Resource: regions.map((r) => arn(partition, "sagemaker", r, account, "model/*")),
        },
      ];
      return JSON.stringify(policyDocument(statements));
    });
    new aws.iam.RolePolicy(`${name}-permissions`, {
      name: "promotion-checks",
      role: this.role.name,
      policy: permissions,
    }, { parent: this });

    this.arn = this.role.arn;
    this.registerOutputs({ role: this.role, arn: this.arn });
  }
}

function checkRoleArn(arn: string): void {
  if (!IAM_ROLE_ARN.test(arn) || arn.includes("*") || arn.includes("?")) {
    throw new Error(`[trustedRoleArn] must be an exact role ARN (arn:aws:iam::<account>:role/<name>); got '${arn}'`);
  }
}
