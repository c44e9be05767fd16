import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, ofType, promiseOf } from "../../helpers/pulumi";
import { ResourceControlPolicy } from "../../../components/organization/resource-control-policy";
import { enforceOrgIdentities } from "../../../components/organization/guardrails";

describe("ResourceControlPolicy", () => {
  it("creates a minified RESOURCE_CONTROL_POLICY and one attachment per target, resolving Outputs in the document", async () => {
    const { result, resources } = await recordProgram(() => new ResourceControlPolicy("org-ids", {
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
      await assert.rejects(async () => new ResourceControlPolicy("p", { statements: [{ Sid: "S", Effect: "Deny", Action: "s3:*", Resource: "*" }] }), {
        message: "[statements] of resource control policy 'p': statement 0 (Sid 'S') must have Principal '*'; got none",
      });
    });
    assert.equal(ofType(resources, "aws:organizations/policy:Policy").length, 0);
  });

  it("refuses an oversized document once its Outputs resolve, and a bad quota or target key at once", async () => {
    await assert.rejects(recordProgram(() => new ResourceControlPolicy("big", {
      statements: enforceOrgIdentities(pulumi.output("o-a1b2c3d4e5")), sizeQuota: 100, targetIds: { root: "r-ab12" },
    })), /resource control policy 'big' is 273 characters minified, over the RCP size quota of 100 characters/);
    await assert.rejects(recordProgram(() => new ResourceControlPolicy("q", { statements: enforceOrgIdentities("o-a1b2c3d4e5"), sizeQuota: 0 })), {
      message: "[sizeQuota] must be a whole number of characters ≥ 1; got 0",
    });
    await assert.rejects(recordProgram(() => new ResourceControlPolicy("t", { statements: enforceOrgIdentities("o-a1b2c3d4e5"), targetIds: { "the root": "r-ab12" } })), {
      message: "[targetIds] keys must be letters, digits and '-'; got 'the root'",
    });
  });
});
