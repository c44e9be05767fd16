import { strict as assert } from "node:assert";
import { policyDocument, type PolicyDocument, type PolicyStatement } from "../../../components/iam/policy-document";
import {
  DEFAULT_SCP_SIZE_QUOTA,
  POLICY_GRAMMARS,
  RCP_SUPPORTED_SERVICES,
  arnLike,
  checkRcpSize,
  checkScpSize,
  minifyScp,
  validateRcp,
  validateRcpStructure,
  validateScp,
  validateScpStructure,
} from "../../../components/organization/policy-grammar";
import { enforceOrgIdentities } from "../../../components/organization/guardrail-statements";

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

const ok: PolicyStatement = {
  Sid: "EnforceOrgIdentities", Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Resource: "*",
  Condition: { StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" }, BoolIfExists: { "aws:PrincipalIsAWSService": "false" } },
};
const doc = (...statements: PolicyStatement[]): PolicyDocument => policyDocument(statements);
const at = "[statements] of resource control policy 'p': statement 0 (Sid 'S')";

describe("rcp grammar", () => {
  it("accepts the enforce-org-identities statement and returns it minified with its size", () => {
    const checked = validateRcp("p", doc(ok));
    assert.equal(checked.json, JSON.stringify(doc(ok)));
    assert.equal(checked.size, checked.json.length);
    assert.deepEqual(enforceOrgIdentities("o-a1b2c3d4e5"), [ok]);
  });

  it("requires Principal '*' (which SCPs refuse) and Deny", () => {
    assert.throws(() => validateRcpStructure("p", doc({ Sid: "S", Effect: "Deny", Action: "s3:*", Resource: "*" })), {
      message: `${at} must have Principal '*'; got none`,
    });
    assert.throws(() => validateRcpStructure("p", doc({ Sid: "S", Effect: "Deny", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "s3:*" })), {
      message: `${at} must have Principal '*'; got {"AWS":"arn:aws:iam::111111111111:root"}`,
    });
    assert.throws(() => validateRcpStructure("p", doc({ Sid: "S", Effect: "Allow", Principal: "*", Action: "s3:*" })), {
      message: `${at} has Effect 'Allow'; RCPs only support 'Deny' (Allow is reserved for RCPFullAWSAccess)`,
    });
  });

  it("refuses NotPrincipal, NotAction, services RCPs do not apply to, and malformed actions", () => {
    assert.throws(() => validateRcpStructure("p", doc({ Sid: "S", Effect: "Deny", Principal: "*", NotAction: "s3:*" })), {
      message: `${at} has NotAction; resource control policies here do not use NotAction`,
    });
    assert.throws(() => validateRcpStructure("p", doc({ Sid: "S", Effect: "Deny", Principal: "*", NotPrincipal: "*", Action: "s3:*" })), {
      message: `${at} has NotPrincipal; resource control policies here do not use NotPrincipal`,
    });
    assert.throws(() => validateRcpStructure("p", doc({ Sid: "S", Effect: "Deny", Principal: "*", Action: "ec2:RunInstances" })), {
      message: `${at} has action 'ec2:RunInstances'; RCPs apply only to ${RCP_SUPPORTED_SERVICES.join(", ")}`,
    });
    assert.throws(() => validateRcpStructure("p", doc({ Sid: "S", Effect: "Deny", Principal: "*", Action: "sts:Assume*Role" })), {
      message: `${at} has action 'sts:Assume*Role'; expected 'service:Action', with '*' or '?' only alone or at the end`,
    });
    assert.throws(() => validateRcpStructure("p", doc({ Sid: "S", Effect: "Deny", Principal: "*", Action: [] })), {
      message: `${at} must have a non-empty Action`,
    });
    assert.throws(() => validateRcpStructure("p", doc(ok, { ...ok })), {
      message: "[statements] of resource control policy 'p': statement 1 (Sid 'EnforceOrgIdentities'): Sid is used by another statement",
    });
    assert.throws(() => validateRcpStructure("p", doc()), { message: "[statements] of resource control policy 'p' must hold at least one statement" });
  });

  it("refuses a document over the quota, naming it and its size", () => {
    const size = JSON.stringify(doc(ok)).length;
    assert.throws(() => checkRcpSize("p", doc(ok), size - 1), {
      message: `resource control policy 'p' is ${size} characters minified, over the RCP size quota of ${size - 1} characters`,
    });
    assert.equal(checkRcpSize("p", doc(ok), size).size, size);
  });

  it("refuses an organization id that is not one", () => {
    assert.throws(() => enforceOrgIdentities("123456789012"), { message: "[organizationId] must be an organization id such as 'o-a1b2c3d4e5'; got '123456789012'" });
  });
});

describe("policy grammars by kind", () => {
  it("maps each kind to its Organizations policy type, quota and per-target maximum", () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(POLICY_GRAMMARS).map(([k, g]) => [k, [g.type, g.defaultQuota, g.maxPerTarget]])),
      { scp: ["SERVICE_CONTROL_POLICY", 5120, 5], rcp: ["RESOURCE_CONTROL_POLICY", 5120, 5] },
    );
    assert.equal(POLICY_GRAMMARS.scp.validate, validateScp);
    assert.equal(POLICY_GRAMMARS.rcp.validate, validateRcp);
  });
});
