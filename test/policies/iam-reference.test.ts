import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { policyDocument, type PolicyStatement } from "../../components/iam/policy-document";
import { consumerRekognitionLockout } from "../../components/organization/guardrail-statements";
import { autopilotRoleStatements } from "../../components/pipelines/bikeshare/policies";
import {
  iamActionsExist,
  iamConditionKeysSupported,
  iamResourceLevelPermissions,
  rcpServicesSupported,
  resourceDocuments,
} from "../../policies/iam-reference";
import { unknownCheckingProxy } from "@pulumi/policy";
import { resourceMessages } from "./util";

/** The policy SDK's sentinel for a value unknown during preview (internal, hence untyped). */
const unknownStringValue: string = require("@pulumi/policy/proxy").unknownStringValue;

const doc = (...statements: PolicyStatement[]) => JSON.stringify(policyDocument(statements));

const KEY = "arn:aws:kms:us-east-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TRUST = doc({ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" });

/** A role with one inline policy holding `statements`. */
function role(statements: PolicyStatement[], trust = TRUST) {
  return { name: "mlz-bikeshare-autopilot", assumeRolePolicy: trust, inlinePolicies: [{ name: "access", policy: doc(...statements) }] };
}

function scp(statements: PolicyStatement[], type = "SERVICE_CONTROL_POLICY", name = "mlz-consumer-rekognition-lockout") {
  return { name, type, content: doc(...statements) };
}

/** The Autopilot role's key statement as it was: the grant condition on actions that never carry it. */
const OLD_AUTOPILOT_KEY_STATEMENT: PolicyStatement = {
  Sid: "UseKeyForVolumes",
  Effect: "Allow",
  Action: ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"],
  Resource: KEY,
  Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
};

/** The consumer lockout as it was: project ARNs, which rekognition:CreateProject never matches. */
const OLD_LOCKOUT: PolicyStatement = {
  Sid: "DenyRekognitionProjectLifecycle",
  Effect: "Deny",
  Action: ["rekognition:CreateProject*", "rekognition:DeleteProject*", "rekognition:StartProject*", "rekognition:StopProject*"],
  Resource: "arn:aws:rekognition:*:*:project/*",
};

describe("policies/iam-reference", () => {
  describe("documents of a resource", () => {
    it("reads identity, trust, resource, SCP and RCP documents, and skips other Organizations policy types", () => {
      const labels = (type: string, props: Record<string, any>, name = "r") => resourceDocuments({ type, name, props }).map((d) => [d.kind, d.label, d.doc !== undefined]);
      assert.deepEqual(labels("aws:iam/role:Role", role([])), [
        ["identity", "inline policy 'access'", true],
        ["trust", "trust policy of role 'mlz-bikeshare-autopilot'", true],
      ]);
      assert.deepEqual(labels("aws:s3/bucketPolicy:BucketPolicy", { bucket: "b1", policy: doc() }), [["resource", "bucket policy of 'b1'", true]]);
      assert.deepEqual(labels("aws:kms/key:Key", { policy: "not json" }, "k"), [["resource", "key policy of 'k'", false]]);
      assert.deepEqual(labels("aws:ec2/vpcEndpoint:VpcEndpoint", { policy: doc() }, "e"), [["resource", "endpoint policy of 'e'", true]]);
      assert.deepEqual(labels("aws:organizations/policy:Policy", scp([])), [["scp", "SCP 'mlz-consumer-rekognition-lockout'", true]]);
      assert.deepEqual(labels("aws:organizations/policy:Policy", scp([], "RESOURCE_CONTROL_POLICY", "mlz-rcp")), [["rcp", "RCP 'mlz-rcp'", true]]);
      assert.deepEqual(labels("aws:organizations/policy:Policy", { name: "t", type: "TAG_POLICY", content: "{}" }), []);
      assert.deepEqual(labels("aws:s3/bucket:Bucket", { bucket: "b1" }), []);
    });

    it("skips a document not known yet during a preview and still checks the others", async () => {
      const props = unknownCheckingProxy({ name: "mlz-app", assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRoles" }), inlinePolicies: unknownStringValue });
      assert.deepEqual(resourceDocuments({ type: "aws:iam/role:Role", name: "r", props }).map((d) => d.label), ["trust policy of role 'mlz-app'"]);
      assert.deepEqual(await resourceMessages(iamActionsExist, aws.iam.Role, props), [
        "trust policy of role 'mlz-app' statement #1 must name existing actions: Action 'sts:AssumeRoles' is not an action of sts.",
      ]);
    });
  });

  describe("iam-actions-exist", () => {
    it("passes actions and wildcards the reference knows, in every document kind", async () => {
      assert.deepEqual(await resourceMessages(iamActionsExist, aws.iam.Role, role([{ Effect: "Allow", Action: ["s3:GetObject", "s3:Get*", "kms:*"], Resource: "*" }])), []);
      assert.deepEqual(await resourceMessages(iamActionsExist, aws.organizations.Policy, scp([{ Effect: "Deny", NotAction: ["iam:*", "sts:*"], Resource: "*" }])), []);
    });

    it("names an action that does not exist, a wildcard that matches none and an unknown service", async () => {
      assert.deepEqual(await resourceMessages(iamActionsExist, aws.iam.Role, role([{ Sid: "Data", Effect: "Allow", Action: ["s3:GetObjekt", "rekognition:Frobnicate*"], Resource: "*" }])), [
        "inline policy 'access' statement 'Data' must name existing actions: Action 's3:GetObjekt' is not an action of s3.",
        "inline policy 'access' statement 'Data' must name existing actions: Action 'rekognition:Frobnicate*' matches no action of rekognition.",
      ]);
      assert.deepEqual(await resourceMessages(iamActionsExist, aws.organizations.Policy, scp([{ Effect: "Deny", NotAction: ["nosuchservice:*"], Resource: "*" }])), [
        "SCP 'mlz-consumer-rekognition-lockout' statement #1 must name existing actions: NotAction 'nosuchservice:*' names service 'nosuchservice', which the service authorization reference does not list.",
      ]);
      assert.deepEqual(await resourceMessages(iamActionsExist, aws.iam.Role, role([], doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRoles" }))), [
        "trust policy of role 'mlz-bikeshare-autopilot' statement #1 must name existing actions: Action 'sts:AssumeRoles' is not an action of sts.",
      ]);
    });
  });

  describe("iam-condition-keys-supported", () => {
    it("fails the Autopilot role's former key statement: kms:GrantIsForAWSResource exists only on the grant actions", async () => {
      assert.deepEqual(await resourceMessages(iamConditionKeysSupported, aws.iam.Role, role([OLD_AUTOPILOT_KEY_STATEMENT])), [
        "inline policy 'access' statement 'UseKeyForVolumes' must use condition keys its actions support: kms:DescribeKey, kms:Decrypt, kms:GenerateDataKey do not have " +
          "'kms:GrantIsForAWSResource' in the request context, so the statement never grants them. Move them to a statement without that condition.",
      ]);
    });

    it("passes the Autopilot role's statements as built now", async () => {
      const statements = autopilotRoleStatements({
        roleArn: "arn:aws:iam::444444444444:role/mlz-bikeshare-autopilot",
        trainingBucketArn: "arn:aws:s3:::example-mlz-ml-bikeshare-training-sets",
        trainingPrefix: "autopilot/input/",
        outputBucketArn: "arn:aws:s3:::example-mlz-ml-bikeshare-autopilot",
        outputPrefix: "autopilot/output/",
        region: "us-east-1",
        partition: "aws",
        accountId: "444444444444",
        kmsKeyArn: KEY,
      }) as PolicyStatement[];
      assert.ok(statements.some((s) => s.Condition?.Bool?.["kms:GrantIsForAWSResource"] === true));
      for (const rule of [iamConditionKeysSupported, iamActionsExist, iamResourceLevelPermissions]) {
        assert.deepEqual(await resourceMessages(rule, aws.iam.Role, role(statements)), [], rule.name);
      }
    });

    it("never questions global keys, and skips IfExists operators", async () => {
      const s: PolicyStatement = {
        Effect: "Allow",
        Action: ["kms:Decrypt", "s3:GetObject"],
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" }, BoolIfExists: { "kms:GrantIsForAWSResource": true } },
      };
      assert.deepEqual(await resourceMessages(iamConditionKeysSupported, aws.iam.Role, role([s])), []);
    });

    it("reads set prefixes: ForAnyValue on an absent key never holds, ForAllValues always does", async () => {
      const base: PolicyStatement = { Sid: "Grants", Effect: "Allow", Action: ["kms:CreateGrant", "kms:Decrypt"], Resource: KEY };
      assert.deepEqual(await resourceMessages(iamConditionKeysSupported, aws.iam.Role, role([{ ...base, Condition: { "ForAnyValue:StringEquals": { "kms:GrantOperations": ["Decrypt"] } } }])), [
        "inline policy 'access' statement 'Grants' must use condition keys its actions support: kms:Decrypt does not have 'kms:GrantOperations' in the request context, " +
          "so the statement never grants it. Move it to a statement without that condition.",
      ]);
      assert.deepEqual(await resourceMessages(iamConditionKeysSupported, aws.iam.Role, role([{ ...base, Condition: { "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt"] } } }])), [
        "inline policy 'access' statement 'Grants' must use condition keys its actions support: kms:Decrypt does not have 'kms:GrantOperations' in the request context, " +
          "so 'ForAllValues:StringEquals' always holds and the statement grants it unconditionally. Move it to a statement without that condition.",
      ]);
      assert.deepEqual(await resourceMessages(iamConditionKeysSupported, aws.iam.Role, role([{ ...base, Action: "kms:CreateGrant", Condition: { "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt"] } } }])), []);
    });

    it("reports a negated operator in a Deny as denying unconditionally", async () => {
      const s: PolicyStatement = { Sid: "RequireKms", Effect: "Deny", Action: ["s3:PutObject", "s3:GetObject"], Resource: "arn:aws:s3:::b1/*", Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } } };
      assert.deepEqual(await resourceMessages(iamConditionKeysSupported, aws.s3.BucketPolicy, { bucket: "b1", policy: doc(s) }), [
        "bucket policy of 'b1' statement 'RequireKms' must use condition keys its actions support: s3:GetObject does not have 's3:x-amz-server-side-encryption' in the request context, " +
          "so 'StringNotEquals' always holds and the statement denies it unconditionally. Move it to a statement without that condition.",
      ]);
      assert.deepEqual(await resourceMessages(iamConditionKeysSupported, aws.s3.BucketPolicy, { bucket: "b1", policy: doc({ ...s, Action: "s3:PutObject" }) }), []);
    });

    it("accepts the GitHub OIDC claims on AssumeRoleWithWebIdentity and refuses them on AssumeRole", async () => {
      const trust = (action: string) => doc({
        Sid: "GithubActions",
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" },
        Action: action,
        Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:o/r:environment:qa" } },
      });
      assert.deepEqual(await resourceMessages(iamConditionKeysSupported, aws.iam.Role, role([], trust("sts:AssumeRoleWithWebIdentity"))), []);
      const messages = await resourceMessages(iamConditionKeysSupported, aws.iam.Role, role([], trust("sts:AssumeRole")));
      assert.equal(messages.length, 2);
      assert.match(messages[0], /^trust policy of role 'mlz-bikeshare-autopilot' statement 'GithubActions' must use condition keys its actions support: sts:AssumeRole does not have 'token\.actions\.githubusercontent\.com:aud'/);
    });
  });

  describe("iam-resource-level-permissions", () => {
    it("fails the consumer lockout as it was: a deny on project ARNs never denies rekognition:CreateProject", async () => {
      assert.deepEqual(await resourceMessages(iamResourceLevelPermissions, aws.organizations.Policy, scp([OLD_LOCKOUT])), [
        "SCP 'mlz-consumer-rekognition-lockout' statement 'DenyRekognitionProjectLifecycle' must put rekognition:CreateProject under Resource '*': " +
          "it supports no resource-level permissions, so a statement naming specific resources never denies it.",
      ]);
    });

    it("passes the consumer lockout as built now", async () => {
      const statements = consumerRekognitionLockout() as PolicyStatement[];
      for (const rule of [iamResourceLevelPermissions, iamActionsExist, iamConditionKeysSupported]) {
        assert.deepEqual(await resourceMessages(rule, aws.organizations.Policy, scp(statements)), [], rule.name);
      }
    });

    it("names an action without resource types under specific resources in an Allow, but not svc:* or a wildcard that has some", async () => {
      const project = "arn:aws:rekognition:us-east-1:444444444444:project/*";
      assert.deepEqual(await resourceMessages(iamResourceLevelPermissions, aws.iam.Role, role([{ Sid: "Find", Effect: "Allow", Action: ["rekognition:DescribeProjects", "rekognition:DescribeProjectVersions"], Resource: project }])), [
        "inline policy 'access' statement 'Find' must put rekognition:DescribeProjects under Resource '*': it supports no resource-level permissions, so a statement naming specific resources never grants it.",
      ]);
      assert.deepEqual(await resourceMessages(iamResourceLevelPermissions, aws.iam.Role, role([{ Effect: "Allow", Action: ["rekognition:Describe*", "rekognition:*"], Resource: project }])), []);
      assert.deepEqual(await resourceMessages(iamResourceLevelPermissions, aws.iam.Role, role([{ Effect: "Allow", Action: "rekognition:DescribeProjects", Resource: "*" }])), []);
    });
  });

  describe("rcp-services-supported", () => {
    const rcp = (action: string[]) => scp([{ Sid: "EnforceOrgIdentities", Effect: "Deny", Principal: "*", Action: action, Resource: "*" }], "RESOURCE_CONTROL_POLICY", "mlz-enforce-org-identities");

    it("passes RCP statements on services RCPs apply to", async () => {
      assert.deepEqual(await resourceMessages(rcpServicesSupported, aws.organizations.Policy, rcp(["sts:AssumeRole", "s3:*", "kms:Decrypt"])), []);
    });

    it("names the actions of services RCPs do not apply to, in RCPs only", async () => {
      assert.deepEqual(await resourceMessages(rcpServicesSupported, aws.organizations.Policy, rcp(["sts:AssumeRole", "rekognition:DetectCustomLabels", "iam:PassRole"])), [
        "RCP 'mlz-enforce-org-identities' statement 'EnforceOrgIdentities' must name only services that RCPs apply to; got 'rekognition:DetectCustomLabels', 'iam:PassRole' (RCPs never apply to them).",
      ]);
      assert.deepEqual(await resourceMessages(rcpServicesSupported, aws.organizations.Policy, scp([OLD_LOCKOUT])), []);
    });
  });
});
