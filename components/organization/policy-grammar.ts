/**
 * The grammars of AWS Organizations authorization policies, pure (no Pulumi resources), so the
 * offline plan, policies and tests can call them directly: service control policies (SCPs) and
 * resource control policies (RCPs) share the document shell, Sid, Resource and Condition rules;
 * each kind adds its own statement rules, minified serialization and size quota. `POLICY_GRAMMARS`
 * maps each kind to what `OrganizationPolicy` needs.
 *
 * SCPs (AWS Organizations User Guide, "SCP syntax"):
 * - `Version` is "2012-10-17" and `Statement` holds at least one statement;
 * - `Effect` is `Allow` or `Deny`; each statement has exactly one of `Action` / `NotAction`;
 * - `Principal` and `NotPrincipal` are not supported in SCPs (SCPs apply to the principals of the
 *   accounts they are attached to; exemptions are written as `aws:PrincipalARN` conditions);
 * - at most one of `Resource` / `NotResource`;
 * - actions are `service:Action`; the wildcards `*` and `?` may only stand alone or end the string;
 * - every character, whitespace included, counts toward the size quota (5,120 characters by default),
 *   so documents are always sent minified.
 *
 * RCPs (AWS Organizations User Guide, "RCP syntax",
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

/** Maximum size of an SCP document in characters (AWS Organizations quota, adjustable by AWS only). */
export const DEFAULT_SCP_SIZE_QUOTA = 5120;

/**
 * Maximum number of SCPs attached directly to one root, OU or account (AWS Organizations quota),
 * counting the AWS-managed `FullAWSAccess` policy that stays attached everywhere.
 */
export const MAX_SCPS_PER_TARGET = 5;

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
/** `service:Action`, wildcards only alone or at the end; group 1 is the service prefix. */
export const ACTION = /^([a-z0-9-]+):(?:[A-Za-z0-9]+|[A-Za-z0-9]*[*?]+)$/;
const SID = /^[A-Za-z0-9]*$/;

/** Organizations policy grammar shared by SCPs and RCPs: Version and a non-empty Statement list. */
export function checkDocumentShell(where: string, doc: PolicyDocument<unknown>): void {
  if (doc.Version !== "2012-10-17") {
    throw new Error(`[statements] of ${where}: Version must be '2012-10-17'; got '${String(doc.Version)}'`);
  }
  if (!Array.isArray(doc.Statement) || doc.Statement.length === 0) {
    throw new Error(`[statements] of ${where} must hold at least one statement`);
  }
}

/** Sids are alphanumeric and unique within the document (`sids` collects the ones seen). */
export function checkSid(at: string, s: PolicyStatement<unknown>, sids: Set<string>): void {
  if (s.Sid === undefined) return;
  if (!SID.test(s.Sid)) throw new Error(`${at}: Sid must hold only letters and digits`);
  if (sids.has(s.Sid)) throw new Error(`${at}: Sid is used by another statement`);
  sids.add(s.Sid);
}

/** At most one of Resource / NotResource, no empty list, every condition operator maps a key. */
export function checkResourcesAndConditions(at: string, s: PolicyStatement<unknown>): void {
  if (s.Resource !== undefined && s.NotResource !== undefined) {
    throw new Error(`${at} must not have both Resource and NotResource`);
  }
  for (const key of ["Resource", "NotResource"] as const) {
    if (s[key] !== undefined && asArray(s[key]).length === 0) throw new Error(`${at} has an empty ${key} list`);
  }
  if (s.Condition !== undefined) {
    for (const [op, block] of Object.entries(s.Condition)) {
      if (typeof block !== "object" || block === null || Object.keys(block).length === 0) {
        throw new Error(`${at}: condition operator '${op}' must map at least one condition key`);
      }
    }
  }
}

/** The minified JSON AWS receives (no whitespace outside strings). */
export function minifyScp(doc: PolicyDocument<string>): string {
  return JSON.stringify(doc);
}

/** Characters the document counts toward the SCP size quota. */
export function scpSize(doc: PolicyDocument<string>): number {
  return minifyScp(doc).length;
}

/**
 * Checks the structure of an SCP (everything except leaf string values, which may still be
 * unknown at this point). Throws an Error naming the policy, the statement and the rule broken.
 */
export function validateScpStructure(policyName: string, doc: PolicyDocument<unknown>): void {
  const where = `service control policy '${policyName}'`;
  checkDocumentShell(where, doc);
  const sids = new Set<string>();
  doc.Statement.forEach((s: PolicyStatement<unknown>, i) => {
    const at = `[statements] of ${where}: statement ${i}${s.Sid ? ` (Sid '${s.Sid}')` : ""}`;
    for (const key of Object.keys(s)) {
      if (key === "Principal" || key === "NotPrincipal") {
        throw new Error(`${at} has ${key}; SCPs do not support ${key} (use an aws:PrincipalARN condition)`);
      }
      if (!STATEMENT_KEYS.has(key)) throw new Error(`${at} has unknown element '${key}'`);
    }
    if (s.Effect !== "Allow" && s.Effect !== "Deny") {
      throw new Error(`${at} has Effect '${String(s.Effect)}'; expected 'Allow' or 'Deny'`);
    }
    checkSid(at, s, sids);
    const hasAction = s.Action !== undefined;
    const hasNotAction = s.NotAction !== undefined;
    if (hasAction === hasNotAction) {
      throw new Error(`${at} must have exactly one of Action or NotAction`);
    }
    const actions = asArray(hasAction ? s.Action : s.NotAction);
    if (actions.length === 0) throw new Error(`${at} has an empty ${hasAction ? "Action" : "NotAction"} list`);
    for (const a of actions) {
      if (typeof a !== "string" || (a !== "*" && !ACTION.test(a))) {
        throw new Error(`${at} has action '${String(a)}'; expected 'service:Action', with '*' or '?' only alone or at the end`);
      }
    }
    checkResourcesAndConditions(at, s);
  });
}

/** Throws when the minified document does not fit the quota; returns the minified document and its size. */
export function checkScpSize(policyName: string, doc: PolicyDocument<string>, quota = DEFAULT_SCP_SIZE_QUOTA): { json: string; size: number } {
  const json = minifyScp(doc);
  if (json.length > quota) {
    throw new Error(`service control policy '${policyName}' is ${json.length} characters minified, over the SCP size quota of ${quota} characters`);
  }
  return { json, size: json.length };
}

/** Full plan-time check of a document whose leaves are known: structure, then size. */
export function validateScp(policyName: string, doc: PolicyDocument<string>, quota = DEFAULT_SCP_SIZE_QUOTA): { json: string; size: number } {
  validateScpStructure(policyName, doc);
  return checkScpSize(policyName, doc, quota);
}

/** Validates a size quota argument. */
export function validateQuota(quota: number): void {
  if (!Number.isInteger(quota) || quota < 1) {
    throw new Error(`[sizeQuota] must be a whole number of characters ≥ 1; got ${quota}`);
  }
}

/**
 * IAM `ArnLike` semantics: the ARN is split into its six colon-separated parts (the last one keeps
 * any further colons) and each part of the pattern is matched separately, `*` matching any run of
 * characters and `?` any one character, within that part only.
 */
export function arnLike(pattern: string, arn: string): boolean {
  const split = (s: string): string[] | undefined => {
    const parts = s.split(":");
    if (parts.length < 6) return undefined;
    return [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const p = split(pattern);
  const a = split(arn);
  if (!p || !a) return false;
  return p.every((part, i) => globMatch(part, a[i]));
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&"))).join("")}$`, "s");
  return re.test(value);
}

// ---------------------------------------------------------------------------------------------
// Resource control policies
// ---------------------------------------------------------------------------------------------


/** Maximum size of an RCP document in characters (AWS Organizations quota). */
export const DEFAULT_RCP_SIZE_QUOTA = 5120;

/**
 * Maximum number of RCPs attached directly to one root, OU or account (AWS Organizations quota),
 * counting the AWS-managed `RCPFullAWSAccess` policy that stays attached everywhere.
 */
export const MAX_RCPS_PER_TARGET = 5;

/** Service prefixes whose resources RCPs apply to (see the file comment). */
export const RCP_SUPPORTED_SERVICES: readonly string[] = ["s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss"];

const RCP_STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "Action", "Resource", "NotResource", "Condition"]);

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
      if (!RCP_STATEMENT_KEYS.has(key)) throw new Error(`${at} has unknown element '${key}'`);
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

// ---------------------------------------------------------------------------------------------
// The kinds, as OrganizationPolicy uses them
// ---------------------------------------------------------------------------------------------

/** The Organizations authorization policy kinds this project declares. */
export type OrganizationPolicyKind = "scp" | "rcp";

/** What tells one kind of Organizations policy from another: its type, grammar and size quota. */
export interface PolicyGrammar {
  type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
  /** For messages, e.g. "service control policy". */
  label: string;
  /** Most policies of this kind attached directly to one root, OU or account. */
  maxPerTarget: number;
  defaultQuota: number;
  validateStructure(policyName: string, doc: PolicyDocument<unknown>): void;
  validate(policyName: string, doc: PolicyDocument<string>, quota: number): { json: string; size: number };
  checkSize(policyName: string, doc: PolicyDocument<string>, quota: number): { json: string; size: number };
}

export const POLICY_GRAMMARS: Readonly<Record<OrganizationPolicyKind, PolicyGrammar>> = {
  scp: {
    type: "SERVICE_CONTROL_POLICY",
    label: "service control policy",
    maxPerTarget: MAX_SCPS_PER_TARGET,
    defaultQuota: DEFAULT_SCP_SIZE_QUOTA,
    validateStructure: validateScpStructure,
    validate: validateScp,
    checkSize: checkScpSize,
  },
  rcp: {
    type: "RESOURCE_CONTROL_POLICY",
    label: "resource control policy",
    maxPerTarget: MAX_RCPS_PER_TARGET,
    defaultQuota: DEFAULT_RCP_SIZE_QUOTA,
    validateStructure: validateRcpStructure,
    validate: validateRcp,
    checkSize: checkRcpSize,
  },
};
