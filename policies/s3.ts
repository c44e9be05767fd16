/**
 * S3 rules. In @pulumi/aws v7 a bucket's encryption, versioning, public access block and policy are
 * separate resources, so the bucket-level rules are stack policies that match each sub-resource to
 * its bucket through the sub-resource's `bucket` input (the bucket's name or id).
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { asArray, conditionValues, grantsAction, isRecord, known, parseDocument, referenceKeys, refersTo, wildcardMatch, configOf } from "./lib";
import { s3Arn } from "../components/aws";

const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const PAB_TYPES = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const POLICY_TYPES = ["aws:s3/bucketPolicy:BucketPolicy"];

/** Physical name of a bucket (for messages), else its logical name. */
function bucketLabel(b: PolicyResource): string {
  const name = known(() => b.props.bucket);
  return typeof name === "string" ? name : b.name;
}

/** Each bucket of the stack with the sub-resources of `types` that refer to it. */
function bucketsWith(resources: PolicyResource[], types: string[]): { bucket: PolicyResource; subs: PolicyResource[] }[] {
  const subs = resources.filter((r) => types.includes(r.type));
  return resources
    .filter((r) => BUCKET_TYPES.includes(r.type))
    .map((bucket) => {
      const keys = referenceKeys(bucket, ["bucket"]);
      return { bucket, subs: subs.filter((s) => refersTo(s, "bucket", bucket, keys)) };
    });
}

export const s3BucketServerSideEncryption: StackValidationPolicy = {
  name: "s3-bucket-server-side-encryption",
  description: "Checks whether every S3 bucket has a server-side encryption configuration with SSE-KMS.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowSseS3: { type: "boolean", default: false, description: "Accept SSE-S3 (AES256) as well as SSE-KMS." },
    },
  },
  validateStack: (args, report) => {
    const { allowSseS3 } = configOf<{ allowSseS3: boolean }>(args, s3BucketServerSideEncryption);
    const allowed = allowSseS3 ? ["aws:kms", "aws:kms:dsse", "AES256"] : ["aws:kms", "aws:kms:dsse"];
    for (const { bucket, subs } of bucketsWith(args.resources, SSE_TYPES)) {
      const rules = [
        ...subs.flatMap((s) => asArray<any>(s.props.rules)),
        ...asArray<any>(bucket.props.serverSideEncryptionConfiguration?.rule),
      ];
      const algorithms = rules.map((r) => r?.applyServerSideEncryptionByDefault?.sseAlgorithm).filter((a): a is string => typeof a === "string");
      if (algorithms.length === 0) {
        report(`S3 bucket '${bucketLabel(bucket)}' must have a server-side encryption configuration (${allowed.join(" or ")}).`, bucket.urn);
      } else if (!algorithms.every((a) => allowed.includes(a))) {
        report(`S3 bucket '${bucketLabel(bucket)}' must encrypt with ${allowed.join(" or ")}; got '${algorithms.join(", ")}'.`, bucket.urn);
      }
    }
  },
};

const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const s3BucketPublicAccessBlock: StackValidationPolicy = {
  name: "s3-bucket-public-access-block",
  description: "Checks whether every S3 bucket has a public access block with all four settings enabled.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const { bucket, subs } of bucketsWith(args.resources, PAB_TYPES)) {
      if (subs.length === 0) {
        report(`S3 bucket '${bucketLabel(bucket)}' must have a public access block.`, bucket.urn);
        continue;
      }
      for (const s of subs) {
        const off = PAB_FLAGS.filter((f) => s.props[f] !== true);
        if (off.length > 0) report(`S3 public access block of bucket '${bucketLabel(bucket)}' must set ${off.join(", ")} to true.`, s.urn);
      }
    }
  },
};

/** Whether a statement denies every S3 action to everyone on `resources` when the request is not TLS. */
function deniesInsecureTransport(s: any, resources: string[]): boolean {
  if (s.Effect !== "Deny") return false;
  const p = s.Principal;
  const everyone = p === "*" || (isRecord(p) && asArray<string>(p.AWS).includes("*"));
  if (!everyone || !grantsAction(s, "s3:*")) return false;
  const insecure = conditionValues(s, "Bool", "aws:SecureTransport").map((v) => v.toLowerCase());
  if (!insecure.includes("false")) return false;
  const patterns = asArray<string>(s.Resource);
  return resources.every((arn) => patterns.some((pat) => wildcardMatch(pat, arn, false)));
}

export const s3BucketTlsOnlyPolicy: StackValidationPolicy = {
  name: "s3-bucket-tls-only-policy",
  description: "Checks whether every S3 bucket has a bucket policy that denies requests not made over TLS.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const { bucket, subs } of bucketsWith(args.resources, POLICY_TYPES)) {
      const physical = known(() => bucket.props.bucket);
      const name = typeof physical === "string" ? physical : undefined;
      const arn = known(() => bucket.props.arn);
      const partition = typeof arn === "string" ? arn.split(":")[1] : "aws";
      const arns = name ? [s3Arn(partition, name), s3Arn(partition, name, "/object")] : [];
      const ok = subs.some((s) => (parseDocument(s.props.policy)?.Statement ?? []).some((st) => deniesInsecureTransport(st, arns)));
      if (!ok) {
        report(
          `S3 bucket '${bucketLabel(bucket)}' must have a bucket policy statement denying s3:* to every principal on the bucket and its objects when aws:SecureTransport is false.`,
          bucket.urn,
        );
      }
    }
  },
};

export const s3BucketVersioning: StackValidationPolicy = {
  name: "s3-bucket-versioning",
  description: "Checks whether data-lake and log buckets have versioning enabled.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      bucketPatterns: {
        type: "array",
        items: { type: "string" },
        default: ["(^|[-.])(lake|lakehouse|datalake|raw|curated|landing)([-.]|$)", "(^|[-.])(logs?|access-logs|audit|cloudtrail)([-.]|$)"],
        description: "Regular expressions; a bucket whose physical or logical name matches one must be versioned.",
      },
    },
  },
  validateStack: (args, report) => {
    const patterns = configOf<{ bucketPatterns: string[] }>(args, s3BucketVersioning).bucketPatterns.map((p) => new RegExp(p, "i"));
    for (const { bucket, subs } of bucketsWith(args.resources, VERSIONING_TYPES)) {
      const names = [bucket.name, bucketLabel(bucket)];
      if (!patterns.some((re) => names.some((n) => re.test(n)))) continue;
      const enabled =
        subs.some((s) => s.props.versioningConfiguration?.status === "Enabled") || bucket.props.versioning?.enabled === true;
      if (!enabled) report(`S3 bucket '${bucketLabel(bucket)}' holds data-lake or log data and must have versioning enabled.`, bucket.urn);
    }
  },
};

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEES = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

function checkAcl(acl: unknown, report: ReportViolation, what: string): void {
  if (typeof acl === "string" && PUBLIC_ACLS.includes(acl)) report(`${what} must not use the public canned ACL '${acl}'.`);
}

export const s3NoPublicAcl: ResourceValidationPolicy = {
  name: "s3-no-public-acl",
  description: "Checks whether S3 buckets and objects avoid public canned ACLs and public grants.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.Bucket, (b, _args, report) => {
      checkAcl(b.acl, report, "S3 bucket");
      if ((b.grants ?? []).some((g) => g.uri !== undefined && PUBLIC_GRANTEES.includes(g.uri))) {
        report("S3 bucket must not grant access to AllUsers or AuthenticatedUsers.");
      }
    }),
    validateResourceOfType(aws.s3.BucketAcl, (acl, _args, report) => {
      checkAcl(acl.acl, report, "S3 bucket ACL");
      const grants = acl.accessControlPolicy?.grants ?? [];
      if (grants.some((g) => g.grantee?.uri !== undefined && PUBLIC_GRANTEES.includes(g.grantee.uri))) {
        report("S3 bucket ACL must not grant access to AllUsers or AuthenticatedUsers.");
      }
    }),
    validateResourceOfType(aws.s3.BucketObjectv2, (o, _args, report) => checkAcl(o.acl, report, "S3 object")),
  ],
};

export const s3Policies = [s3BucketServerSideEncryption, s3BucketPublicAccessBlock, s3BucketTlsOnlyPolicy, s3BucketVersioning, s3NoPublicAcl];
