import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { DeployRole, DEPLOY_BOUNDARY_DENIED_ACTIONS } from "../../../components/identity/deploy-role";
import { createSimulator } from "../../../plan/simulated-aws";
import { recordProgram, only, ofType, parseJsonInput } from "../../helpers/pulumi";

const CICD_ROLE = "arn:aws:iam::222222222222:role/mlz-github-deploy-qa";

function record(args: Partial<ConstructorParameters<typeof DeployRole>[1]> = {}) {
  const { simulator } = createSimulator({ defaultAccount: "111111111111", stackOutputs: () => undefined }, "ml-landing-zone", "test");
  return recordProgram(() => {
    const provider = new aws.Provider("account-qa", { region: "us-east-1", assumeRoles: [{ roleArn: "arn:aws:iam::555555555555:role/OrganizationAccountAccessRole" }] });
    return new DeployRole("qa-mlz-deploy", {
      roleName: "mlz-deploy",
      trustedRoleArns: [CICD_ROLE],
      organizationId: "o-abcdefghij",
      ...args,
    }, { provider });
  }, { simulator });
}

describe("DeployRole component", () => {
  it("trusts only the exact CI/CD role ARN, from the organization", async () => {
    const { resources } = await record();
    const role = only(resources, "aws:iam/role:Role");
    assert.equal(role.inputs.name, "mlz-deploy");
    assert.deepEqual(parseJsonInput(role, "assumeRolePolicy"), {
      Version: "2012-10-17",
      Statement: [{
        Sid: "TrustCicdRoleOnly",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::222222222222:root"] },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          ArnEquals: { "aws:PrincipalArn": [CICD_ROLE] },
          StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" },
        },
      }],
    });
  });

  it("bounds sessions and attaches AdministratorAccess under a boundary that denies long-lived credentials and blinding detection", async () => {
    const { resources } = await record();
    const role = only(resources, "aws:iam/role:Role");
    const boundary = only(resources, "aws:iam/policy:Policy");
    assert.equal(role.inputs.maxSessionDuration, 3600);
    assert.equal(role.inputs.permissionsBoundary, "arn:aws:iam::555555555555:policy/mlz-deploy-boundary");
    assert.deepEqual(parseJsonInput(boundary, "policy").Statement, [
      { Sid: "AllowWithinBoundary", Effect: "Allow", Action: "*", Resource: "*" },
      { Sid: "DenyLongLivedCredentialsAndBlindingDetection", Effect: "Deny", Action: DEPLOY_BOUNDARY_DENIED_ACTIONS, Resource: "*" },
      { Sid: "DenyRemovingOwnBoundary", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"], Resource: "arn:aws:iam::*:role/mlz-deploy" },
    ]);
    assert.ok(DEPLOY_BOUNDARY_DENIED_ACTIONS.includes("iam:CreateAccessKey") && DEPLOY_BOUNDARY_DENIED_ACTIONS.includes("iam:CreateUser"));
    assert.equal(only(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn, "arn:aws:iam::aws:policy/AdministratorAccess");
  });

  it("gives a read-only role ReadOnlyAccess and no boundary", async () => {
    const { resources } = await record({ roleName: "mlz-preview", access: "read-only" });
    assert.deepEqual(ofType(resources, "aws:iam/policy:Policy"), []);
    assert.equal(only(resources, "aws:iam/role:Role").inputs.permissionsBoundary, undefined);
    assert.equal(only(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn, "arn:aws:iam::aws:policy/ReadOnlyAccess");
  });

  it("refuses a wildcard, an account root or a bad duration with exact messages", async () => {
    await assert.rejects(record({ trustedRoleArns: ["arn:aws:iam::222222222222:role/mlz-github-*"] }),
      /\[trustedRoleArns\] must hold exact role ARNs \(arn:aws:iam::<account>:role\/<name>\); got 'arn:aws:iam::222222222222:role\/mlz-github-\*'/);
    await assert.rejects(record({ trustedRoleArns: ["arn:aws:iam::222222222222:root"] }),
      /\[trustedRoleArns\] must hold exact role ARNs .*; got 'arn:aws:iam::222222222222:root'/);
    await assert.rejects(record({ trustedRoleArns: [] }), /^Error: \[trustedRoleArns\] must name at least one role$/);
    await assert.rejects(record({ maxSessionDurationSeconds: 60 }), /^Error: \[maxSessionDurationSeconds\] must be a whole number from 900 to 43200; got 60$/);
    await assert.rejects(record({ roleName: "mlz deploy" }), /^Error: \[roleName\] must be an IAM role name/);
  });
});
