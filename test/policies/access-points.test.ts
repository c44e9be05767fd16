import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import {
  s3AccessPointBlockPublicAccess,
  s3AccessPointPolicyExactPrincipals,
  s3BucketPolicyPublicAllowScoped,
} from "../../policies/access-points";
import { resourceMessages } from "./util";

const AP_ARN = "arn:aws:s3:us-east-1:333333333333:accesspoint/mlz-raw-images";
const OLAP_ARN = "arn:aws:s3-object-lambda:us-east-1:333333333333:accesspoint/mlz-normalized-images";
const ROLE = "arn:aws:iam::444444444444:role/mlz-training";

/** A statement as the image-normalization component writes it: an account narrowed to one role. */
function grant(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Sid: "TrainingRoles",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::444444444444:root" },
    Action: ["s3-object-lambda:GetObject"],
    Resource: OLAP_ARN,
    Condition: { ArnEquals: { "aws:PrincipalArn": ROLE }, StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
    ...extra,
  };
}
const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

const happyAccessPoint = () => ({
  bucket: "mlz-raw-images-333333333333",
  name: "mlz-raw-images",
  publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
  policy: doc(grant({ Action: ["s3:GetObject"], Resource: `${AP_ARN}/object/raw/*` })),
});

describe("policies/access-points", () => {
  describe("s3-access-point-block-public-access", () => {
    it("passes an access point with every setting on, or left to S3's default (on)", async () => {
      assert.deepEqual(await resourceMessages(s3AccessPointBlockPublicAccess, aws.s3.AccessPoint, happyAccessPoint()), []);
      assert.deepEqual(await resourceMessages(s3AccessPointBlockPublicAccess, aws.s3.AccessPoint, { ...happyAccessPoint(), publicAccessBlockConfiguration: undefined }), []);
    });
    it("reports a setting turned off", async () => {
      const ap = { ...happyAccessPoint(), publicAccessBlockConfiguration: { ...happyAccessPoint().publicAccessBlockConfiguration, restrictPublicBuckets: false } };
      assert.deepEqual(await resourceMessages(s3AccessPointBlockPublicAccess, aws.s3.AccessPoint, ap), [
        "S3 access point 'mlz-raw-images' must block public access: set restrictPublicBuckets to true.",
      ]);
    });
  });

  describe("s3-access-point-policy-exact-principals", () => {
    it("passes the component's supporting access point and Object Lambda access point policies", async () => {
      assert.deepEqual(await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3.AccessPoint, happyAccessPoint()), []);
      assert.deepEqual(await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3control.ObjectLambdaAccessPointPolicy, { name: "mlz-normalized-images", policy: doc(grant()) }), []);
      assert.deepEqual(await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3control.ObjectLambdaAccessPointPolicy, { name: "olap", policy: doc(grant({ Principal: { AWS: ROLE }, Condition: undefined })) }), [], "an exact role ARN needs no condition");
    });
    it("reports an Object Lambda access point policy open to every principal", async () => {
      assert.deepEqual(await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3control.ObjectLambdaAccessPointPolicy, { name: "olap", policy: doc(grant({ Principal: "*" })) }), [
        "S3 Object Lambda access point 'olap' policy statement 'TrainingRoles' must name exact principals (account or role ARNs); got '*'.",
      ]);
    });
    it("reports an account principal not narrowed to exact identities", async () => {
      assert.deepEqual(await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3.AccessPoint, { ...happyAccessPoint(), policy: doc(grant({ Condition: undefined })) }), [
        "S3 access point 'mlz-raw-images' policy statement 'TrainingRoles' must narrow account principal 'arn:aws:iam::444444444444:root' to exact identities with an ArnEquals aws:PrincipalArn condition (no wildcards).",
      ]);
      assert.equal((await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3control.ObjectLambdaAccessPointPolicy,
        { name: "olap", policy: doc(grant({ Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::444444444444:role/*" } } })) })).length, 1);
    });
    it("reports a service principal, and a policy that is not a document", async () => {
      assert.deepEqual(await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3control.AccessPointPolicy, { accessPointArn: AP_ARN, policy: doc(grant({ Principal: { Service: "lambda.amazonaws.com" } })) }), [
        `S3 access point '${AP_ARN}' policy statement 'TrainingRoles' must grant AWS principals only (no service or federated principal).`,
      ]);
      assert.deepEqual(await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3control.ObjectLambdaAccessPointPolicy, { name: "olap", policy: "not json" }), [
        "S3 Object Lambda access point 'olap' policy must be a valid JSON policy document.",
      ]);
    });
    it("ignores Deny statements", async () => {
      assert.deepEqual(await resourceMessages(s3AccessPointPolicyExactPrincipals, aws.s3control.ObjectLambdaAccessPointPolicy, { name: "olap", policy: doc(grant({ Effect: "Deny", Principal: "*", Condition: undefined })) }), []);
    });
  });

  describe("s3-bucket-policy-public-allow-scoped", () => {
    const delegation = (condition: unknown) => doc({
      Sid: "DelegateRawReadsToTheSupportingAccessPoint", Effect: "Allow", Principal: { AWS: "*" }, Action: ["s3:GetObject"],
      Resource: "arn:aws:s3:::mlz-raw-images-333333333333/raw/*", Condition: condition,
    });
    it("passes delegation to one access point", async () => {
      assert.deepEqual(await resourceMessages(s3BucketPolicyPublicAllowScoped, aws.s3.BucketPolicy, { bucket: "b", policy: delegation({ StringEquals: { "s3:DataAccessPointArn": AP_ARN } }) }), []);
      assert.deepEqual(await resourceMessages(s3BucketPolicyPublicAllowScoped, aws.s3.BucketPolicy, { bucket: "b", policy: delegation({ StringEquals: { "s3:DataAccessPointAccount": "333333333333" } }) }), []);
    });
    it("reports an Allow to '*' without a condition, or with a wildcard value", async () => {
      const message = "S3 bucket policy statement 'DelegateRawReadsToTheSupportingAccessPoint' allows every principal ('*') and must restrict it with a StringEquals/ArnEquals condition on one of s3:DataAccessPointArn, s3:DataAccessPointAccount, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceArn, aws:SourceAccount, aws:SourceOwner, aws:SourceVpc, aws:SourceVpce, aws:userid (e.g. s3:DataAccessPointArn to delegate to an access point).";
      assert.deepEqual(await resourceMessages(s3BucketPolicyPublicAllowScoped, aws.s3.BucketPolicy, { bucket: "b", policy: delegation(undefined) }), [message]);
      assert.deepEqual(await resourceMessages(s3BucketPolicyPublicAllowScoped, aws.s3.BucketPolicy, { bucket: "b", policy: delegation({ StringLike: { "s3:DataAccessPointArn": "arn:aws:s3:*" } }) }), [message]);
      assert.deepEqual(await resourceMessages(s3BucketPolicyPublicAllowScoped, aws.s3.BucketPolicy, { bucket: "b", policy: delegation({ StringEquals: { "s3:DataAccessPointArn": "arn:aws:s3:us-east-1:333333333333:accesspoint/*" } }) }), [message]);
    });
    it("ignores the TLS-only Deny to '*'", async () => {
      const deny = doc({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
      assert.deepEqual(await resourceMessages(s3BucketPolicyPublicAllowScoped, aws.s3.BucketPolicy, { bucket: "b", policy: deny }), []);
    });
  });
});
