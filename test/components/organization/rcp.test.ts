import { strict as assert } from "node:assert";
import { policyDocument, type PolicyDocument, type PolicyStatement } from "../../../components/iam/policy-document";
import { RCP_SUPPORTED_SERVICES, checkRcpSize, validateRcp, validateRcpStructure } from "../../../components/organization/rcp";
import { enforceOrgIdentities } from "../../../components/organization/guardrails";

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
