import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson, type PolicyStatement } from "../iam/policy-document";
import { IAM_POLICY_ARN, IAM_ROLE_ARN, accountOfArn, accountRootArn, awsManagedPolicyArn, isRoleName, policyArn, sessionDuration } from "../aws";
import {
  DETECTION_TAMPERING_ACTIONS,
  MANAGED_POLICY_MAX_CHARS,
  LONG_LIVED_CREDENTIAL_ACTIONS,
  PLATFORM_ROLE_NAMES,
  POLICY_ALTERATION_ACTIONS,
  attachPoliciesOnlyToBoundedRoles,
  denyPlatformRoleModification,
} from "./workload-boundary";

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
   * ViewOnlyAccess (resource lists and metadata, no data-plane reads; for pull-request previews).
   * Defaults to `deploy`.
   */
  readonly access?: "deploy" | "read-only";
  /**
   * ARN of the account's workload boundary (`mlz-workload-boundary`, components/identity/workload-boundary.ts).
   * Required when `access` is `deploy`: the deploy role may create a role, or set a role's boundary,
   * only with this boundary, and may not alter the policy. Ignored for `read-only`.
   */
  readonly workloadBoundaryArn?: pulumi.Input<string>;
  /**
   * Roles of the platform that the deploy role may not change (trust, policies, boundary, deletion);
   * `roleName` is always added. Defaults to mlz-deploy, mlz-preview, mlz-promotion-reader and
   * OrganizationAccountAccessRole.
   */
  readonly platformRoleNames?: string[];
  /** Maximum session duration in seconds (900–43200). Defaults to 3600. */
  readonly maxSessionDurationSeconds?: number;
  /** Partition of the account. Defaults to `aws`. */
  readonly partition?: string;
}

/**
 * Actions no deploy session may take on any resource, whatever its other permissions: the boundary's
 * unconditional denials (action names checked against the Service Authorization Reference; see
 * components/identity/workload-boundary.ts for the pages).
 */
export const DEPLOY_BOUNDARY_DENIED_ACTIONS = [
  ...LONG_LIVED_CREDENTIAL_ACTIONS,
  "organizations:LeaveOrganization",
  ...DETECTION_TAMPERING_ACTIONS,
];

/**
 * Checks `DeployRole`'s args (pure: no resources; ARNs given as Outputs are checked when known) and
 * applies their defaults; throws naming the argument and the rule.
 */
export function validateDeployRoleArgs(args: DeployRoleArgs): {
  access: "deploy" | "read-only";
  partition: string;
  duration: number;
  /** Roles the deploy boundary protects (the role itself included), sorted; empty for read-only. */
  platformRoles: string[];
} {
  const access = args.access ?? "deploy";
  const partition = args.partition ?? "aws";
  if (!isRoleName(args.roleName)) {
    throw new Error(`[roleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-); got '${args.roleName}'`);
  }
  if (args.trustedRoleArns.length === 0) {
    throw new Error("[trustedRoleArns] must name at least one role");
  }
  const duration = sessionDuration(args.maxSessionDurationSeconds);
  if (access !== "deploy") return { access, partition, duration, platformRoles: [] };
  if (args.workloadBoundaryArn === undefined) {
    throw new Error("[workloadBoundaryArn] must be set when access is 'deploy' (the only boundary the deploy role may give the roles it creates)");
  }
  const platformRoles = [...new Set([...(args.platformRoleNames ?? PLATFORM_ROLE_NAMES), args.roleName])].sort();
  for (const r of platformRoles) {
    if (!isRoleName(r)) throw new Error(`[platformRoleNames] must hold IAM role names (no wildcards); got '${r}'`);
  }
  return { access, partition, duration, platformRoles };
}

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
    const { access, partition, duration, platformRoles } = validateDeployRoleArgs(args);
    const trusted = pulumi.all(args.trustedRoleArns).apply((arns) => {
      for (const arn of arns) {
        if (!IAM_ROLE_ARN.test(arn) || arn.includes("*") || arn.includes("?")) {
          throw new pulumi.ResourceError(`[trustedRoleArns] must hold exact role ARNs (arn:aws:iam::<account>:role/<name>); got '${arn}'`, this);
        }
      }
      return [...new Set(arns)].sort();
    });
    const trustedAccounts = trusted.apply((arns) => [...new Set(arns.map((arn) => accountRootArn(partition, accountOfArn(arn))))].sort());

    let boundary: aws.iam.Policy | undefined;
    if (access === "deploy") {
      const workloadBoundaryArn = pulumi.output(args.workloadBoundaryArn!).apply((arn) => {
        if (!IAM_POLICY_ARN.test(arn)) {
          throw new pulumi.ResourceError(`[workloadBoundaryArn] must be an exact customer managed policy ARN (arn:aws:iam::<account>:policy/<name>); got '${arn}'`, this);
        }
        return arn;
      });
      const ownBoundaryArn = policyArn(partition, "*", `${args.roleName}-boundary`);
      const statements: PolicyStatement<pulumi.Input<string>>[] = [
        { Sid: "AllowWithinBoundary", Effect: "Allow", Action: "*", Resource: "*" },
        { Sid: "DenyLongLivedCredentialsAndBlindingDetection", Effect: "Deny", Action: DEPLOY_BOUNDARY_DENIED_ACTIONS, Resource: "*" },
        // AWS delegation pattern: DenyPermBoundaryIAMPolicyAlteration.
        { Sid: "DenyBoundaryPolicyAlteration", Effect: "Deny", Action: POLICY_ALTERATION_ACTIONS, Resource: [ownBoundaryArn, workloadBoundaryArn] },
        // DenyRemovalOfPermBoundaryFromAnyUserOrRole: no role loses its boundary.
        { Sid: "DenyRemovingRoleBoundaries", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
        // CreateOrChangeOnlyWithBoundary: a new role, or a new boundary, is the workload boundary.
        {
          Sid: "CreateOrChangeRolesOnlyWithWorkloadBoundary",
          Effect: "Deny",
          Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
          Resource: "*",
          Condition: { StringNotEquals: { "iam:PermissionsBoundary": workloadBoundaryArn } },
        },
        attachPoliciesOnlyToBoundedRoles(workloadBoundaryArn),
        denyPlatformRoleModification(partition, platformRoles),
      ];
      boundary = new aws.iam.Policy(`${name}-boundary`, {
        name: `${args.roleName}-boundary`,
        description: `Permissions boundary of ${args.roleName}`,
        policy: policyJson(policyDocument(statements)).apply((json) => {
          if (json.length > MANAGED_POLICY_MAX_CHARS) {
            throw new pulumi.ResourceError(`${args.roleName}-boundary is ${json.length} characters; IAM allows ${MANAGED_POLICY_MAX_CHARS}`, this);
          }
          return json;
        }),
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
        ? awsManagedPolicyArn(partition, "AdministratorAccess")
        // ViewOnlyAccess: lists and describes resources, no data-plane reads (no S3 GetObject, no
        // SSM parameter values, no Lambda code) — AWS managed policy reference, ViewOnlyAccess.
        : awsManagedPolicyArn(partition, "job-function/ViewOnlyAccess"),
    }, { parent: this });

    this.arn = this.role.arn;
    this.boundaryArn = boundary?.arn;
    this.registerOutputs({ role: this.role, arn: this.arn, boundaryArn: this.boundaryArn });
  }
}
