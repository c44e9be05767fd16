/**
 * Pure rules for service control policy (SCP) documents: the grammar AWS Organizations accepts,
 * minified serialization and the size quota. No Pulumi resources here, so the offline plan,
 * policies and tests can call these directly.
 *
 * Grammar (AWS Organizations User Guide, "SCP syntax"):
 * - `Version` is "2012-10-17" and `Statement` holds at least one statement;
 * - `Effect` is `Allow` or `Deny`; each statement has exactly one of `Action` / `NotAction`;
 * - `Principal` and `NotPrincipal` are not supported in SCPs (SCPs apply to the principals of the
 *   accounts they are attached to; exemptions are written as `aws:PrincipalARN` conditions);
 * - at most one of `Resource` / `NotResource`;
 * - actions are `service:Action`; the wildcards `*` and `?` may only stand alone or end the string;
 * - every character, whitespace included, counts toward the size quota (5,120 characters by default),
 *   so documents are always sent minified.
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
