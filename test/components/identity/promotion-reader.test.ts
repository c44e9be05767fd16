import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
  PromotionReader,
  PROMOTION_READER_ACTIONS,
  PROMOTION_READER_ROLE_NAME,
  type PromotionReaderArgs,
} from "../../../components/identity/promotion-reader";
import { createSimulator } from "../../../plan/simulated-aws";
import { recordProgram, only, ofType, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { grants, grantsOf } from "../../helpers/iam";

const PROMOTE_ROLE = "arn:aws:iam::222222222222:role/mlz-github-promote";

function record(args: Partial<PromotionReaderArgs> = {}) {
  const { simulator } = createSimulator({ defaultAccount: "111111111111", stackOutputs: () => undefined }, "ml-landing-zone", "test");
  return recordProgram(() => {
    const provider = new aws.Provider("account-ml", { region: "us-east-1", assumeRoles: [{ roleArn: "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole" }] });
    return new PromotionReader("ml-mlz-promotion-reader", {
      trustedRoleArn: PROMOTE_ROLE,
      organizationId: "o-abcdefghij",
      accountId: "444444444444",
      regions: ["us-east-1"],
      ...args,
    }, { provider });
  }, { simulator });
}

describe("PromotionReader component", () => {
  it("declares one role and one inline policy under the component, in the provider's account", async () => {
    const { result, resources } = await record();
    const comp = only(resources, "mlz:identity:PromotionReader", "ml-mlz-promotion-reader");
    const role = only(resources, "aws:iam/role:Role", "ml-mlz-promotion-reader-role");
    const policy = only(resources, "aws:iam/rolePolicy:RolePolicy", "ml-mlz-promotion-reader-permissions");
    assert.equal(role.parent, comp.urn);
    assert.equal(policy.parent, comp.urn);
    assert.equal(role.inputs.name, PROMOTION_READER_ROLE_NAME);
    assert.equal(PROMOTION_READER_ROLE_NAME, "mlz-promotion-reader");
    assert.equal(role.inputs.maxSessionDuration, 3600);
    assert.equal(role.inputs.permissionsBoundary, undefined);
    assert.equal(role.outputs.arn, "arn:aws:iam::444444444444:role/mlz-promotion-reader");
    assert.equal(await promiseOf(result.arn), "arn:aws:iam::444444444444:role/mlz-promotion-reader");
    assert.equal(policy.inputs.name, "promotion-checks");
    assert.equal(policy.inputs.role, "mlz-promotion-reader");
    // No managed policy: not ReadOnlyAccess, nothing attached.
    assert.deepEqual(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), []);
    assert.deepEqual(ofType(resources, "aws:iam/policy:Policy"), []);
  });

  it("trust: only the exact CI/CD promotion role, from the organization, sts:AssumeRole only", async () => {
    const { resources } = await record();
    const trust = parseJsonInput(only(resources, "aws:iam/role:Role"), "assumeRolePolicy");
    assert.equal(trust.Version, "2012-10-17");
    assert.deepEqual(grantsOf(trust), grants({
      effect: "Allow",
      principal: { AWS: "arn:aws:iam::222222222222:root" },
      actions: ["sts:AssumeRole"],
      conditions: {
        ArnEquals: { "aws:PrincipalArn": PROMOTE_ROLE },
        StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" },
      },
    }));
  });

  it("permissions: exactly the four calls of the promotion checks, scoped to the account and regions", async () => {
    const { resources } = await record({ regions: ["us-west-2", "us-east-1", "us-east-1"] });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy"), "policy");
    assert.equal(doc.Version, "2012-10-17");
    assert.deepEqual(grantsOf(doc), grants(
      { effect: "Allow", actions: ["rekognition:DescribeProjects"], resources: ["*"] },
      {
        effect: "Allow",
        actions: ["rekognition:DescribeProjectVersions"],
        resources: ["arn:aws:rekognition:us-east-1:444444444444:project/*", "arn:aws:rekognition:us-west-2:444444444444:project/*"],
      },
      {
        effect: "Allow",
        actions: ["sagemaker:DescribeModel", "sagemaker:ListTags"],
        resources: ["arn:aws:sagemaker:us-east-1:444444444444:model/*", "arn:aws:sagemaker:us-west-2:444444444444:model/*"],
      },
    ));
    const actions = doc.Statement.flatMap((s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
    assert.deepEqual(actions, [...PROMOTION_READER_ACTIONS].sort());
    assert.ok(doc.Statement.every((s: { Effect: string }) => s.Effect === "Allow"));
  });

  it("accepts Outputs for the trusted role, organization and account, and a custom name and duration", async () => {
    const { resources } = await record({
      trustedRoleArn: pulumi.output(PROMOTE_ROLE),
      organizationId: pulumi.output("o-abcdefghij"),
      accountId: pulumi.output("444444444444"),
      roleName: "promotion-reader",
      maxSessionDurationSeconds: 900,
    });
    const role = only(resources, "aws:iam/role:Role");
    assert.equal(role.inputs.name, "promotion-reader");
    assert.equal(role.inputs.maxSessionDuration, 900);
    assert.equal(parseJsonInput(role, "assumeRolePolicy").Statement[0].Condition.ArnEquals["aws:PrincipalArn"], PROMOTE_ROLE);
    assert.deepEqual(parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy"), "policy").Statement[2].Resource, ["arn:aws:sagemaker:us-east-1:444444444444:model/*"]);
  });

  it("refuses a wildcard or root principal, a bad account, region, name or duration with exact messages", async () => {
    await assert.rejects(record({ trustedRoleArn: "arn:aws:iam::222222222222:role/mlz-github-*" }), {
      message: "[trustedRoleArn] must be an exact role ARN (arn:aws:iam::<account>:role/<name>); got 'arn:aws:iam::222222222222:role/mlz-github-*'",
    });
    await assert.rejects(record({ trustedRoleArn: pulumi.output("arn:aws:iam::222222222222:root") }),
      /\[trustedRoleArn\] must be an exact role ARN \(arn:aws:iam::<account>:role\/<name>\); got 'arn:aws:iam::222222222222:root'/);
    await assert.rejects(record({ accountId: "4444" }), { message: "[accountId] must be a 12-digit account id; got '4444'" });
    await assert.rejects(record({ regions: [] }), { message: "[regions] must name at least one region" });
    await assert.rejects(record({ regions: ["us-*"] }), { message: "[regions] must hold AWS region names such as 'us-east-1' (no wildcards); got 'us-*'" });
    await assert.rejects(record({ roleName: "mlz reader" }), {
      message: "[roleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got 'mlz reader'",
    });
    await assert.rejects(record({ maxSessionDurationSeconds: 60 }), { message: "[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got 60" });
  });
});
