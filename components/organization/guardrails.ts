/**
 * Pure builders of the organization's guardrail statements (typed SCP data). The GuardrailSet
 * component packs them into service control policies and attaches them; tests and the offline plan
 * can read the documents without declaring anything.
 *
 * Pipeline exemption: statements that deny actions a stack's deploy role legitimately performs
 * (recording/detection settings, regional calls) carry `ArnNotLike aws:PrincipalARN` with the deploy
 * role ARN patterns, so a guardrail never locks out the pipeline that maintains it. The patterns
 * name the role exactly (`arn:aws:iam::*:role/mlz-deploy`): under ArnLike each ARN part matches
 * separately, so only the account part is a wildcard and `mlz-deploy-evil` is not exempt.
 * Statements about things the pipeline never does (leaving the organization, acting as root,
 * creating IAM users or access keys, managing Rekognition projects in consumer accounts) carry
 * no exemption.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../naming";
import type { PolicyStatement } from "../iam/policy-document";

type Statement = PolicyStatement<pulumi.Input<string>>;

/**
 * Actions of global services (single endpoint, mostly in us-east-1) that the region allow-list
 * must not deny. The list of the AWS Organizations example "Deny access to AWS based on the
 * requested AWS Region" (aws-samples/service-control-policy-examples).
 */
export const GLOBAL_SERVICE_ACTIONS: readonly string[] = [
  "a4b:*", "acm:*", "aws-marketplace-management:*", "aws-marketplace:*", "aws-portal:*", "budgets:*",
  "ce:*", "chime:*", "cloudfront:*", "config:*", "cur:*", "directconnect:*", "ec2:DescribeRegions",
  "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways", "fms:*", "globalaccelerator:*", "health:*",
  "iam:*", "importexport:*", "kms:*", "mobileanalytics:*", "networkmanager:*", "organizations:*",
  "pricing:*", "route53:*", "route53domains:*", "route53-recovery-cluster:*",
  "route53-recovery-control-config:*", "route53-recovery-readiness:*", "s3:GetAccountPublic*",
  "s3:ListAllMyBuckets", "s3:ListMultiRegionAccessPoints", "s3:PutAccountPublic*", "shield:*", "sts:*",
  "support:*", "trustedadvisor:*", "waf-regional:*", "waf:*", "wafv2:*", "wellarchitected:*",
];

/** Rekognition Custom Labels lifecycle actions a consumer account must not perform. */
export const REKOGNITION_PROJECT_ACTIONS: readonly string[] = [
  "rekognition:CreateProject*", "rekognition:DeleteProject*", "rekognition:StartProject*", "rekognition:StopProject*",
];

/** Actions that stop, delete or weaken CloudTrail. */
export const CLOUDTRAIL_PROTECTED_ACTIONS: readonly string[] = [
  "cloudtrail:DeleteTrail", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors",
  "cloudtrail:DeleteEventDataStore", "cloudtrail:UpdateEventDataStore", "cloudtrail:StopEventDataStoreIngestion",
];

/** Actions that stop, delete or weaken AWS Config. */
export const CONFIG_PROTECTED_ACTIONS: readonly string[] = [
  "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:PutConfigurationRecorder",
  "config:DeleteDeliveryChannel", "config:PutDeliveryChannel", "config:DeleteRetentionConfiguration",
  "config:DeleteConfigRule", "config:DeleteOrganizationConfigRule", "config:DeleteEvaluationResults",
  "config:DeleteConfigurationAggregator", "config:DeleteAggregationAuthorization",
];

/** Actions that delete IAM Access Analyzer analyzers or hide their findings. */
export const ACCESS_ANALYZER_PROTECTED_ACTIONS: readonly string[] = [
  "access-analyzer:DeleteAnalyzer", "access-analyzer:CreateArchiveRule", "access-analyzer:UpdateArchiveRule",
  "access-analyzer:ApplyArchiveRule",
];

/** Actions that create long-lived IAM credentials. */
export const IAM_USER_ACTIONS: readonly string[] = ["iam:CreateUser", "iam:CreateAccessKey"];

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * `arn:<partition>:iam::*:role/<name>` for each role name. Names are validated so that a wildcard
 * can never widen the exemption: a role name with `*` or `?` is refused.
 */
export function deployRoleArnPatterns(roleNames: readonly string[] = [DEFAULT_DEPLOY_ROLE_NAME], partition = "aws"): string[] {
  if (roleNames.length === 0) throw new Error("[exemptRoleNames] must name at least one deploy role");
  for (const n of roleNames) {
    if (!ROLE_NAME.test(n)) {
      throw new Error(`[exemptRoleNames] must hold IAM role names (letters, digits and +=,.@_-, at most 64 characters, no wildcards); got '${n}'`);
    }
  }
  return roleNames.map((n) => `arn:${partition}:iam::*:role/${n}`);
}

function exemption(patterns: readonly string[]): Record<string, Record<string, string[]>> {
  if (patterns.length === 0) throw new Error("[exemptPrincipalArnPatterns] must hold at least one ARN pattern");
  return { ArnNotLike: { "aws:PrincipalARN": [...patterns] } };
}

/** No account may leave the organization. */
export function denyLeaveOrganization(): Statement[] {
  return [{ Sid: "DenyLeaveOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }];
}

/** The root user of member accounts may do nothing (SCPs never apply to the management account). */
export function denyMemberRootUser(partition = "aws"): Statement[] {
  return [{
    Sid: "DenyMemberRootUser",
    Effect: "Deny",
    Action: "*",
    Resource: "*",
    Condition: { ArnLike: { "aws:PrincipalARN": `arn:${partition}:iam::*:root` } },
  }];
}

/** No one but the deploy roles may stop, delete or weaken CloudTrail, AWS Config or IAM Access Analyzer. */
export function protectDetection(exemptPrincipalArnPatterns: readonly string[]): Statement[] {
  const condition = exemption(exemptPrincipalArnPatterns);
  return [
    { Sid: "ProtectCloudTrail", Effect: "Deny", Action: [...CLOUDTRAIL_PROTECTED_ACTIONS], Resource: "*", Condition: condition },
    { Sid: "ProtectConfig", Effect: "Deny", Action: [...CONFIG_PROTECTED_ACTIONS], Resource: "*", Condition: condition },
    { Sid: "ProtectAccessAnalyzer", Effect: "Deny", Action: [...ACCESS_ANALYZER_PROTECTED_ACTIONS], Resource: "*", Condition: condition },
  ];
}

/** Every request outside the allowed regions is denied, except global-service actions and the deploy roles. */
export function regionAllowList(args: {
  allowedRegions: readonly string[];
  exemptPrincipalArnPatterns: readonly string[];
  globalServiceActions?: readonly string[];
}): Statement[] {
  if (args.allowedRegions.length === 0) throw new Error("[allowedRegions] must name at least one region");
  for (const r of args.allowedRegions) {
    if (!REGION.test(r)) throw new Error(`[allowedRegions] must hold AWS region names such as 'us-east-1'; got '${r}'`);
  }
  if (new Set(args.allowedRegions).size !== args.allowedRegions.length) {
    throw new Error(`[allowedRegions] must not repeat a region; got ${args.allowedRegions.join(", ")}`);
  }
  const globals = args.globalServiceActions ?? GLOBAL_SERVICE_ACTIONS;
  if (globals.length === 0) throw new Error("[globalServiceActions] must hold at least one action");
  return [{
    Sid: "DenyOutsideAllowedRegions",
    Effect: "Deny",
    NotAction: [...globals],
    Resource: "*",
    Condition: {
      StringNotEquals: { "aws:RequestedRegion": [...args.allowedRegions] },
      ...exemption(args.exemptPrincipalArnPatterns),
    },
  }];
}

/**
 * Creating IAM users or access keys is denied, except in the named accounts. Account ids may be
 * Outputs (account keys resolved by the organization); plain ids are checked here.
 */
export function denyIamUsers(exceptionAccountIds: readonly pulumi.Input<string>[] = []): Statement[] {
  for (const id of exceptionAccountIds) {
    if (typeof id === "string" && !ACCOUNT_ID.test(id)) {
      throw new Error(`[iamUserExceptionAccountIds] must hold 12-digit account ids; got '${id}'`);
    }
  }
  return [{
    Sid: "DenyIamUsersAndAccessKeys",
    Effect: "Deny",
    Action: [...IAM_USER_ACTIONS],
    Resource: "*",
    ...(exceptionAccountIds.length > 0
      ? { Condition: { StringNotEquals: { "aws:PrincipalAccount": [...exceptionAccountIds] } } }
      : {}),
  }];
}

/** Consumer accounts may not create, delete, start or stop Rekognition projects or project versions. */
export function consumerRekognitionLockout(partition = "aws"): Statement[] {
  return [{
    Sid: "DenyRekognitionProjectLifecycle",
    Effect: "Deny",
    Action: [...REKOGNITION_PROJECT_ACTIONS],
    Resource: `arn:${partition}:rekognition:*:*:project/*`,
  }];
}
