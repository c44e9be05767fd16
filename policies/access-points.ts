/**
 * S3 access point and S3 Object Lambda access point rules. An access point is a second door to a
 * bucket with its own policy and its own Block Public Access settings; a bucket that delegates
 * access control to its access points (an Allow to `*` conditioned on `s3:DataAccessPointArn` or
 * `s3:DataAccessPointAccount`) is only as closed as those access points.
 */
import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PolicyStatement } from "../components/iam/policy-document";
import { asArray, conditionValues, isRecord, parseDocument, statementLabel } from "./lib";
import { isAccountPrincipal } from "../components/aws";

const ACCESS_POINT_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const s3AccessPointBlockPublicAccess: ResourceValidationPolicy = {
  name: "s3-access-point-block-public-access",
  description: "Checks whether every S3 access point keeps all four Block Public Access settings on.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.s3.AccessPoint, (ap, _args, report) => {
    // S3 turns every setting on for a new access point unless it is set to false.
    const cfg = isRecord(ap.publicAccessBlockConfiguration) ? ap.publicAccessBlockConfiguration : {};
    const off = ACCESS_POINT_FLAGS.filter((f) => (cfg as Record<string, unknown>)[f] === false);
    if (off.length > 0) report(`S3 access point '${ap.name ?? "?"}' must block public access: set ${off.join(", ")} to true.`);
  }),
};

function awsPrincipals(s: PolicyStatement): string[] {
  if (s.Principal === "*") return ["*"];
  return isRecord(s.Principal) ? asArray(s.Principal.AWS).map(String) : [];
}

const EXACT_OPERATORS = ["ArnEquals", "StringEquals"];

/** Exact `aws:PrincipalArn` values (ArnEquals/StringEquals, no wildcards), or undefined when missing or loose. */
function exactPrincipalArns(s: PolicyStatement): string[] | undefined {
  const exact = EXACT_OPERATORS.flatMap((op) => conditionValues(s, op, "aws:PrincipalArn"));
  const loose = Object.keys(s.Condition ?? {}).filter((op) => !EXACT_OPERATORS.includes(op)).flatMap((op) => conditionValues(s, op, "aws:PrincipalArn"));
  if (exact.length === 0 || loose.length > 0 || exact.some((a) => a.includes("*") || a.includes("?"))) return undefined;
  return exact;
}

/** Violations of one access point (or Object Lambda access point) policy document. */
export function accessPointPolicyProblems(policy: unknown, what: string): string[] {
  if (policy === undefined || policy === null || policy === "") return [];
  const doc = parseDocument(policy);
  if (!doc) return [`${what} policy must be a valid JSON policy document.`];
  const problems: string[] = [];
  doc.Statement.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    const principals = awsPrincipals(s);
    const label = statementLabel(s, i);
    if (isRecord(s.Principal) && (s.Principal.Service !== undefined || s.Principal.Federated !== undefined)) {
      problems.push(`${what} policy statement ${label} must grant AWS principals only (no service or federated principal).`);
    }
    const wild = principals.filter((p) => p.includes("*") || p.includes("?"));
    if (wild.length > 0) {
      problems.push(`${what} policy statement ${label} must name exact principals (account or role ARNs); got '${wild.join("', '")}'.`);
      return;
    }
    const accounts = principals.filter(isAccountPrincipal);
    if (accounts.length > 0 && exactPrincipalArns(s) === undefined) {
      problems.push(`${what} policy statement ${label} must narrow account principal '${accounts.join("', '")}' to exact identities with an ArnEquals aws:PrincipalArn condition (no wildcards).`);
    }
  });
  return problems;
}

export const s3AccessPointPolicyExactPrincipals: ResourceValidationPolicy = {
  name: "s3-access-point-policy-exact-principals",
  description: "Checks whether S3 access point and Object Lambda access point policies grant only exact AWS identities.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.AccessPoint, (ap, _args, report) => {
      for (const p of accessPointPolicyProblems(ap.policy, `S3 access point '${ap.name ?? "?"}'`)) report(p);
    }),
    validateResourceOfType(aws.s3control.AccessPointPolicy, (p, _args, report) => {
      for (const m of accessPointPolicyProblems(p.policy, `S3 access point '${p.accessPointArn ?? "?"}'`)) report(m);
    }),
    validateResourceOfType(aws.s3control.ObjectLambdaAccessPointPolicy, (p, _args, report) => {
      for (const m of accessPointPolicyProblems(p.policy, `S3 Object Lambda access point '${p.name ?? "?"}'`)) report(m);
    }),
  ],
};

/**
 * Condition keys that, with fixed values, make an Allow to `*` non-public in S3's own evaluation
 * (S3 User Guide, "The meaning of public").
 */
export const NON_PUBLIC_CONDITION_KEYS = [
  "s3:DataAccessPointArn",
  "s3:DataAccessPointAccount",
  "aws:PrincipalOrgID",
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:SourceArn",
  "aws:SourceAccount",
  "aws:SourceOwner",
  "aws:SourceVpc",
  "aws:SourceVpce",
  "aws:userid",
];

export const s3BucketPolicyPublicAllowScoped: ResourceValidationPolicy = {
  name: "s3-bucket-policy-public-allow-scoped",
  description: "Checks whether a bucket policy that allows every principal ('*') restricts it with a fixed-value condition, such as delegation to an access point.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.s3.BucketPolicy, (bp, _args, report) => {
    const doc = parseDocument(bp.policy);
    if (!doc) return;
    doc.Statement.forEach((s, i) => {
      if (s.Effect !== "Allow" || !awsPrincipals(s).includes("*")) return;
      const fixed = NON_PUBLIC_CONDITION_KEYS.some((key) => {
        const values = [...EXACT_OPERATORS, "StringEqualsIgnoreCase"].flatMap((op) => conditionValues(s, op, key));
        return values.length > 0 && values.every((v) => !v.includes("*") && !v.includes("?"));
      });
      if (!fixed) {
        report(`S3 bucket policy statement ${statementLabel(s, i)} allows every principal ('*') and must restrict it with a StringEquals/ArnEquals condition on one of ${NON_PUBLIC_CONDITION_KEYS.join(", ")} (e.g. s3:DataAccessPointArn to delegate to an access point).`);
      }
    });
  }),
};

export const accessPointPolicies = [s3AccessPointBlockPublicAccess, s3AccessPointPolicyExactPrincipals, s3BucketPolicyPublicAllowScoped];
