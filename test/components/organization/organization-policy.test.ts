import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, ofType, promiseOf } from "../../helpers/pulumi";
import { OrganizationPolicy } from "../../../components/organization/organization-policy";
import { enforceOrgIdentities } from "../../../components/organization/guardrail-statements";
import type { PolicyStatement } from "../../../components/iam/policy-document";

const statements: PolicyStatement[] = [{ Sid: "DenyLeave", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }];

describe("OrganizationPolicy (kind scp)", () => {
  it("creates a minified SERVICE_CONTROL_POLICY and one attachment per target", async () => {
    const { result, resources } = await recordProgram(() => new OrganizationPolicy("leave", {
      kind: "scp",
      policyName: "mlz-leave",
      description: "no leaving",
      statements,
      targetIds: { root: "r-ab12", nonprod: pulumi.output("ou-ab12-nonprod1") },
    }));
    const comp = only(resources, "mlz:organization:ServiceControlPolicy", "leave");
    const policy = only(resources, "aws:organizations/policy:Policy", "leave-policy");
    assert.equal(policy.parent, comp.urn);
    assert.equal(policy.inputs.type, "SERVICE_CONTROL_POLICY");
    assert.equal(policy.inputs.name, "mlz-leave");
    assert.equal(policy.inputs.description, "no leaving");
    const expected = '{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}';
    assert.equal(policy.inputs.content, expected);
    const attachments = ofType(resources, "aws:organizations/policyAttachment:PolicyAttachment");
    assert.deepEqual(attachments.map((a) => [a.name, a.inputs.targetId, a.inputs.policyId]).sort(), [
      ["leave-nonprod", "ou-ab12-nonprod1", "leave-policy-id"],
      ["leave-root", "r-ab12", "leave-policy-id"],
    ]);
    assert.equal(await promiseOf(result.document), expected);
    assert.equal(await promiseOf(result.size), expected.length);
    assert.deepEqual(await promiseOf(result.targets), { root: "r-ab12", nonprod: "ou-ab12-nonprod1" });
  });

  it("refuses an oversized document before declaring anything, naming the policy and its size", async () => {
    const big: PolicyStatement[] = [{ Effect: "Deny", Action: "s3:DeleteBucket", Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::bucket-number-${i}`) }];
    const size = JSON.stringify({ Version: "2012-10-17", Statement: big }).length;
    await assert.rejects(recordProgram(() => new OrganizationPolicy("big", {
      kind: "scp", policyName: "mlz-big", statements: big, targetIds: { root: "r-ab12" } })), {
      message: `service control policy 'mlz-big' is ${size} characters minified, over the SCP size quota of 5120 characters`,
    });
  });

  it("applies a configurable quota", async () => {
    await assert.rejects(recordProgram(() => new OrganizationPolicy("small", {
      kind: "scp", statements, sizeQuota: 50 })), {
      message: "service control policy 'small' is 132 characters minified, over the SCP size quota of 50 characters",
    });
    await assert.rejects(recordProgram(() => new OrganizationPolicy("zero", {
      kind: "scp", statements, sizeQuota: 0 })), {
      message: "[sizeQuota] must be a whole number of characters ≥ 1; got 0",
    });
  });

  it("refuses invalid SCP grammar with the statement at fault", async () => {
    await assert.rejects(recordProgram(() => new OrganizationPolicy("p", {
      kind: "scp",
      statements: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }],
    })), { message: "[statements] of service control policy 'p': statement 0 has Principal; SCPs do not support Principal (use an aws:PrincipalARN condition)" });
    await assert.rejects(recordProgram(() => new OrganizationPolicy("p", {
      kind: "scp", statements: [] })), {
      message: "[statements] of service control policy 'p' must hold at least one statement",
    });
  });

  it("resolves Output leaves before serializing and sizing", async () => {
    const { result, resources } = await recordProgram(() => new OrganizationPolicy("iam", {
      kind: "scp",
      statements: [{ Effect: "Deny", Action: "iam:CreateUser", Resource: "*", Condition: { StringNotEquals: { "aws:PrincipalAccount": [pulumi.output("222222222222")] } } }],
    }));
    const policy = only(resources, "aws:organizations/policy:Policy");
    const doc = JSON.parse(policy.inputs.content as string);
    assert.deepEqual(doc.Statement[0].Condition, { StringNotEquals: { "aws:PrincipalAccount": ["222222222222"] } });
    assert.equal(await promiseOf(result.size), (policy.inputs.content as string).length);
    assert.equal(ofType(resources, "aws:organizations/policyAttachment:PolicyAttachment").length, 0);
  });

});

describe("OrganizationPolicy (kind rcp)", () => {
  it("creates a minified RESOURCE_CONTROL_POLICY and one attachment per target, resolving Outputs in the document", async () => {
    const { result, resources } = await recordProgram(() => new OrganizationPolicy("org-ids", {
      kind: "rcp",
      policyName: "mlz-enforce-org-identities",
      description: "org identities only",
      statements: enforceOrgIdentities(pulumi.output("o-a1b2c3d4e5")),
      targetIds: { root: "r-ab12" },
    }));
    const comp = only(resources, "mlz:organization:ResourceControlPolicy", "org-ids");
    const policy = only(resources, "aws:organizations/policy:Policy", "org-ids-policy");
    assert.equal(policy.parent, comp.urn);
    assert.equal(policy.inputs.type, "RESOURCE_CONTROL_POLICY");
    assert.equal(policy.inputs.name, "mlz-enforce-org-identities");
    assert.equal(policy.inputs.description, "org identities only");
    const expected = '{"Version":"2012-10-17","Statement":[{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}';
    assert.equal(policy.inputs.content, expected);
    assert.deepEqual(ofType(resources, "aws:organizations/policyAttachment:PolicyAttachment").map((a) => [a.name, a.parent, a.inputs.targetId, a.inputs.policyId]), [
      ["org-ids-root", comp.urn, "r-ab12", "org-ids-policy-id"],
    ]);
    assert.equal(await promiseOf(result.document), expected);
    assert.equal(await promiseOf(result.size), expected.length);
    assert.deepEqual(await promiseOf(result.targets), { root: "r-ab12" });
  });

  it("refuses SCP-style statements (no Principal) before declaring anything", async () => {
    const { resources } = await recordProgram(async () => {
      await assert.rejects(async () => new OrganizationPolicy("p", {
      kind: "rcp", statements: [{ Sid: "S", Effect: "Deny", Action: "s3:*", Resource: "*" }] }), {
        message: "[statements] of resource control policy 'p': statement 0 (Sid 'S') must have Principal '*'; got none",
      });
    });
    assert.equal(ofType(resources, "aws:organizations/policy:Policy").length, 0);
  });

  it("refuses an oversized document once its Outputs resolve, and a bad quota or target key at once", async () => {
    await assert.rejects(recordProgram(() => new OrganizationPolicy("big", {
      kind: "rcp",
      statements: enforceOrgIdentities(pulumi.output("o-a1b2c3d4e5")), sizeQuota: 100, targetIds: { root: "r-ab12" },
    })), /resource control policy 'big' is 273 characters minified, over the RCP size quota of 100 characters/);
    await assert.rejects(recordProgram(() => new OrganizationPolicy("q", {
      kind: "rcp", statements: enforceOrgIdentities("o-a1b2c3d4e5"), sizeQuota: 0 })), {
      message: "[sizeQuota] must be a whole number of characters ≥ 1; got 0",
    });
    await assert.rejects(recordProgram(() => new OrganizationPolicy("t", {
      kind: "rcp", statements: enforceOrgIdentities("o-a1b2c3d4e5"), targetIds: { "the root": "r-ab12" } })), {
      message: "[targetIds] keys must be letters, digits and '-'; got 'the root'",
    });
  });
});
