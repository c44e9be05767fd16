import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, type PolicyStatement } from "../iam/policy-document";

export interface DeployRoleArgs {
  /** Role name; stack providers assume it by name. */
  readonly roleName: string;
  /**
   * The only principals allowed to assume the role: exact role ARNs in the CI/CD account (never a
   * wildcard, never an account root). The trust names their accounts as principals and pins the
   * exact ARNs with `aws:PrincipalArn`, so the roles need not exist yet when this role is created
   * (IAM refuses a trust policy naming a role that does not exist) and a recreated role keeps working.
   */
  readonly trustedRoleArns: pulumi.Input<string>[];
  /** Organization id; the caller must belong to it (`aws:PrincipalOrgID`). */
  readonly organizationId: pulumi.Input<string>;
  /**
   * `deploy` attaches AdministratorAccess under a permissions boundary; `read-only` attaches
   * ReadOnlyAccess (for pull-request previews). Defaults to `deploy`.
   */
  readonly access?: "deploy" | "read-only";
  /** Maximum session duration in seconds (900–43200). Defaults to 3600. */
  readonly maxSessionDurationSeconds?: number;
  /** Partition of the account. Defaults to `aws`. */
  readonly partition?: string;
}

/** Actions no deploy session may take, whatever its other permissions: the boundary's denials. */
export const DEPLOY_BOUNDARY_DENIED_ACTIONS = [
  "iam:CreateUser",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "organizations:LeaveOrganization",
  "cloudtrail:DeleteTrail",
  "cloudtrail:StopLogging",
  "config:DeleteConfigurationRecorder",
  "config:StopConfigurationRecorder",
  "access-analyzer:DeleteAnalyzer",
];

const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@\/-]+$/;

/**
 * The role a stack's provider assumes in its account. Only the matching CI/CD role may assume it
 * (exact ARN, same organization), sessions are bounded in time, and a permissions boundary denies
 * creating long-lived credentials and switching off detection, even if a policy would allow it.
 */
export class DeployRole extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly arn: pulumi.Output<string>;
  public readonly boundaryArn: pulumi.Output<string> | undefined;

  constructor(name: string, args: DeployRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:identity:DeployRole", name, {}, opts);
    const access = args.access ?? "deploy";
    const duration = args.maxSessionDurationSeconds ?? 3600;
    const partition = args.partition ?? "aws";
    if (!/^[\w+=,.@-]{1,64}$/.test(args.roleName)) {
      throw new Error(`[roleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-); got '${args.roleName}'`);
    }
    if (args.trustedRoleArns.length === 0) {
      throw new Error("[trustedRoleArns] must name at least one role");
    }
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new Error(`[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got ${duration}`);
    }
    const trusted = pulumi.all(args.trustedRoleArns).apply((arns) => {
      for (const arn of arns) {
        if (!ROLE_ARN.test(arn) || arn.includes("*") || arn.includes("?")) {
          throw new pulumi.ResourceError(`[trustedRoleArns] must hold exact role ARNs (arn:aws:iam::<account>:role/<name>); got '${arn}'`, this);
        }
      }
      return [...new Set(arns)].sort();
    });
    const trustedAccounts = trusted.apply((arns) => [...new Set(arns.map((arn) => {
      const [, , , , account] = arn.split(":");
      return `arn:${partition}:iam::${account}:root`;
    }))].sort());

    let boundary: aws.iam.Policy | undefined;
    if (access === "deploy") {
      const statements: PolicyStatement[] = [
        { Sid: "AllowWithinBoundary", Effect: "Allow", Action: "*", Resource: "*" },
        { Sid: "DenyLongLivedCredentialsAndBlindingDetection", Effect: "Deny", Action: DEPLOY_BOUNDARY_DENIED_ACTIONS, Resource: "*" },
        {
          Sid: "DenyRemovingOwnBoundary",
          Effect: "Deny",
          Action: ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"],
          Resource: `arn:${partition}:iam::*:role/${args.roleName}`,
        },
      ];
      boundary = new aws.iam.Policy(`${name}-boundary`, {
        name: `${args.roleName}-boundary`,
        description: `Permissions boundary of ${args.roleName}`,
        policy: JSON.stringify(policyDocument(statements)),
      }, { parent: this });
    }

    this.role = new aws.iam.Role(`${name}-role`, {
      name: args.roleName,
      description: access === "deploy" ? "Assumed by the CI/CD deploy role to apply this account's stack" : "Assumed by the CI/CD preview role for read-only previews",
      maxSessionDuration: duration,
      permissionsBoundary: boundary?.arn,
      assumeRolePolicy: pulumi.all([trusted, trustedAccounts, args.organizationId]).apply(([arns, accounts, orgId]) => JSON.stringify(policyDocument([{
        Sid: "TrustCicdRoleOnly",
        Effect: "Allow",
        Principal: { AWS: accounts },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          ArnEquals: { "aws:PrincipalArn": arns },
          StringEquals: { "aws:PrincipalOrgID": orgId },
        },
      }]))),
    }, { parent: this });

    new aws.iam.RolePolicyAttachment(`${name}-access`, {
      role: this.role.name,
      policyArn: access === "deploy"
        ? `arn:${partition}:iam::aws:policy/AdministratorAccess`
        : `arn:${partition}:iam::aws:policy/ReadOnlyAccess`,
    }, { parent: this });

    this.arn = this.role.arn;
    this.boundaryArn = boundary?.arn;
    this.registerOutputs({ role: this.role, arn: this.arn, boundaryArn: this.boundaryArn });
  }
}
