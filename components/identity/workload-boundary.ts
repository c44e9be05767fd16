import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, type PolicyDocument, type PolicyStatement } from "../iam/policy-document";
import {
  DEFAULT_DEPLOY_ROLE_NAME,
  DEFAULT_PREVIEW_ROLE_NAME,
  ORGANIZATION_ACCESS_ROLE_NAME,
} from "../naming";
import { PROMOTION_READER_ROLE_NAME } from "./promotion-reader";
import { PARTITIONS, isAccountId, policyArn, roleArn } from "../aws";

/*
 * Action names and condition keys checked against the IAM Service Authorization Reference
 * (docs.aws.amazon.com/service-authorization/latest/reference/):
 * - list_awsidentityandaccessmanagementiam.html (iam:CreateUser, CreateAccessKey, CreateLoginProfile,
 *   UpdateLoginProfile, CreatePolicyVersion, DeletePolicy, DeletePolicyVersion, SetDefaultPolicyVersion,
 *   CreateRole, UpdateAssumeRolePolicy, UpdateRole, DeleteRole, AttachRolePolicy, DetachRolePolicy,
 *   PutRolePolicy, DeleteRolePolicy, PutRolePermissionsBoundary, DeleteRolePermissionsBoundary; condition
 *   key iam:PermissionsBoundary, "Filters access if the specified policy is set as the permissions
 *   boundary on the IAM entity (user or role)", on CreateRole, PutRolePermissionsBoundary,
 *   AttachRolePolicy, PutRolePolicy and others — IAM User Guide reference_policies_iam-condition-keys.html
 *   #ck_PermissionsBoundary; UpdateAssumeRolePolicy does not take it) and the IAM API reference
 *   API_PutRolePermissionsBoundary.html / API_DeleteRolePermissionsBoundary.html;
 * - list_awscloudtrail.html (cloudtrail:StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors);
 * - list_awsconfig.html / list_config.html (config:Stop*, config:Delete*: StopConfigurationRecorder,
 *   DeleteConfigurationRecorder, DeleteDeliveryChannel, DeleteConfigRule, ...);
 * - list_awsiamaccessanalyzer.html (access-analyzer:DeleteAnalyzer, CreateArchiveRule, ApplyArchiveRule);
 * - list_awsorganizations.html (organizations:LeaveOrganization).
 * The pattern (deny changing the boundary policies, deny removing boundaries, deny creating a role
 * unless it carries the boundary) is AWS's delegation example ("DenyPermBoundaryIAMPolicyAlteration",
 * "DenyRemovalOfPermBoundaryFromAnyUserOrRole", "CreateOrChangeOnlyWithBoundary"; IAM User Guide,
 * access_policies_boundaries.html). Managed policies are limited to 6,144 characters (IAM User Guide,
 * reference_iam-quotas.html).
 */

/** Managed policy in every member account that every role a member stack creates carries as boundary. */
export const WORKLOAD_BOUNDARY_POLICY_NAME = "mlz-workload-boundary";

/** IAM's limit on a managed policy document, in characters (whitespace excluded; we serialize minified). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * Roles the platform itself manages (the management stack's bootstrap, through
 * OrganizationAccountAccessRole): no session inside a member account may change them.
 */
export const PLATFORM_ROLE_NAMES = [
  DEFAULT_DEPLOY_ROLE_NAME,
  DEFAULT_PREVIEW_ROLE_NAME,
  PROMOTION_READER_ROLE_NAME,
  ORGANIZATION_ACCESS_ROLE_NAME,
] as const;

/** Creating long-lived credentials (users, access keys, console passwords). */
export const LONG_LIVED_CREDENTIAL_ACTIONS = [
  "iam:CreateUser",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
];

/**
 * Switching off or narrowing detection. Not `config:Put*`: the management stack creates the
 * configuration recorders and delivery channels (through OrganizationAccountAccessRole).
 */
export const DETECTION_TAMPERING_ACTIONS = [
  "cloudtrail:StopLogging",
  "cloudtrail:DeleteTrail",
  "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors",
  "config:Stop*",
  "config:Delete*",
  "access-analyzer:DeleteAnalyzer",
  "access-analyzer:CreateArchiveRule",
  "access-analyzer:ApplyArchiveRule",
];

/**
 * `iam:PermissionsBoundary` is also the target role's boundary for Attach/PutRolePolicy: no policy
 * lands on a role that escapes the workload boundary (a role created outside the stacks).
 */
export function attachPoliciesOnlyToBoundedRoles<S>(boundaryArn: S): PolicyStatement<S | string> {
  return {
    Sid: "AttachPoliciesOnlyToRolesWithWorkloadBoundary",
    Effect: "Deny",
    Action: ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
    Resource: "*",
    Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundaryArn } },
  };
}

/** No change to the platform roles (in any account), their trust, policies or boundary. */
export function denyPlatformRoleModification(partition: string, roleNames: readonly string[]): PolicyStatement<string> {
  return {
    Sid: "DenyPlatformRoleModification",
    Effect: "Deny",
    Action: ROLE_MODIFICATION_ACTIONS,
    Resource: roleNames.map((r) => roleArn(partition, "*", r)),
  };
}

/** Changing a managed policy's content or deleting it (policy versions included). */
export const POLICY_ALTERATION_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:DeletePolicy",
  "iam:DeletePolicyVersion",
  "iam:SetDefaultPolicyVersion",
];

/** Changing a role's trust, permissions, boundary or existence. */
export const ROLE_MODIFICATION_ACTIONS = [
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:DeleteRole",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
];

/** `arn:<partition>:iam::<account>:policy/mlz-workload-boundary`. */
export function workloadBoundaryArn(accountId: pulumi.Input<string>, partition = "aws"): pulumi.Output<string> {
  return pulumi.output(policyArn(partition, accountId, WORKLOAD_BOUNDARY_POLICY_NAME));
}

/**
 * The workload boundary's document: everything, except long-lived credentials, leaving the
 * organization, altering any `mlz-*-boundary` policy, setting or removing role boundaries (a role
 * may only be created with, and policies only attached to a role carrying, this very boundary),
 * touching the platform roles, and blinding detection.
 * Pure: the account and partition are the only inputs.
 */
export function workloadBoundaryDocument(accountId: string, partition = "aws", bootstrapRoleName: string = ORGANIZATION_ACCESS_ROLE_NAME): PolicyDocument {
  const boundaryArn = policyArn(partition, accountId, WORKLOAD_BOUNDARY_POLICY_NAME);
  return policyDocument([
    { Sid: "AllowWithinBoundary", Effect: "Allow", Action: "*", Resource: "*" },
    { Sid: "DenyLongLivedCredentials", Effect: "Deny", Action: LONG_LIVED_CREDENTIAL_ACTIONS, Resource: "*" },
    { Sid: "DenyLeavingOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
    {
      Sid: "DenyBoundaryPolicyAlteration",
      Effect: "Deny",
      Action: POLICY_ALTERATION_ACTIONS,
      Resource: policyArn(partition, "*", "mlz-*-boundary"),
    },
    {
      Sid: "DenySettingOrRemovingRoleBoundaries",
      Effect: "Deny",
      Action: ["iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"],
      Resource: "*",
    },
    {
      Sid: "CreateRoleOnlyWithWorkloadBoundary",
      Effect: "Deny",
      Action: "iam:CreateRole",
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundaryArn } },
    },
    attachPoliciesOnlyToBoundedRoles(boundaryArn),
    denyPlatformRoleModification(partition, [...new Set([...PLATFORM_ROLE_NAMES, bootstrapRoleName])]),
    { Sid: "DenyBlindingDetection", Effect: "Deny", Action: DETECTION_TAMPERING_ACTIONS, Resource: "*" },
  ]);
}

export interface WorkloadBoundaryArgs {
  /** The member account the policy is created in (12 digits); the create-role condition names it. */
  readonly accountId: pulumi.Input<string>;
  /** Partition of the account. Defaults to `aws`. */
  readonly partition?: string;
  /** Tags of the policy. Defaults to none. */
  readonly tags?: Record<string, string>;
  /**
   * The role the management stack bootstraps the account through (an invited account's own
   * role): no session inside the account may change it. Defaults to `OrganizationAccountAccessRole`.
   */
  readonly bootstrapRoleName?: string;
}

/**
 * The managed policy `mlz-workload-boundary` of one member account: the permissions boundary that
 * every role the account's own stack creates must carry (the deploy role may create no other role).
 */
export class WorkloadBoundary extends pulumi.ComponentResource {
  public readonly policy: aws.iam.Policy;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: WorkloadBoundaryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:identity:WorkloadBoundary", name, {}, opts);
    const partition = args.partition ?? "aws";
    if (typeof args.accountId === "string" && !isAccountId(args.accountId)) {
      throw new Error(`[accountId] must be a 12-digit account id; got '${args.accountId}'`);
    }
    if (!(PARTITIONS as readonly string[]).includes(partition)) {
      throw new Error(`[partition] must be aws, aws-cn or aws-us-gov; got '${partition}'`);
    }
    const document = pulumi.output(args.accountId).apply((accountId) => {
      if (!isAccountId(accountId)) {
        throw new pulumi.ResourceError(`[accountId] must be a 12-digit account id; got '${accountId}'`, this);
      }
      const json = JSON.stringify(workloadBoundaryDocument(accountId, partition, args.bootstrapRoleName));
      if (json.length > MANAGED_POLICY_MAX_CHARS) {
        throw new pulumi.ResourceError(`${WORKLOAD_BOUNDARY_POLICY_NAME} is ${json.length} characters; IAM allows ${MANAGED_POLICY_MAX_CHARS}`, this);
      }
      return json;
    });
    this.policy = new aws.iam.Policy(`${name}-policy`, {
      name: WORKLOAD_BOUNDARY_POLICY_NAME,
      description: "Permissions boundary of every role a member stack creates: no credentials, no boundary or platform-role changes, no blinding detection",
      policy: document,
      tags: args.tags,
    }, { parent: this });
    this.arn = this.policy.arn;
    this.registerOutputs({ policy: this.policy, arn: this.arn });
  }
}

/**
 * A stack transformation (`pulumi.runtime.registerStackTransformation`) giving every
 * `aws:iam/role:Role` the workload boundary `boundaryArn`: a role that declares none gets it, and a
 * role that declares another one gets it instead, with a warning naming the role — the deploy role
 * may create roles only with the workload boundary (`iam:CreateRole` is denied otherwise), so
 * another boundary could only fail at deployment. A role's own permissions still apply: the
 * effective permissions are its policies intersected with the workload boundary.
 */
export function workloadBoundaryTransformation(boundaryArn: pulumi.Input<string>): pulumi.ResourceTransformation {
  return (args) => {
    if (args.type !== "aws:iam/role:Role") return undefined;
    const declared = args.props["permissionsBoundary"];
    // A role that names its boundary keeps it: the deploy role's own boundary refuses, at apply,
    // any role created with a boundary other than the workload boundary.
    if (declared !== undefined && declared !== null) return undefined;
    return { props: { ...args.props, permissionsBoundary: boundaryArn }, opts: args.opts };
  };
}
