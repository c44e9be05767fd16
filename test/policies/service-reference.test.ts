import * as assert from "node:assert/strict";
import {
  absentKeyOutcome,
  actionsWithoutResourceLevel,
  conditionKeyPattern,
  isGlobalConditionKey,
  parseOperator,
  rcpSupportedServices,
  referenceService,
  resolveActionPattern,
  supportsConditionKey,
  unsupportedConditionKeys,
} from "../../policies/service-reference";

async function action(name: string) {
  const [svc, act] = name.split(":");
  const a = (await referenceService(svc))?.actions.get(act.toLowerCase());
  assert.ok(a, `${name} is in the reference`);
  return a;
}

describe("policies/service-reference", () => {
  describe("condition operators", () => {
    it("parses set prefixes and the IfExists suffix", () => {
      assert.deepEqual(parseOperator("StringEquals"), { setPrefix: undefined, base: "StringEquals", ifExists: false });
      assert.deepEqual(parseOperator("StringEqualsIfExists"), { setPrefix: undefined, base: "StringEquals", ifExists: true });
      assert.deepEqual(parseOperator("ForAnyValue:StringLikeIfExists"), { setPrefix: "ForAnyValue", base: "StringLike", ifExists: true });
      assert.deepEqual(parseOperator("ForAllValues:StringNotEquals"), { setPrefix: "ForAllValues", base: "StringNotEquals", ifExists: false });
      assert.deepEqual(parseOperator("Null"), { setPrefix: undefined, base: "Null", ifExists: false });
    });

    it("evaluates a condition on an absent key as IAM does", () => {
      const cases: [string, unknown, "true" | "false" | undefined][] = [
        ["StringEquals", "x", "false"],
        ["Bool", true, "false"],
        ["ArnLike", "arn:aws:iam::*:role/x", "false"],
        ["NumericLessThan", "3", "false"],
        ["StringNotEquals", "x", "true"],
        ["StringNotLike", "x*", "true"],
        ["ArnNotLike", "arn:aws:iam::*:role/x", "true"],
        ["NotIpAddress", "10.0.0.0/8", "true"],
        ["StringEqualsIfExists", "x", undefined],
        ["StringNotEqualsIfExists", "x", undefined],
        ["ForAnyValue:StringEqualsIfExists", "x", undefined],
        ["ForAnyValue:StringEquals", "x", "false"],
        ["ForAnyValue:StringNotEquals", "x", "false"],
        ["ForAllValues:StringEquals", "x", "true"],
        ["Null", "true", "true"],
        ["Null", true, "true"],
        ["Null", "false", "false"],
      ];
      for (const [op, values, expected] of cases) assert.equal(absentKeyOutcome(op, values), expected, op);
    });

    it("treats aws: keys as global and expands key variables", () => {
      assert.equal(isGlobalConditionKey("aws:PrincipalOrgID"), true);
      assert.equal(isGlobalConditionKey("AWS:SourceVpce"), true);
      assert.equal(isGlobalConditionKey("kms:ViaService"), false);
      assert.equal(conditionKeyPattern("kms:EncryptionContext:${EncryptionContextKey}").test("kms:EncryptionContext:aws:s3:arn"), true);
      assert.equal(conditionKeyPattern("kms:EncryptionContext:${EncryptionContextKey}").test("kms:EncryptionContext:"), false);
      assert.equal(conditionKeyPattern("s3:ExistingObjectTag/<key>").test("s3:existingobjecttag/team"), true);
      assert.equal(conditionKeyPattern("s3:prefix").test("s3:prefixes"), false);
    });
  });

  describe("actions", () => {
    it("resolves names case-insensitively and expands wildcards within a service", async () => {
      assert.deepEqual((await resolveActionPattern("kms:decrypt")).actions.map((a) => a.name), ["kms:Decrypt"]);
      const r = await resolveActionPattern("rekognition:CreateProject*");
      assert.deepEqual(r.actions.map((a) => a.name).sort(), ["rekognition:CreateProject", "rekognition:CreateProjectVersion"]);
      assert.equal(r.wildcard, true);
      assert.equal(r.serviceWide, false);
      const all = await resolveActionPattern("kms:*");
      assert.equal(all.serviceWide, true);
      assert.ok(all.actions.length > 30);
      assert.deepEqual(await resolveActionPattern("*"), { pattern: "*", serviceWide: true, wildcard: true, actions: [] });
    });

    it("names what is wrong with a pattern that does not resolve", async () => {
      assert.equal((await resolveActionPattern("s3:GetObjekt")).problem, "is not an action of s3");
      assert.equal((await resolveActionPattern("s3:PutBucketEncryption")).problem, "is not an action of s3");
      assert.equal((await resolveActionPattern("rekognition:Frobnicate*")).problem, "matches no action of rekognition");
      assert.equal((await resolveActionPattern("nosuchservice:Get")).problem, "names service 'nosuchservice', which the service authorization reference does not list");
      assert.equal((await resolveActionPattern("s3")).problem, "is not of the form 'service:Action'");
      assert.equal((await resolveActionPattern("s*:GetObject")).problem, "must name one service (no wildcard before ':')");
    });

    it("knows resource-level support and condition keys per action, resource-type keys included", async () => {
      assert.equal((await action("rekognition:CreateProject")).resourceLevel, false);
      assert.equal((await action("rekognition:CreateProjectVersion")).resourceLevel, true);
      assert.equal(supportsConditionKey(await action("kms:CreateGrant"), "kms:GrantIsForAWSResource"), true);
      assert.equal(supportsConditionKey(await action("kms:Decrypt"), "kms:GrantIsForAWSResource"), false);
      assert.equal(supportsConditionKey(await action("kms:Decrypt"), "KMS:viaservice"), true);
      // kms:KeyOrigin is listed on the key resource type, so it applies to every action on keys.
      assert.equal(supportsConditionKey(await action("kms:Decrypt"), "kms:KeyOrigin"), true);
      assert.equal(supportsConditionKey(await action("kms:Decrypt"), "kms:EncryptionContext:aws:s3:arn"), true);
    });

    it("adds the OIDC claims every web-identity provider puts in the context (a gap of the reference)", async () => {
      const web = await action("sts:AssumeRoleWithWebIdentity");
      assert.equal(supportsConditionKey(web, "token.actions.githubusercontent.com:sub"), true);
      assert.equal(supportsConditionKey(web, "token.actions.githubusercontent.com:aud"), true);
      assert.equal(supportsConditionKey(web, "token.actions.githubusercontent.com:repository"), true);
      assert.equal(supportsConditionKey(web, "token.actions.githubusercontent.com:nonsense"), false);
      assert.equal(supportsConditionKey(await action("sts:AssumeRole"), "token.actions.githubusercontent.com:sub"), false);
    });

    it("lists the services RCPs apply to", async () => {
      const services = await rcpSupportedServices();
      for (const s of ["s3", "sts", "kms", "sqs", "secretsmanager"]) assert.ok(services.has(s), s);
      assert.equal(services.has("rekognition"), false);
      assert.equal(services.has("iam"), false);
    });
  });

  describe("statement analysis", () => {
    it("finds the keys an action lacks, by effect and wildcard kind", async () => {
      const grant = { Effect: "Allow" as const, Action: ["kms:CreateGrant", "kms:Decrypt"], Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } };
      assert.deepEqual(await unsupportedConditionKeys(grant), [{ operator: "Bool", key: "kms:GrantIsForAWSResource", outcome: "false", actions: ["kms:Decrypt"] }]);
      // An Allow wildcard counts as a whole: some kms actions have the key.
      assert.deepEqual(await unsupportedConditionKeys({ ...grant, Action: "kms:Create*" }), []);
      // A Deny wildcard counts action by action: the guardrail would have holes.
      const deny = await unsupportedConditionKeys({ ...grant, Effect: "Deny", Action: "kms:Create*" });
      assert.deepEqual(deny[0].actions.sort(), ["kms:CreateAlias", "kms:CreateCustomKeyStore", "kms:CreateKey"]);
      // svc:* counts as a whole even in a Deny.
      assert.deepEqual(await unsupportedConditionKeys({ ...grant, Effect: "Deny", Action: "kms:*" }), []);
      // A wildcard none of whose actions has the key is named as such.
      assert.deepEqual((await unsupportedConditionKeys({ ...grant, Action: "s3:Get*" }))[0].actions, ["s3:Get*"]);
      // Global keys and IfExists are never findings.
      assert.deepEqual(await unsupportedConditionKeys({ ...grant, Condition: { BoolIfExists: { "kms:GrantIsForAWSResource": true }, StringEquals: { "aws:PrincipalOrgID": "o-abc" } } }), []);
    });

    it("finds actions without resource-level permissions under specific resources only", async () => {
      const lockout = { Effect: "Deny" as const, Action: ["rekognition:CreateProject*", "rekognition:DeleteProject*"], Resource: "arn:aws:rekognition:*:*:project/*" };
      assert.deepEqual(await actionsWithoutResourceLevel(lockout), ["rekognition:CreateProject"]);
      assert.deepEqual(await actionsWithoutResourceLevel({ ...lockout, Resource: "*" }), []);
      assert.deepEqual(await actionsWithoutResourceLevel({ ...lockout, Resource: ["arn:aws:rekognition:*:*:project/*", "*"] }), []);
      // In an Allow a partial wildcard counts as a whole, svc:* never.
      const allow = { Effect: "Allow" as const, Resource: "arn:aws:rekognition:us-east-1:444444444444:project/*" };
      assert.deepEqual(await actionsWithoutResourceLevel({ ...allow, Action: "rekognition:CreateProject*" }), []);
      assert.deepEqual(await actionsWithoutResourceLevel({ ...allow, Action: "rekognition:*" }), []);
      assert.deepEqual(await actionsWithoutResourceLevel({ ...allow, Action: ["rekognition:DescribeProjects", "rekognition:DescribeProjectVersions"] }), ["rekognition:DescribeProjects"]);
      assert.deepEqual(await actionsWithoutResourceLevel({ ...allow, NotResource: "x", Resource: undefined, Action: "rekognition:DescribeProjects" }), []);
    });
  });
});
