/**
 * Pure builders of the organization's guardrail statements (typed SCP data). The GuardrailSet
 * component packs them into service control policies and attaches them; tests and the offline plan
 * can read the documents without declaring anything.
 *
 * Exemptions: no statement exempts the pipeline's deploy role (`mlz-deploy`): no member stack
 * manages CloudTrail, AWS Config or IAM Access Analyzer, and every provider runs in an allowed
 * region. Two statements exempt the role Organizations creates in each member account,
 * `OrganizationAccountAccessRole`, which only the management account can assume:
 * - `ProtectConfig`, because the management stack creates each account's configuration recorder
 *   and delivery channel through that role;
 * - `ProtectAuditLogBucket`, `ProtectAuditLogKey` and `ProtectAuditLogKeyAlias`, as the break-glass
 *   path to the audit-log buckets' settings and policies and to the audit-log KMS key.
 * Exemptions are `ArnNotLike aws:PrincipalARN` with patterns that name the role exactly
 * (`arn:aws:iam::*:role/OrganizationAccountAccessRole`): under ArnLike each ARN part matches
 * separately, so only the account part is a wildcard and a look-alike name is not exempt.
 */
import * as pulumi from "@pulumi/pulumi";
import { ORGANIZATION_ACCESS_ROLE_NAME } from "../naming";
import type { PolicyStatement } from "../iam/policy-document";
import { KMS_KEY_ARN, REGION_NAME, accountRootArn, arn, isAccountId, isRoleName, roleArn, s3Arn } from "../aws";

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
export const IAM_USER_ACTIONS: readonly string[] = [
  "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
];

/**
 * Actions that would remove or weaken the audit-log buckets: their Object Lock and lifecycle
 * settings, the buckets and their policies, governance-mode bypass, replacing the bucket policy
 * (which would drop the CloudTrail / AWS Config delivery statements and blind delivery org-wide) and
 * replacing the default encryption. The PutBucketEncryption API is authorized by the IAM action
 * `s3:PutEncryptionConfiguration` (S3 API Reference, PutBucketEncryption: "you must have permission
 * to perform the s3:PutEncryptionConfiguration action"); there is no `s3:PutBucketEncryption` action.
 * Consequence: once the SCP is attached, the lakehouse deploy role can no longer change these
 * buckets' policies or encryption; such changes go through the break-glass role.
 */
export const AUDIT_LOG_BUCKET_PROTECTED_ACTIONS: readonly string[] = [
  "s3:PutBucketObjectLockConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteBucket",
  "s3:DeleteBucketPolicy", "s3:BypassGovernanceRetention", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
];

/**
 * KMS key resource operations that would crypto-shred every audit log (deletion, disabling) or
 * hand the key to someone else (its key policy).
 */
export const AUDIT_LOG_KEY_PROTECTED_ACTIONS: readonly string[] = [
  "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy",
];

/**
 * Alias operations on the audit-log key's alias. The key statement identifies the key by its alias
 * (`kms:ResourceAliases`), so moving or deleting the alias would lift the key's protection.
 */
export const AUDIT_LOG_KEY_ALIAS_PROTECTED_ACTIONS: readonly string[] = ["kms:DeleteAlias", "kms:UpdateAlias"];

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/**
 * `arn:<partition>:iam::*:role/<name>` for each role name. Names are validated so that a wildcard
 * can never widen the exemption: a role name with `*` or `?` is refused. `argName` names the
 * argument in error messages.
 */
export function exemptRoleArnPatterns(
  roleNames: readonly string[] = [ORGANIZATION_ACCESS_ROLE_NAME],
  partition = "aws",
  argName = "configExemptRoleNames",
): string[] {
  if (roleNames.length === 0) throw new Error(`[${argName}] must name at least one role`);
  for (const n of roleNames) {
    if (!isRoleName(n)) {
      throw new Error(`[${argName}] must hold IAM role names (letters, digits and +=,.@_-, at most 64 characters, no wildcards); got '${n}'`);
    }
  }
  return roleNames.map((n) => roleArn(partition, "*", n));
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
    Condition: { ArnLike: { "aws:PrincipalARN": accountRootArn(partition, "*") } },
  }];
}

/**
 * No one in a member account may stop, delete or weaken CloudTrail or IAM Access Analyzer; AWS
 * Config likewise, except the principals matching `configExemptPrincipalArnPatterns` (the role the
 * management stack creates configuration recorders through).
 */
export function protectDetection(configExemptPrincipalArnPatterns: readonly string[]): Statement[] {
  return [
    { Sid: "ProtectCloudTrail", Effect: "Deny", Action: [...CLOUDTRAIL_PROTECTED_ACTIONS], Resource: "*" },
    { Sid: "ProtectConfig", Effect: "Deny", Action: [...CONFIG_PROTECTED_ACTIONS], Resource: "*", Condition: exemption(configExemptPrincipalArnPatterns) },
    { Sid: "ProtectAccessAnalyzer", Effect: "Deny", Action: [...ACCESS_ANALYZER_PROTECTED_ACTIONS], Resource: "*" },
  ];
}

/**
 * No one but the break-glass principals (`exemptPrincipalArnPatterns`) may change the Object Lock,
 * lifecycle or default-encryption configuration of the audit-log buckets, replace or delete their
 * policies, delete them, or bypass governance retention on their objects. Bucket names may be Outputs; plain names are checked here.
 */
export function protectAuditLogBuckets(args: {
  bucketNames: readonly pulumi.Input<string>[];
  exemptPrincipalArnPatterns: readonly string[];
  partition?: string;
}): Statement[] {
  if (args.bucketNames.length === 0) throw new Error("[auditLogBucketNames] must name at least one bucket");
  for (const b of args.bucketNames) {
    if (typeof b === "string" && !BUCKET_NAME.test(b)) {
      throw new Error(`[auditLogBucketNames] must hold S3 bucket names (3-63 lowercase letters, digits, '.' and '-'); got '${b}'`);
    }
  }
  const partition = args.partition ?? "aws";
  const resources: pulumi.Input<string>[] = [];
  for (const b of args.bucketNames) {
    resources.push(s3Arn(partition, b), s3Arn(partition, b, "/*"));
  }
  return [{
    Sid: "ProtectAuditLogBucket",
    Effect: "Deny",
    Action: [...AUDIT_LOG_BUCKET_PROTECTED_ACTIONS],
    Resource: resources,
    Condition: exemption(args.exemptPrincipalArnPatterns),
  }];
}

/**
 * No one but the break-glass principals may schedule the deletion of, disable or change the key
 * policy of the audit-log KMS key in the lakehouse account, nor delete or re-point its alias.
 *
 * The key's ARN is not known to the management stack, so with `alias` the key is identified by
 * its alias: `Resource` is every key of the account (`arn:<partition>:kms:*:<account>:key/*`) and
 * the condition `ForAnyValue:StringEquals kms:ResourceAliases = <alias>`. AWS KMS Developer Guide,
 * "AWS KMS condition keys" (kms:ResourceAliases): a multi-valued key, valid in IAM policies for
 * "KMS key resource operations" (AWS KMS Developer Guide, "AWS KMS permissions": ScheduleKeyDeletion,
 * DisableKey and PutKeyPolicy have Resources "KMS key" and list kms:ResourceAliases among their
 * condition keys), which requires a ForAnyValue or ForAllValues set operator;
 * "ForAnyValue: At least one alias associated with the KMS key must match"; the value is an alias
 * name (`alias/…`), never an alias ARN. AWS Organizations User Guide, "SCP syntax": deny statements
 * may name resource ARNs and carry a Condition. A second statement denies DeleteAlias/UpdateAlias on
 * the alias itself (`arn:<partition>:kms:*:<account>:alias/<name>`), so the alias cannot be moved
 * away to lift the first statement. With `keyArn` instead, the key is named exactly.
 */
export function protectAuditLogKey(args: {
  key: { accountId: pulumi.Input<string>; alias: string } | { keyArn: pulumi.Input<string> };
  exemptPrincipalArnPatterns: readonly string[];
  partition?: string;
}): Statement[] {
  const partition = args.partition ?? "aws";
  const condition = exemption(args.exemptPrincipalArnPatterns);
  if ("keyArn" in args.key) {
    const keyArn = args.key.keyArn;
    if (typeof keyArn === "string" && !KMS_KEY_ARN.test(keyArn)) {
      throw new Error(`[auditLogKey.keyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); got '${keyArn}'`);
    }
    return [{ Sid: "ProtectAuditLogKey", Effect: "Deny", Action: [...AUDIT_LOG_KEY_PROTECTED_ACTIONS], Resource: keyArn, Condition: condition }];
  }
  const { accountId, alias } = args.key;
  if (typeof accountId === "string" && !isAccountId(accountId)) {
    throw new Error(`[auditLogKey.accountId] must be a 12-digit account id; got '${accountId}'`);
  }
  if (!KEY_ALIAS.test(alias) || alias.startsWith("alias/aws/")) {
    throw new Error(`[auditLogKey.alias] must be 'alias/<name>' (letters, digits, '/', '_', '-'; not under alias/aws/); got '${alias}'`);
  }
  const inAccount = (suffix: string): pulumi.Input<string> => arn(partition, "kms", "*", accountId, suffix);
  return [
    {
      Sid: "ProtectAuditLogKey",
      Effect: "Deny",
      Action: [...AUDIT_LOG_KEY_PROTECTED_ACTIONS],
      Resource: inAccount("key/*"),
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": alias }, ...condition },
    },
    {
      Sid: "ProtectAuditLogKeyAlias",
      Effect: "Deny",
      Action: [...AUDIT_LOG_KEY_ALIAS_PROTECTED_ACTIONS],
      Resource: inAccount(alias),
      Condition: condition,
    },
  ];
}

/**
 * Resource control policy statement: no principal outside the organization may assume a role in a
 * member account, whatever the role's trust policy says. As the RCP `EnforceOrgIdentities` of
 * aws-samples/data-perimeter-policy-examples (resource_control_policies/identity_perimeter_rcp.json),
 * reduced to `sts:AssumeRole`:
 * - `StringNotEqualsIfExists aws:PrincipalOrgID`: principals of this organization pass;
 * - `BoolIfExists aws:PrincipalIsAWSService = false`: AWS service principals (lambda.amazonaws.com,
 *   …) pass, since the key is true for them; RCPs do not apply to service-linked roles at all;
 * - `sts:AssumeRoleWithWebIdentity` is NOT listed: GitHub OIDC federation (federated principal,
 *   no organization id) keeps working; the example repository governs it with separate
 *   statements (`EnforceTrustedOIDCTenants`), and our trust policies pin the `sub`/`aud` claims.
 * RCPs never apply to resources of the management account (Organizations User Guide, "Resource
 * control policies (RCPs)"), so its roles are not covered.
 */
export function enforceOrgIdentities(organizationId: pulumi.Input<string>): PolicyStatement<pulumi.Input<string>>[] {
  if (typeof organizationId === "string" && !ORGANIZATION_ID.test(organizationId)) {
    throw new Error(`[organizationId] must be an organization id such as 'o-a1b2c3d4e5'; got '${organizationId}'`);
  }
  return [{
    Sid: "EnforceOrgIdentities",
    Effect: "Deny",
    Principal: "*",
    Action: "sts:AssumeRole",
    Resource: "*",
    Condition: {
      StringNotEqualsIfExists: { "aws:PrincipalOrgID": organizationId },
      BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
    },
  }];
}

/** Every request outside the allowed regions is denied, except global-service actions. No principal is exempt. */
export function regionAllowList(args: {
  allowedRegions: readonly string[];
  globalServiceActions?: readonly string[];
}): Statement[] {
  if (args.allowedRegions.length === 0) throw new Error("[allowedRegions] must name at least one region");
  for (const r of args.allowedRegions) {
    if (!REGION_NAME.test(r)) throw new Error(`[allowedRegions] must hold AWS region names such as 'us-east-1'; got '${r}'`);
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
    Condition: { StringNotEquals: { "aws:RequestedRegion": [...args.allowedRegions] } },
  }];
}

/**
 * Creating IAM users or access keys is denied, except in the named accounts. Account ids may be
 * Outputs (account keys resolved by the organization); plain ids are checked here.
 */
export function denyIamUsers(exceptionAccountIds: readonly pulumi.Input<string>[] = []): Statement[] {
  for (const id of exceptionAccountIds) {
    if (typeof id === "string" && !isAccountId(id)) {
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

/**
 * Consumer accounts may not create, delete, start or stop Rekognition projects or project versions.
 * `Resource: "*"`: `rekognition:CreateProject` supports no resource-level permissions (Service
 * Authorization Reference), so a deny naming project ARNs would never apply to it.
 */
export function consumerRekognitionLockout(): Statement[] {
  return [{
    Sid: "DenyRekognitionProjectLifecycle",
    Effect: "Deny",
    Action: [...REKOGNITION_PROJECT_ACTIONS],
    Resource: "*",
  }];
}
