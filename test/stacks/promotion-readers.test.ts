/**
 * The promotion workflow's identity end to end, in the offline plan of the example organization:
 * the management stack's bootstrap declares `mlz-promotion-reader` in the ML account, trusting only
 * the cicd stack's `mlz-github-promote`, which GitHub may assume only from the `promotion`
 * environment and which may only assume that reader.
 */
import { strict as assert } from "node:assert";
import type { OrganizationPlan } from "../../plan/organization";
import { listTrust } from "../../plan/guardrails";
import { STACKS_DIR, stackFilesIn } from "../../stacks/config";
import { promotionReaderAccounts } from "../../stacks/promotion-readers";
import type { StackPlan } from "../../lib/plan-model";
import { assertGrants } from "../helpers/iam";
import { examplePlan } from "../helpers/example-plan";

const PROMOTE_ARN = "arn:aws:iam::222222222222:role/mlz-github-promote";
const READER_ARN = "arn:aws:iam::444444444444:role/mlz-promotion-reader";

function planOf(org: OrganizationPlan, stack: string): StackPlan {
  const run = org.runs.find((r) => r.plan.stack === stack);
  assert.ok(run, `no plan for ${stack}`);
  return run.plan;
}

const decode = (v: unknown): any => (typeof v === "string" ? JSON.parse(v) : v);

describe("promotion identity in the example organization's plan", function () {
  let org: OrganizationPlan;
  before(async () => {
    org = await examplePlan();
  });

  it("reads the ML account and its region from the stack files", () => {
    assert.deepEqual(promotionReaderAccounts(stackFilesIn(STACKS_DIR)), [{ account: "ml", regions: ["us-east-1"] }]);
  });

  it("management: mlz-promotion-reader in the ML account, through its OrganizationAccountAccessRole provider", () => {
    const management = planOf(org, "management");
    const readers = management.resources.filter((r) => r.type === "aws:iam/role:Role" && r.inputs.name === "mlz-promotion-reader");
    assert.equal(readers.length, 1, "exactly one reader, in the ML account only");
    const role = readers[0];
    assert.equal(role.name, "ml-mlz-promotion-reader-role");
    assert.equal(role.account, "444444444444");
    assert.equal(role.outputs.arn, READER_ARN);
    const provider = management.resources.find((r) => r.urn === role.provider);
    assert.deepEqual(decode(provider?.inputs.assumeRoles), [{ roleArn: "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole", sessionName: "mlz-bootstrap" }]);
    assertGrants(decode(role.inputs.assumeRolePolicy), {
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: { "aws:PrincipalArn": PROMOTE_ARN },
          StringEquals: { "aws:PrincipalOrgID": management.outputs.organizationId },
        },
      }],
    });
    const policy = management.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "ml-mlz-promotion-reader-permissions")!;
    assert.equal(policy.inputs.role, "mlz-promotion-reader");
    assertGrants(decode(policy.inputs.policy).Statement, [
      { Effect: "Allow", Action: "rekognition:DescribeProjects", Resource: "*" },
      { Effect: "Allow", Action: "rekognition:DescribeProjectVersions", Resource: ["arn:aws:rekognition:us-east-1:444444444444:project/*"] },
      { Effect: "Allow", Action: ["sagemaker:DescribeModel", "sagemaker:ListTags"], Resource: ["arn:aws:sagemaker:us-east-1:444444444444:model/*"] },
    ]);
    assert.equal(management.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.inputs.role === "mlz-promotion-reader").length, 0);
    assert.deepEqual(management.outputs.promotionReaderRoleArns, { ml: READER_ARN });
  });

  it("cicd: mlz-github-promote, pinned to the promotion environment, may assume only the reader", () => {
    const cicd = planOf(org, "cicd");
    const role = cicd.resources.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === "mlz-github-promote")!;
    assert.ok(role);
    assert.equal(role.account, "222222222222");
    assert.equal(role.outputs.arn, PROMOTE_ARN);
    const trust = decode(role.inputs.assumeRolePolicy);
    assert.equal(trust.Statement.length, 1);
    assert.equal(trust.Statement[0].Action, "sts:AssumeRoleWithWebIdentity");
    assert.deepEqual(trust.Statement[0].Condition, {
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:example-org/ml-landing-zone:environment:promotion",
      },
    });
    const policies = cicd.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === "mlz-github-promote");
    assert.equal(policies.length, 1);
    assertGrants(decode(policies[0].inputs.policy).Statement, [
      { Effect: "Allow", Action: "sts:AssumeRole", Resource: [READER_ARN] },
    ]);
    // Its ceiling is the CI/CD account's workload boundary, like every role the cicd stack declares.
    const promote = cicd.resources.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === "mlz-github-promote")!;
    assert.equal(promote.inputs.permissionsBoundary, "arn:aws:iam::222222222222:policy/mlz-workload-boundary");
    assert.equal(cicd.outputs.githubPromoteRoleArn, PROMOTE_ARN);
  });

  it("the plan's Role trust listing shows both roles, chained", () => {
    const promote = listTrust(planOf(org, "cicd")).find((t) => t.role === "mlz-github-promote");
    assert.deepEqual(promote, {
      role: "mlz-github-promote",
      account: "222222222222",
      trustedBy: ["GitHub OIDC sub=repo:example-org/ml-landing-zone:environment:promotion aud=sts.amazonaws.com"],
      mayAssume: [READER_ARN],
    });
    const management = planOf(org, "management");
    const reader = listTrust(management).find((t) => t.role === "mlz-promotion-reader");
    assert.deepEqual(reader, {
      role: "mlz-promotion-reader",
      account: "444444444444",
      trustedBy: [`${PROMOTE_ARN} (org ${String(management.outputs.organizationId)})`],
      mayAssume: [],
    });
  });
});
