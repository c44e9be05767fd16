import { strict as assert } from "node:assert";
import { recordProgram, only, ofType, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { declareDeploymentIdentity, deploymentIdentityConfigSchema } from "../../../stacks/parts/deployment-identity";
import { exampleContext } from "./organization-fixtures";

const example = {
  github: { owner: "example-org", repo: "ml-landing-zone" },
  deployStacks: {
    cicd: { account: "cicd" }, lakehouse: { account: "lakehouse" }, ml: { account: "ml" }, qa: { account: "qa" }, prod: { account: "prod" },
  },
};

describe("deployment-identity part (cicd stack)", () => {
  it("documents its defaults and refuses wildcard stack names", () => {
    const cfg = deploymentIdentityConfigSchema.parse(example);
    assert.equal(cfg.github.maxSessionDurationSeconds, 3600);
    assert.throws(() => deploymentIdentityConfigSchema.parse({ ...example, deployStacks: { "*": { account: "qa" } } }), /expected a stack name without wildcards; got '\*'/);
    assert.throws(() => deploymentIdentityConfigSchema.parse({ ...example, deployStacks: {} }), /expected at least one stack/);
  });

  it("creates one deploy and one preview role per stack, targeting the stack's account", async () => {
    const { result, resources } = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), deploymentIdentityConfigSchema.parse(example)));
    only(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    const names = ofType(resources, "aws:iam/role:Role").map((r) => r.inputs.name).sort();
    assert.deepEqual(names, [
      "mlz-github-deploy-cicd", "mlz-github-deploy-lakehouse", "mlz-github-deploy-ml", "mlz-github-deploy-prod", "mlz-github-deploy-qa",
      "mlz-github-preview-cicd", "mlz-github-preview-lakehouse", "mlz-github-preview-ml", "mlz-github-preview-prod", "mlz-github-preview-qa",
    ]);
    const prodPolicy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-deploy-prod-assume-target"), "policy");
    assert.deepEqual(prodPolicy.Statement[0].Resource, ["arn:aws:iam::666666666666:role/mlz-deploy"]);
    const prodTrust = parseJsonInput(ofType(resources, "aws:iam/role:Role").find((r) => r.inputs.name === "mlz-github-deploy-prod")!, "assumeRolePolicy");
    assert.equal(prodTrust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], "repo:example-org/ml-landing-zone:environment:prod");
    assert.deepEqual(Object.keys(await promiseOf(result.githubDeployRoleArns)).sort(), ["cicd", "lakehouse", "ml", "prod", "qa"]);
    assert.equal(ofType(resources, "aws:iam/user:User").length + ofType(resources, "aws:iam/accessKey:AccessKey").length, 0);
  });

  it("targets a stack's own deployRoleName when set", async () => {
    const cfg = deploymentIdentityConfigSchema.parse({ ...example, deployStacks: { qa: { account: "qa", deployRoleName: "qa-deployer" } } });
    const { resources } = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg));
    const qaPolicy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-deploy-qa-assume-target"), "policy");
    assert.deepEqual(qaPolicy.Statement[0].Resource, ["arn:aws:iam::555555555555:role/qa-deployer"]);
  });

  it("refuses a wildcard owner from config with the component's exact message", async () => {
    const cfg = deploymentIdentityConfigSchema.parse({ ...example, github: { owner: "example-*", repo: "ml-landing-zone" } });
    await assert.rejects(recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg)), {
      message: "[owner] must be a GitHub user or organization name (letters, digits and single inner hyphens, at most 39 characters; no wildcards); got 'example-*'",
    });
  });
});
