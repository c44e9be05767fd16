import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { policyDocument } from "../../components/iam/policy-document";
import { rekognitionGuardrailAttached, scpDocumentValid, scpSizeQuota } from "../../policies/organization";
import { resourceMessages, runStackPolicy, urnOf, type StackResourceSpec } from "./util";

const GUARDRAIL_ACTIONS = ["rekognition:CreateProject*", "rekognition:DeleteProject*", "rekognition:StartProject*", "rekognition:StopProject*"];

const GUARDRAIL = JSON.stringify(
  policyDocument([
    {
      Sid: "DenyRekognitionProjectLifecycle",
      Effect: "Deny",
      Action: ["rekognition:CreateProject*", "rekognition:DeleteProject*", "rekognition:StartProject*", "rekognition:StopProject*"],
      Resource: "*",
    },
  ]),
);

const scp = (content: string, type?: string) => ({ name: "mlz-baseline", content, ...(type ? { type } : {}) });

/** Management-stack shape: OUs, the guardrail SCP and its attachments to NonProd (qa) and Prod. */
function management(): StackResourceSpec[] {
  return [
    { cls: aws.organizations.OrganizationalUnit, name: "org-ou-nonprod", props: { name: "NonProd", parentId: "ou-work", id: "ou-nonprod" } },
    { cls: aws.organizations.OrganizationalUnit, name: "org-ou-prod", props: { name: "Prod", parentId: "ou-work", id: "ou-prod" } },
    { cls: aws.organizations.Account, name: "org-account-qa", props: { name: "example-qa", parentId: "ou-nonprod", id: "555555555555" } },
    { cls: aws.organizations.Account, name: "org-account-prod", props: { name: "example-prod", parentId: "ou-prod", id: "666666666666" } },
    { cls: aws.organizations.Policy, name: "lockout", props: { name: "mlz-consumer-rekognition-lockout", type: "SERVICE_CONTROL_POLICY", content: GUARDRAIL, id: "p-lockout" } },
    { cls: aws.organizations.PolicyAttachment, name: "lockout-nonprod", props: { policyId: "p-lockout", targetId: "ou-nonprod" } },
    { cls: aws.organizations.PolicyAttachment, name: "lockout-prod", props: { policyId: "p-lockout", targetId: "ou-prod" } },
  ];
}

describe("policies/organization", () => {
  describe("scp-document-valid", () => {
    it("passes a well-formed SCP (type defaults to SERVICE_CONTROL_POLICY)", async () => {
      assert.deepEqual(await resourceMessages(scpDocumentValid, aws.organizations.Policy, scp(GUARDRAIL)), []);
    });
    it("reports invalid JSON", async () => {
      const messages = await resourceMessages(scpDocumentValid, aws.organizations.Policy, scp("{"));
      assert.equal(messages.length, 1);
      assert.match(messages[0], /^SCP content must be valid JSON: /);
    });
    it("reports version, effect, action, principal and duplicate Sid errors", async () => {
      const content = JSON.stringify({
        Version: "2008-10-17",
        Statement: [
          { Sid: "A", Effect: "Deny", Action: "s3:*", Resource: "*" },
          { Sid: "A", Effect: "Block", Principal: "*", Resource: "*" },
          { Effect: "Deny", Action: "not an action", NotAction: "s3:*", Resource: "*" },
        ],
      });
      assert.deepEqual(await resourceMessages(scpDocumentValid, aws.organizations.Policy, scp(content)), [
        "SCP content must declare Version '2012-10-17'.",
        "SCP statement 'A' must have Effect 'Allow' or 'Deny'.",
        "SCP statement 'A' must have exactly one of Action or NotAction.",
        "SCP statement 'A' must not name a Principal; SCPs apply to every principal in the target.",
        "SCP statement 'A' must have a unique Sid.",
        "SCP statement #3 must have exactly one of Action or NotAction.",
        "SCP statement #3 must name actions as 'service:Action'; got 'not an action'.",
      ]);
    });
    it("passes the enforce-org-identities RCP (Principal '*' is required in RCPs, not a violation)", async () => {
      const content = JSON.stringify(policyDocument([{
        Sid: "EnforceOrgIdentities", Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Resource: "*",
        Condition: { StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" }, BoolIfExists: { "aws:PrincipalIsAWSService": "false" } },
      }]));
      assert.deepEqual(await resourceMessages(scpDocumentValid, aws.organizations.Policy, scp(content, "RESOURCE_CONTROL_POLICY")), []);
      // The same document as an SCP is refused for its Principal.
      assert.deepEqual(await resourceMessages(scpDocumentValid, aws.organizations.Policy, scp(content)), [
        "SCP statement 'EnforceOrgIdentities' must not name a Principal; SCPs apply to every principal in the target.",
      ]);
    });
    it("reports RCP statements without Principal '*', with Allow, or with NotAction", async () => {
      const content = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "A", Effect: "Deny", Action: "s3:*", Resource: "*" },
          { Sid: "B", Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" },
          { Sid: "C", Effect: "Deny", Principal: { AWS: "arn:aws:iam::111111111111:root" }, NotAction: "s3:*", Resource: "*" },
        ],
      });
      assert.deepEqual(await resourceMessages(scpDocumentValid, aws.organizations.Policy, scp(content, "RESOURCE_CONTROL_POLICY")), [
        "RCP statement 'A' must have Principal '*' and no NotPrincipal; narrow it with conditions.",
        "RCP statement 'B' must have Effect 'Deny'; RCPs allow only through the AWS-managed RCPFullAWSAccess.",
        "RCP statement 'C' must have Action and no NotAction.",
        "RCP statement 'C' must have Principal '*' and no NotPrincipal; narrow it with conditions.",
      ]);
    });
    it("ignores tag and backup policies", async () => {
      assert.deepEqual(await resourceMessages(scpDocumentValid, aws.organizations.Policy, scp("{", "TAG_POLICY")), []);
    });
  });

  describe("scp-size-quota", () => {
    it("passes a document within the quota", async () => {
      assert.deepEqual(await resourceMessages(scpSizeQuota, aws.organizations.Policy, scp(GUARDRAIL)), []);
    });
    it("reports a document over 5120 characters", async () => {
      const content = JSON.stringify(policyDocument([{ Effect: "Deny", Action: Array.from({ length: 400 }, (_, i) => `s3:Action${i}`), Resource: "*" }]));
      assert.deepEqual(await resourceMessages(scpSizeQuota, aws.organizations.Policy, scp(content)), [
        `SCP content must be at most 5120 characters; got ${content.length}. Remove whitespace or split the policy.`,
      ]);
    });
    it("uses the configured quota", async () => {
      assert.equal((await resourceMessages(scpSizeQuota, aws.organizations.Policy, scp(GUARDRAIL), { options: { maxCharacters: 100 } })).length, 1);
    });
  });

  describe("rekognition-guardrail-attached", () => {
    it("passes when the guardrail is attached to both consumer OUs (NonProd via consumerOuNames)", async () => {
      assert.deepEqual(await runStackPolicy(rekognitionGuardrailAttached, management(), { consumerOuNames: ["NonProd", "Prod"] }), { violations: [] });
    });
    it("finds the consumer OUs through the qa and prod accounts of the org-wide context", async () => {
      const organization = [
        { stack: "qa", role: "workload", account: "555555555555", config: {}, resources: [] },
        { stack: "prod", role: "workload", account: "666666666666", config: {}, resources: [] },
      ];
      const specs = management().filter((s) => s.name !== "lockout-nonprod");
      assert.deepEqual((await runStackPolicy(rekognitionGuardrailAttached, specs, { organization })).violations, [
        { message: "The consumer-account Rekognition guardrail SCP must be attached to OU 'NonProd'.", urn: urnOf(aws.organizations.OrganizationalUnit, "org-ou-nonprod") },
      ]);
    });
    it("reports a configured OU id without attachment", async () => {
      const { violations } = await runStackPolicy(rekognitionGuardrailAttached, management(), { consumerOuIds: ["ou-extra"] });
      assert.deepEqual(violations, [{ message: "The consumer-account Rekognition guardrail SCP must be attached to OU 'ou-extra'." }]);
    });
    it("reports a missing guardrail when its statement does not deny every lifecycle action", async () => {
      const weak = JSON.stringify(policyDocument([{ Effect: "Deny", Action: ["rekognition:CreateProject*"], Resource: "*" }]));
      const specs = management().map((s) => (s.name === "lockout" ? { ...s, props: { ...s.props, content: weak } } : s));
      assert.deepEqual((await runStackPolicy(rekognitionGuardrailAttached, specs)).violations, [
        {
          message:
            "The consumer-account Rekognition guardrail SCP (denying rekognition:CreateProject*, rekognition:DeleteProject*, rekognition:StartProject*, rekognition:StopProject*) must be declared and attached to the consumer OUs.",
        },
      ]);
    });
    it("reports a missing guardrail when it denies on project ARNs only (never matching rekognition:CreateProject)", async () => {
      const scoped = JSON.stringify(policyDocument([{ Effect: "Deny", Action: GUARDRAIL_ACTIONS, Resource: "arn:aws:rekognition:*:*:project/*" }]));
      const specs = management().map((s) => (s.name === "lockout" ? { ...s, props: { ...s.props, content: scoped } } : s));
      assert.deepEqual((await runStackPolicy(rekognitionGuardrailAttached, specs)).violations.map((v) => v.message), [
        "The consumer-account Rekognition guardrail SCP (denying rekognition:CreateProject*, rekognition:DeleteProject*, rekognition:StartProject*, rekognition:StopProject*) must be declared and attached to the consumer OUs.",
      ]);
    });
    it("is not applicable to a stack without consumer OUs", async () => {
      const outcome = await runStackPolicy(rekognitionGuardrailAttached, [{ cls: aws.s3.Bucket, name: "b", props: {} }]);
      assert.deepEqual(outcome, { violations: [], notApplicable: "no consumer OU configured or declared in this stack" });
    });
  });
});
