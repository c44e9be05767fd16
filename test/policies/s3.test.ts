import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import {
  s3BucketPublicAccessBlock,
  s3BucketServerSideEncryption,
  s3BucketTlsOnlyPolicy,
  s3BucketVersioning,
  s3NoPublicAcl,
} from "../../policies/s3";
import { unknownCheckingProxy } from "@pulumi/policy";
import { createStackValidationArgs, resourceMessages, runStackPolicy, urnOf, type StackResourceSpec } from "./util";

const NAME = "mlz-lake-raw";

function tlsPolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${NAME}`, `arn:aws:s3:::${NAME}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/** A SecureBucket-shaped stack: bucket plus its four sub-resources, all correct. */
function happyBucket(): StackResourceSpec[] {
  return [
    { cls: aws.s3.Bucket, name: "lake-raw", props: { bucket: NAME, id: NAME, arn: `arn:aws:s3:::${NAME}` } },
    {
      cls: aws.s3.BucketServerSideEncryptionConfiguration,
      name: "lake-raw-sse",
      props: { bucket: NAME, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] },
    },
    {
      cls: aws.s3.BucketPublicAccessBlock,
      name: "lake-raw-pab",
      props: { bucket: NAME, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    },
    { cls: aws.s3.BucketVersioning, name: "lake-raw-versioning", props: { bucket: NAME, versioningConfiguration: { status: "Enabled" } } },
    { cls: aws.s3.BucketPolicy, name: "lake-raw-policy", props: { bucket: NAME, policy: tlsPolicy() } },
  ];
}

function without(specs: StackResourceSpec[], name: string): StackResourceSpec[] {
  return specs.filter((s) => s.name !== name);
}

function changed(specs: StackResourceSpec[], name: string, props: Record<string, any>): StackResourceSpec[] {
  return specs.map((s) => (s.name === name ? { ...s, props: { ...s.props, ...props } } : s));
}

const BUCKET_URN = urnOf(aws.s3.Bucket, "lake-raw");

describe("policies/s3", () => {
  describe("s3-bucket-server-side-encryption", () => {
    it("passes a bucket with an SSE-KMS configuration", async () => {
      assert.deepEqual(await runStackPolicy(s3BucketServerSideEncryption, happyBucket()), { violations: [] });
    });
    it("reports a bucket without encryption configuration", async () => {
      const { violations } = await runStackPolicy(s3BucketServerSideEncryption, without(happyBucket(), "lake-raw-sse"));
      assert.deepEqual(violations, [
        { message: "S3 bucket 'mlz-lake-raw' must have a server-side encryption configuration (aws:kms or aws:kms:dsse).", urn: BUCKET_URN },
      ]);
    });
    it("reports SSE-S3 unless allowSseS3 is set", async () => {
      const specs = changed(happyBucket(), "lake-raw-sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
      const { violations } = await runStackPolicy(s3BucketServerSideEncryption, specs);
      assert.deepEqual(violations.map((v) => v.message), ["S3 bucket 'mlz-lake-raw' must encrypt with aws:kms or aws:kms:dsse; got 'AES256'."]);
      assert.deepEqual((await runStackPolicy(s3BucketServerSideEncryption, specs, { allowSseS3: true })).violations, []);
    });
    it("matches the configuration to its bucket by the bucket input, not by presence", async () => {
      const specs = changed(happyBucket(), "lake-raw-sse", { bucket: "some-other-bucket" });
      assert.equal((await runStackPolicy(s3BucketServerSideEncryption, specs)).violations.length, 1);
    });
  });

  describe("s3-bucket-public-access-block", () => {
    it("passes a bucket with all four settings", async () => {
      assert.deepEqual((await runStackPolicy(s3BucketPublicAccessBlock, happyBucket())).violations, []);
    });
    it("reports a missing public access block", async () => {
      const { violations } = await runStackPolicy(s3BucketPublicAccessBlock, without(happyBucket(), "lake-raw-pab"));
      assert.deepEqual(violations, [{ message: "S3 bucket 'mlz-lake-raw' must have a public access block.", urn: BUCKET_URN }]);
    });
    it("reports each setting that is not true", async () => {
      const specs = changed(happyBucket(), "lake-raw-pab", { restrictPublicBuckets: false, ignorePublicAcls: undefined });
      const { violations } = await runStackPolicy(s3BucketPublicAccessBlock, specs);
      assert.deepEqual(violations, [
        {
          message: "S3 public access block of bucket 'mlz-lake-raw' must set ignorePublicAcls, restrictPublicBuckets to true.",
          urn: urnOf(aws.s3.BucketPublicAccessBlock, "lake-raw-pab"),
        },
      ]);
    });
  });

  describe("s3-bucket-tls-only-policy", () => {
    const message =
      "S3 bucket 'mlz-lake-raw' must have a bucket policy statement denying s3:* to every principal on the bucket and its objects when aws:SecureTransport is false.";
    it("passes a bucket whose policy denies insecure transport", async () => {
      assert.deepEqual((await runStackPolicy(s3BucketTlsOnlyPolicy, happyBucket())).violations, []);
    });
    it("reports a bucket without a policy", async () => {
      assert.deepEqual((await runStackPolicy(s3BucketTlsOnlyPolicy, without(happyBucket(), "lake-raw-policy"))).violations, [{ message, urn: BUCKET_URN }]);
    });
    it("reports a policy that only covers the objects", async () => {
      const doc = JSON.parse(tlsPolicy());
      doc.Statement[0].Resource = `arn:aws:s3:::${NAME}/*`;
      const specs = changed(happyBucket(), "lake-raw-policy", { policy: JSON.stringify(doc) });
      assert.deepEqual((await runStackPolicy(s3BucketTlsOnlyPolicy, specs)).violations.map((v) => v.message), [message]);
    });
    it("reports a policy whose condition allows TLS only as an Allow", async () => {
      const doc = JSON.parse(tlsPolicy());
      doc.Statement[0].Effect = "Allow";
      const specs = changed(happyBucket(), "lake-raw-policy", { policy: JSON.stringify(doc) });
      assert.deepEqual((await runStackPolicy(s3BucketTlsOnlyPolicy, specs)).violations.map((v) => v.message), [message]);
    });
    it("accepts the document as an object and Principal {AWS: '*'}", async () => {
      const doc = JSON.parse(tlsPolicy());
      doc.Statement[0].Principal = { AWS: "*" };
      const specs = changed(happyBucket(), "lake-raw-policy", { policy: doc });
      assert.deepEqual((await runStackPolicy(s3BucketTlsOnlyPolicy, specs)).violations, []);
    });
  });

  describe("s3-bucket-versioning", () => {
    it("passes a versioned data-lake bucket", async () => {
      assert.deepEqual((await runStackPolicy(s3BucketVersioning, happyBucket())).violations, []);
    });
    it("reports a data-lake bucket with suspended versioning", async () => {
      const specs = changed(happyBucket(), "lake-raw-versioning", { versioningConfiguration: { status: "Suspended" } });
      assert.deepEqual((await runStackPolicy(s3BucketVersioning, specs)).violations, [
        { message: "S3 bucket 'mlz-lake-raw' holds data-lake or log data and must have versioning enabled.", urn: BUCKET_URN },
      ]);
    });
    it("reports an unversioned log bucket and ignores other buckets", async () => {
      const specs: StackResourceSpec[] = [
        { cls: aws.s3.Bucket, name: "audit", props: { bucket: "mlz-access-logs", id: "mlz-access-logs" } },
        { cls: aws.s3.Bucket, name: "catalog", props: { bucket: "mlz-catalog", id: "mlz-catalog" } },
      ];
      assert.deepEqual((await runStackPolicy(s3BucketVersioning, specs)).violations.map((v) => v.message), [
        "S3 bucket 'mlz-access-logs' holds data-lake or log data and must have versioning enabled.",
      ]);
    });
    it("applies configured bucket patterns", async () => {
      const specs: StackResourceSpec[] = [{ cls: aws.s3.Bucket, name: "artifacts", props: { bucket: "mlz-artifacts" } }];
      assert.equal((await runStackPolicy(s3BucketVersioning, specs)).violations.length, 0);
      assert.equal((await runStackPolicy(s3BucketVersioning, specs, { bucketPatterns: ["artifacts"] })).violations.length, 1);
    });
  });

  describe("s3-no-public-acl", () => {
    it("passes a bucket and ACL without public grants", async () => {
      assert.deepEqual(await resourceMessages(s3NoPublicAcl, aws.s3.Bucket, { bucket: NAME }), []);
      assert.deepEqual(await resourceMessages(s3NoPublicAcl, aws.s3.BucketAcl, { bucket: NAME, acl: "private" }), []);
    });
    it("reports a public canned ACL on a bucket ACL", async () => {
      assert.deepEqual(await resourceMessages(s3NoPublicAcl, aws.s3.BucketAcl, { bucket: NAME, acl: "public-read" }), [
        "S3 bucket ACL must not use the public canned ACL 'public-read'.",
      ]);
    });
    it("reports a grant to AllUsers", async () => {
      const props = {
        bucket: NAME,
        accessControlPolicy: {
          owner: { id: "owner" },
          grants: [{ permission: "READ", grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" } }],
        },
      };
      assert.deepEqual(await resourceMessages(s3NoPublicAcl, aws.s3.BucketAcl, props), ["S3 bucket ACL must not grant access to AllUsers or AuthenticatedUsers."]);
    });
    it("reports a public-read-write bucket and object", async () => {
      assert.deepEqual(await resourceMessages(s3NoPublicAcl, aws.s3.Bucket, { bucket: NAME, acl: "public-read-write" }), [
        "S3 bucket must not use the public canned ACL 'public-read-write'.",
      ]);
      assert.deepEqual(await resourceMessages(s3NoPublicAcl, aws.s3.BucketObjectv2, { bucket: NAME, key: "k", acl: "authenticated-read" }), [
        "S3 object must not use the public canned ACL 'authenticated-read'.",
      ]);
    });
  });
});

/** The policy SDK's sentinel for a value unknown during preview (internal, hence untyped). */
const unknownStringValue: string = require("@pulumi/policy/proxy").unknownStringValue;

describe("policies/s3 during a preview (unknown ids)", () => {
  it("matches sub-resources through property dependencies when the bucket id is unknown", async () => {
    // The policy server wraps props in this proxy; reading an unknown value throws UnknownValueError.
    const specs = happyBucket().map((s) => (s.name === "lake-raw" ? { ...s, props: { bucket: NAME, id: unknownStringValue, arn: unknownStringValue } } : s));
    const args = createStackValidationArgs(s3BucketPublicAccessBlock, specs);
    const bucket = args.resources.find((r) => r.name === "lake-raw")!;
    for (const r of args.resources) {
      r.props = unknownCheckingProxy(r.name === "lake-raw-pab" ? { ...r.props, bucket: unknownStringValue } : r.props);
      if (r.name === "lake-raw-pab") r.propertyDependencies = { bucket: [bucket] };
    }
    const violations: string[] = [];
    await s3BucketPublicAccessBlock.validateStack(args, (m) => violations.push(m));
    assert.deepEqual(violations, []);
    // Without the dependency the block cannot be matched: the bucket lacks one.
    args.resources.find((r) => r.name === "lake-raw-pab")!.propertyDependencies = {};
    const unmatched: string[] = [];
    await s3BucketPublicAccessBlock.validateStack(args, (m) => unmatched.push(m));
    assert.deepEqual(unmatched, ["S3 bucket 'mlz-lake-raw' must have a public access block."]);
  });
});
