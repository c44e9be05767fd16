import { strict as assert } from "node:assert";
import { policyDocument, type PolicyStatement } from "../../../components/iam/policy-document";
import { DEFAULT_SCP_SIZE_QUOTA, arnLike, checkScpSize, minifyScp, validateScp, validateScpStructure } from "../../../components/organization/scp";

const deny = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Sid: "D", Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*", ...extra });

describe("SCP grammar and size", () => {
  it("serializes minified and counts every character", () => {
    const doc = policyDocument([deny()]);
    const json = minifyScp(doc);
    assert.equal(json, '{"Version":"2012-10-17","Statement":[{"Sid":"D","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}');
    assert.deepEqual(validateScp("p", doc), { json, size: json.length });
    assert.equal(DEFAULT_SCP_SIZE_QUOTA, 5120);
  });

  it("refuses a document over the quota, naming the policy and its size", () => {
    const doc = policyDocument([deny({ Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::bucket-number-${i}`) })]);
    const size = minifyScp(doc).length;
    assert.ok(size > 5120);
    assert.throws(() => checkScpSize("mlz-big", doc), {
      message: `service control policy 'mlz-big' is ${size} characters minified, over the SCP size quota of 5120 characters`,
    });
    assert.equal(checkScpSize("mlz-big", doc, size).size, size);
    assert.throws(() => checkScpSize("mlz-big", doc, size - 1), {
      message: `service control policy 'mlz-big' is ${size} characters minified, over the SCP size quota of ${size - 1} characters`,
    });
  });

  it("refuses Principal and NotPrincipal", () => {
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ Principal: "*" })])), {
      message: "[statements] of service control policy 'p': statement 0 (Sid 'D') has Principal; SCPs do not support Principal (use an aws:PrincipalARN condition)",
    });
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ NotPrincipal: { AWS: "arn:aws:iam::111111111111:root" } })])), /has NotPrincipal; SCPs do not support NotPrincipal/);
  });

  it("refuses an empty statement list, a bad version, a bad effect", () => {
    assert.throws(() => validateScpStructure("p", policyDocument([])), { message: "[statements] of service control policy 'p' must hold at least one statement" });
    assert.throws(() => validateScpStructure("p", { Version: "2008-10-17" as any, Statement: [deny()] }), { message: "[statements] of service control policy 'p': Version must be '2012-10-17'; got '2008-10-17'" });
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ Effect: "Block" as any })])), { message: "[statements] of service control policy 'p': statement 0 (Sid 'D') has Effect 'Block'; expected 'Allow' or 'Deny'" });
  });

  it("requires exactly one of Action and NotAction, and well-formed actions", () => {
    assert.throws(() => validateScpStructure("p", policyDocument([{ Effect: "Deny", Resource: "*" }])), { message: "[statements] of service control policy 'p': statement 0 must have exactly one of Action or NotAction" });
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ NotAction: "iam:*" })])), /exactly one of Action or NotAction/);
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ Action: "s3:*Bucket" })])), { message: "[statements] of service control policy 'p': statement 0 (Sid 'D') has action 's3:*Bucket'; expected 'service:Action', with '*' or '?' only alone or at the end" });
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ Action: "DeleteBucket" })])), /has action 'DeleteBucket'/);
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ Action: [] })])), /has an empty Action list/);
    assert.doesNotThrow(() => validateScpStructure("p", policyDocument([deny({ Action: ["*", "s3:*", "rekognition:CreateProject*", "s3:GetAccountPublic*"] })])));
  });

  it("refuses Resource with NotResource, duplicate or non-alphanumeric Sids, unknown elements", () => {
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ NotResource: "arn:aws:s3:::x" })])), /must not have both Resource and NotResource/);
    assert.throws(() => validateScpStructure("p", policyDocument([deny(), deny()])), { message: "[statements] of service control policy 'p': statement 1 (Sid 'D'): Sid is used by another statement" });
    assert.throws(() => validateScpStructure("p", policyDocument([deny({ Sid: "deny-x" })])), /Sid must hold only letters and digits/);
    assert.throws(() => validateScpStructure("p", policyDocument([{ ...deny(), Foo: 1 } as any])), /has unknown element 'Foo'/);
  });
});

describe("ArnLike matching", () => {
  const pattern = "arn:aws:iam::*:role/mlz-deploy";
  it("matches the exact role in any account", () => {
    assert.equal(arnLike(pattern, "arn:aws:iam::555555555555:role/mlz-deploy"), true);
    assert.equal(arnLike(pattern, "arn:aws:iam::666666666666:role/mlz-deploy"), true);
  });
  it("does not match other roles, paths, users or partitions", () => {
    for (const arn of [
      "arn:aws:iam::555555555555:role/mlz-deploy-evil",
      "arn:aws:iam::555555555555:role/evil-mlz-deploy",
      "arn:aws:iam::555555555555:role/x/mlz-deploy",
      "arn:aws:iam::555555555555:user/mlz-deploy",
      "arn:aws:iam::555555555555:role/MLZ-DEPLOY",
      "arn:aws-cn:iam::555555555555:role/mlz-deploy",
      "arn:aws:sts::555555555555:assumed-role/mlz-deploy/session",
    ]) assert.equal(arnLike(pattern, arn), false, arn);
  });
  it("keeps a wildcard within its ARN part", () => {
    assert.equal(arnLike("arn:aws:iam::*:root", "arn:aws:iam::555555555555:root"), true);
    assert.equal(arnLike("arn:aws:iam::*:root", "arn:aws:iam::555555555555:role/root"), false);
    assert.equal(arnLike("arn:aws:s3:::b/*", "arn:aws:s3:::b/a:b/c"), true);
  });
});
