/**
 * Pure rules for resource control policy (RCP) documents: the grammar AWS Organizations accepts,
 * minified serialization and the size quota. No Pulumi resources here, so the offline plan,
 * policies and tests can call these directly.
 *
 * Grammar (AWS Organizations User Guide, "RCP syntax",
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html):
 * - `Version` is "2012-10-17" and `Statement` holds at least one statement;
 * - `Effect` is `Deny`: "The effect of Allow is only supported for the RCPFullAWSAccess policy",
 *   which AWS attaches to every root, OU and account when RCPs are enabled and which cannot be detached;
 * - `Principal` is required and is `"*"` (conditions such as `aws:PrincipalOrgID` narrow it);
 *   `NotPrincipal` is not supported, and `NotAction` is refused here too (the AWS examples only use
 *   `Action`, and a NotAction deny would reach services RCPs do not cover);
 * - at most one of `Resource` / `NotResource`;
 * - actions are `service:Action` of a service RCPs apply to ("List of AWS services that support
 *   RCPs", https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html:
 *   Amazon S3, AWS STS, AWS KMS, Amazon SQS, AWS Secrets Manager, and later Amazon ECR and OpenSearch
 *   Serverless, as in aws-samples/data-perimeter-policy-examples
 *   resource_control_policies/identity_perimeter_rcp.json);
 * - every character counts toward the size quota ("All characters in your RCP count against its
 *   maximum size"), so documents are always sent minified. The quota is 5,120 characters, like SCPs
 *   (Organizations "Quotas and service limits").
 * RCPs never affect resources of the management account, AWS managed KMS keys, or AWS services
 * assuming service-linked roles (Organizations User Guide, "Resource control policies (RCPs)").
 */
import type { PolicyDocument, PolicyStatement } from "../iam/policy-document";
import { asArray } from "../iam/policy-document";
import { ACTION, checkDocumentShell, checkResourcesAndConditions, checkSid } from "./scp";

/** Maximum size of an RCP document in characters (AWS Organizations quota). */
export const DEFAULT_RCP_SIZE_QUOTA = 5120;

/**
 * Maximum number of RCPs attached directly to one root, OU or account (AWS Organizations quota),
 * counting the AWS-managed `RCPFullAWSAccess` policy that stays attached everywhere.
 */
export const MAX_RCPS_PER_TARGET = 5;

/** Service prefixes whose resources RCPs apply to (see the file comment). */
export const RCP_SUPPORTED_SERVICES: readonly string[] = ["s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss"];

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "Action", "Resource", "NotResource", "Condition"]);

/** The minified JSON AWS receives (no whitespace outside strings). */
export function minifyRcp(doc: PolicyDocument<string>): string {
  return JSON.stringify(doc);
}

/**
 * Checks the structure of an RCP (everything except leaf string values, which may still be
 * unknown at this point). Throws an Error naming the policy, the statement and the rule broken.
 */
export function validateRcpStructure(policyName: string, doc: PolicyDocument<unknown>): void {
  const where = `resource control policy '${policyName}'`;
  checkDocumentShell(where, doc);
  const sids = new Set<string>();
  doc.Statement.forEach((s: PolicyStatement<unknown>, i) => {
    const at = `[statements] of ${where}: statement ${i}${s.Sid ? ` (Sid '${s.Sid}')` : ""}`;
    for (const key of Object.keys(s)) {
      if (key === "NotPrincipal" || key === "NotAction") {
        throw new Error(`${at} has ${key}; resource control policies here do not use ${key}`);
      }
      if (!STATEMENT_KEYS.has(key)) throw new Error(`${at} has unknown element '${key}'`);
    }
    if (s.Effect !== "Deny") {
      throw new Error(`${at} has Effect '${String(s.Effect)}'; RCPs only support 'Deny' (Allow is reserved for RCPFullAWSAccess)`);
    }
    if (s.Principal !== "*") {
      throw new Error(`${at} must have Principal '*'; got ${JSON.stringify(s.Principal) ?? "none"}`);
    }
    checkSid(at, s, sids);
    const actions = asArray(s.Action);
    if (actions.length === 0) throw new Error(`${at} must have a non-empty Action`);
    for (const a of actions) {
      if (a === "*") continue;
      const m = typeof a === "string" ? ACTION.exec(a) : null;
      if (!m) {
        throw new Error(`${at} has action '${String(a)}'; expected 'service:Action', with '*' or '?' only alone or at the end`);
      }
      if (!RCP_SUPPORTED_SERVICES.includes(m[1])) {
        throw new Error(`${at} has action '${a}'; RCPs apply only to ${RCP_SUPPORTED_SERVICES.join(", ")}`);
      }
    }
    checkResourcesAndConditions(at, s);
  });
}

/** Throws when the minified document does not fit the quota; returns the minified document and its size. */
export function checkRcpSize(policyName: string, doc: PolicyDocument<string>, quota = DEFAULT_RCP_SIZE_QUOTA): { json: string; size: number } {
  const json = minifyRcp(doc);
  if (json.length > quota) {
    throw new Error(`resource control policy '${policyName}' is ${json.length} characters minified, over the RCP size quota of ${quota} characters`);
  }
  return { json, size: json.length };
}

/** Full plan-time check of a document whose leaves are known: structure, then size. */
export function validateRcp(policyName: string, doc: PolicyDocument<string>, quota = DEFAULT_RCP_SIZE_QUOTA): { json: string; size: number } {
  validateRcpStructure(policyName, doc);
  return checkRcpSize(policyName, doc, quota);
}
