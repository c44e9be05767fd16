import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { DeployRole, DEPLOY_BOUNDARY_DENIED_ACTIONS, validateDeployRoleArgs, type DeployRoleArgs } from "../../../components/identity/deploy-role";
import { createSimulator } from "../../../plan/simulated-aws";
import { recordProgram, only, ofType, parseJsonInput } from "../../helpers/pulumi";
import { assertGrants } from "../../helpers/iam";

const CICD_ROLE = "arn:aws:iam::222222222222:role/mlz-github-deploy-qa";
const WORKLOAD_BOUNDARY = "arn:aws:iam::555555555555:policy/mlz-workload-boundary";
const ROLE_CHANGES = [
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:DeleteRole",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
];

function record(args: Partial<ConstructorParameters<typeof DeployRole>[1]> = {}) {
  const { simulator } = createSimulator({ defaultAccount: "111111111111", stackOutputs: () => undefined }, "ml-landing-zone", "test");
  return recordProgram(() => {
    const provider = new aws.Provider("account-qa", { region: "us-east-1", assumeRoles: [{ roleArn: "arn:aws:iam::555555555555:role/OrganizationAccountAccessRole" }] });
    return new DeployRole("qa-mlz-deploy", {
      roleName: "mlz-deploy",
      trustedRoleArns: [CICD_ROLE],
      organizationId: "o-abcdefghij",
      workloadBoundaryArn: WORKLOAD_BOUNDARY,
      ...args,
    }, { provider });
  }, { simulator });
}

describe("DeployRole component", () => {
  it("trusts only the exact CI/CD role ARN, from the organization", async () => {
    const { resources } = await record();
    const role = only(resources, "aws:iam/role:Role");
    assert.equal(role.inputs.name, "mlz-deploy");
    assertGrants(parseJsonInput(role, "assumeRolePolicy"), {
      Version: "2012-10-17",
      Statement: [{
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

  it("bounds sessions and attaches AdministratorAccess under a boundary that follows AWS's delegation pattern", async () => {
    const { resources } = await record();
    const role = only(resources, "aws:iam/role:Role");
    const boundary = only(resources, "aws:iam/policy:Policy");
    assert.equal(role.inputs.maxSessionDuration, 3600);
    assert.equal(boundary.inputs.name, "mlz-deploy-boundary");
    assert.equal(role.inputs.permissionsBoundary, "arn:aws:iam::555555555555:policy/mlz-deploy-boundary");
    const statements = parseJsonInput(boundary, "policy").Statement;
    assertGrants([statements[0]], [{ Effect: "Allow", Action: "*", Resource: "*" }]);
    assertGrants([statements[1]], [{
      Effect: "Deny",
      Action: [
        "iam:CreateUser",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "organizations:LeaveOrganization",
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
        "config:Stop*",
        "config:Delete*",
        "access-analyzer:DeleteAnalyzer",
        "access-analyzer:CreateArchiveRule",
        "access-analyzer:ApplyArchiveRule",
      ],
      Resource: "*",
    }]);
    assert.deepEqual(statements[1].Action, DEPLOY_BOUNDARY_DENIED_ACTIONS);
    // The management stack creates configuration recorders: no config:Put* here.
    assert.ok(!statements[1].Action.some((a: string) => a.startsWith("config:Put")));
    assertGrants([statements[2]], [{
      Effect: "Deny",
      Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
      Resource: ["arn:aws:iam::*:policy/mlz-deploy-boundary", WORKLOAD_BOUNDARY],
    }]);
    assertGrants([statements[3]], [{ Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" }]);
    assertGrants([statements[4]], [{
      Effect: "Deny",
      Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": WORKLOAD_BOUNDARY } },
    }]);
    assertGrants([statements[5]], [{
      Effect: "Deny",
      Action: ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": WORKLOAD_BOUNDARY } },
    }]);
    assertGrants([statements[6]], [{
      Effect: "Deny",
      Action: ROLE_CHANGES,
      Resource: [
        "arn:aws:iam::*:role/OrganizationAccountAccessRole",
        "arn:aws:iam::*:role/mlz-deploy",
        "arn:aws:iam::*:role/mlz-preview",
        "arn:aws:iam::*:role/mlz-promotion-reader",
      ],
    }]);
    assert.equal(statements.length, 7);
    const json = String(boundary.inputs.policy);
    assert.equal(json, JSON.stringify(JSON.parse(json)), "minified");
    assert.ok(json.length <= 6144, `mlz-deploy-boundary is ${json.length} characters`);
    assert.equal(only(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn, "arn:aws:iam::aws:policy/AdministratorAccess");
  });

  it("protects its own name and extra platform roles, in the partition given", async () => {
    const { resources } = await record({
      roleName: "custom-deploy",
      partition: "aws-us-gov",
      platformRoleNames: ["mlz-preview"],
      workloadBoundaryArn: "arn:aws-us-gov:iam::555555555555:policy/mlz-workload-boundary",
    });
    const statements = parseJsonInput(only(resources, "aws:iam/policy:Policy"), "policy").Statement;
    assert.deepEqual(statements[2].Resource, ["arn:aws-us-gov:iam::*:policy/custom-deploy-boundary", "arn:aws-us-gov:iam::555555555555:policy/mlz-workload-boundary"]);
    assert.deepEqual(statements[6].Resource, ["arn:aws-us-gov:iam::*:role/custom-deploy", "arn:aws-us-gov:iam::*:role/mlz-preview"]);
    assert.equal(only(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn, "arn:aws-us-gov:iam::aws:policy/AdministratorAccess");
  });

  it("gives a read-only role ViewOnlyAccess (metadata, no data-plane reads), the same trust and no boundary", async () => {
    const { resources } = await record({ roleName: "mlz-preview", access: "read-only", workloadBoundaryArn: undefined });
    assert.deepEqual(ofType(resources, "aws:iam/policy:Policy"), []);
    const role = only(resources, "aws:iam/role:Role");
    assert.equal(role.inputs.permissionsBoundary, undefined);
    assert.deepEqual(parseJsonInput(role, "assumeRolePolicy").Statement[0].Condition, {
      ArnEquals: { "aws:PrincipalArn": [CICD_ROLE] },
      StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" },
    });
    assert.equal(only(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn, "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");
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

  it("refuses a deploy role without an exact workload boundary ARN, and bad platform role names", async () => {
    await assert.rejects(record({ workloadBoundaryArn: undefined }),
      /^Error: \[workloadBoundaryArn\] must be set when access is 'deploy' \(the only boundary the deploy role may give the roles it creates\)$/);
    await assert.rejects(record({ workloadBoundaryArn: "arn:aws:iam::*:policy/mlz-workload-boundary" }),
      /\[workloadBoundaryArn\] must be an exact customer managed policy ARN \(arn:aws:iam::<account>:policy\/<name>\); got 'arn:aws:iam::\*:policy\/mlz-workload-boundary'/);
    await assert.rejects(record({ platformRoleNames: ["mlz-*"] }), /^Error: \[platformRoleNames\] must hold IAM role names \(no wildcards\); got 'mlz-\*'$/);
  });
});

describe("validateDeployRoleArgs", () => {
  const valid: DeployRoleArgs = { roleName: "mlz-deploy", trustedRoleArns: [CICD_ROLE], organizationId: "o-abcdefghij", workloadBoundaryArn: WORKLOAD_BOUNDARY };

  it("applies the defaults and protects the role itself with the platform roles", () => {
    const v = validateDeployRoleArgs(valid);
    assert.equal(v.access, "deploy");
    assert.equal(v.partition, "aws");
    assert.equal(v.duration, 3600);
    assert.ok(v.platformRoles.includes("mlz-deploy"));
    assert.deepEqual(v.platformRoles, [...v.platformRoles].sort());
    assert.deepEqual(validateDeployRoleArgs({ ...valid, access: "read-only", workloadBoundaryArn: undefined }).platformRoles, []);
  });

  it("refuses each bad argument with a message naming it", () => {
    const cases: [Partial<DeployRoleArgs>, string][] = [
      [{ roleName: "mlz deploy" }, "[roleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-); got 'mlz deploy'"],
      [{ trustedRoleArns: [] }, "[trustedRoleArns] must name at least one role"],
      [{ maxSessionDurationSeconds: 43201 }, "[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got 43201"],
      [{ workloadBoundaryArn: undefined }, "[workloadBoundaryArn] must be set when access is 'deploy' (the only boundary the deploy role may give the roles it creates)"],
      [{ platformRoleNames: ["ok", "mlz-?"] }, "[platformRoleNames] must hold IAM role names (no wildcards); got 'mlz-?'"],
    ];
    for (const [over, message] of cases) assert.throws(() => validateDeployRoleArgs({ ...valid, ...over }), { message });
  });
});
