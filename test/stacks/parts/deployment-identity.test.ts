import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recordProgram, only, ofType, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { declareDeploymentIdentity, deploymentIdentityConfigSchema } from "../../../stacks/parts/deployment-identity";
import { promotionReaderAccounts } from "../../../stacks/promotion-readers";
import { STACKS_DIR, readStackConfigFile, stackFilesIn } from "../../../stacks/config";
import { exampleContext } from "./organization-fixtures";
import { assertGrants, statementNaming } from "../../helpers/iam";

const MGMT = "organization/ml-landing-zone/management";
const example = {
  github: { owner: "example-org", repo: "ml-landing-zone", stateBucket: "mlz-pulumi-state-222222222222" },
  deployStacks: {
    cicd: { account: "cicd", readsStacks: [MGMT] },
    lakehouse: { account: "lakehouse", readsStacks: [MGMT] },
    ml: { account: "ml", readsStacks: ["organization/ml-landing-zone/lakehouse", MGMT, "organization/ml-landing-zone/prod", "organization/ml-landing-zone/qa"] },
    qa: { account: "qa", readsStacks: [MGMT] },
    prod: { account: "prod", readsStacks: [MGMT] },
  },
};

describe("deployment-identity part (cicd stack)", () => {
  it("documents its defaults and refuses wildcard stack names", () => {
    const cfg = deploymentIdentityConfigSchema.parse(example);
    assert.equal(cfg.github.maxSessionDurationSeconds, 5400);
    assert.deepEqual(cfg.promotionReaderAccounts, []);
    assert.throws(() => deploymentIdentityConfigSchema.parse({ ...example, promotionReaderAccounts: ["*"] }), /promotionReaderAccounts/);
    assert.throws(() => deploymentIdentityConfigSchema.parse({ ...example, deployStacks: { "*": { account: "qa" } } }), /expected a stack name without wildcards; got '\*'/);
    assert.throws(() => deploymentIdentityConfigSchema.parse({ ...example, deployStacks: {} }), /expected at least one stack/);
    assert.deepEqual(deploymentIdentityConfigSchema.parse({ ...example, deployStacks: { qa: { account: "qa" } } }).deployStacks.qa.readsStacks, []);
    const bad = deploymentIdentityConfigSchema.safeParse({ ...example, deployStacks: { qa: { account: "qa", readsStacks: ["organization/ml-landing-zone/*"] } } });
    assert.deepEqual(bad.error!.issues.map((i) => [i.path.join("."), i.message]), [
      ["deployStacks.qa.readsStacks.0", "expected a stack reference without wildcards; got 'organization/ml-landing-zone/*'"],
    ]);
  });

  it("no deploy role may write another stack's state; the ML roles read qa, prod, lakehouse and management, write only ml", async () => {
    const cfg = deploymentIdentityConfigSchema.parse(example);
    const { resources } = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg));
    const B = "arn:aws:s3:::mlz-pulumi-state-222222222222/";
    const stacks = ["cicd", "lakehouse", "ml", "qa", "prod"];
    for (const stack of stacks) {
      const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", `github-deploy-${stack}-pulumi-state`), "policy");
      const writable: string[] = doc.Statement.filter((st: { Action: string[] | string }) => [st.Action].flat().includes("s3:PutObject")).flatMap((st: { Resource: string[] }) => st.Resource);
      for (const arn of writable) {
        assert.ok(
          arn.startsWith(`${B}.pulumi/stacks/ml-landing-zone/${stack}.`) || new RegExp(`^${B}\\.pulumi/(history|backups|journal|locks/organization)/ml-landing-zone/${stack}/\\*$`).test(arn),
          `${stack} may write ${arn}`,
        );
        assert.ok(!arn.includes("management"), `${stack} may write ${arn}`);
      }
    }
    const ml = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-deploy-ml-pulumi-state"), "policy");
    assert.deepEqual(ml.Statement[3].Resource, ["lakehouse", "management", "prod", "qa"].flatMap((s) => [".json", ".json.gz", ".json.zst"].map((e) => `${B}.pulumi/stacks/ml-landing-zone/${s}${e}`)));
    const qa = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-deploy-qa-pulumi-state"), "policy");
    assert.deepEqual(qa.Statement[3].Resource, [".json", ".json.gz", ".json.zst"].map((e) => `${B}.pulumi/stacks/ml-landing-zone/management${e}`));
    assert.ok(!JSON.stringify(qa.Statement[2]).includes("management.json"), "qa cannot write management.json");
  });

  it("github.stateBucket is required and must be an S3 bucket name; stateKmsKeyArn optional, a key ARN", () => {
    const issues = (github: Record<string, unknown>) => {
      const r = deploymentIdentityConfigSchema.safeParse({ ...example, github });
      return r.success ? [] : r.error.issues.map((i) => [i.path.join("."), i.message]);
    };
    const { stateBucket: _omitted, ...noBucket } = example.github;
    assert.deepEqual(issues(noBucket).map(([p]) => p), ["github.stateBucket"]);
    assert.deepEqual(issues({ ...example.github, stateBucket: "s3://mlz-pulumi-state-222222222222" }), [
      ["github.stateBucket", "expected an S3 bucket name (3-63 lowercase letters, digits, '.', '-'; no s3://, path or wildcard); got 's3://mlz-pulumi-state-222222222222'"],
    ]);
    assert.deepEqual(issues({ ...example.github, stateBucket: "mlz-*" }).map(([p]) => p), ["github.stateBucket"]);
    assert.deepEqual(issues({ ...example.github, stateKmsKeyArn: "arn:aws:kms:us-east-1:222222222222:alias/pulumi" }), [
      ["github.stateKmsKeyArn", "expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias); got 'arn:aws:kms:us-east-1:222222222222:alias/pulumi'"],
    ]);
    assert.deepEqual(issues({ ...example.github, unknownKey: 1 }).map(([p]) => p), ["github"]);
    const cfg = deploymentIdentityConfigSchema.parse(example);
    assert.equal(cfg.github.stateBucket, "mlz-pulumi-state-222222222222");
    assert.equal(cfg.github.stateKmsKeyArn, undefined);
  });

  it("passes the state bucket and key to every deploy and preview role", async () => {
    const key = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const cfg = deploymentIdentityConfigSchema.parse({ ...example, github: { ...example.github, stateKmsKeyArn: key } });
    const { resources } = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg));
    const state = ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.name === "pulumi-state");
    assert.equal(state.length, 10);
    const B = "arn:aws:s3:::mlz-pulumi-state-222222222222";
    const S = ".pulumi/stacks/ml-landing-zone";
    const prodDeploy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-deploy-prod-pulumi-state"), "policy").Statement;
    const management = [`${B}/${S}/management.json`, `${B}/${S}/management.json.gz`, `${B}/${S}/management.json.zst`];
    assertGrants(prodDeploy, [
      {
        Effect: "Allow", Action: "s3:ListBucket", Resource: B,
        Condition: { StringEquals: { "s3:prefix": [
          `${S}/prod.json`, ".pulumi/history/ml-landing-zone/prod/", ".pulumi/backups/ml-landing-zone/prod/",
          ".pulumi/journal/ml-landing-zone/prod/", ".pulumi/locks/organization/ml-landing-zone/prod/", `${S}/management.json`,
        ] } },
      },
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${B}/.pulumi/meta.yaml`] },
      {
        Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: [
          `${B}/${S}/prod.json`, `${B}/${S}/prod.json.bak`, `${B}/${S}/prod.json.gz`, `${B}/${S}/prod.json.gz.bak`,
          `${B}/${S}/prod.json.zst`, `${B}/${S}/prod.json.zst.bak`, `${B}/${S}/prod.pulumi-tags`,
          `${B}/.pulumi/history/ml-landing-zone/prod/*`, `${B}/.pulumi/backups/ml-landing-zone/prod/*`,
          `${B}/.pulumi/journal/ml-landing-zone/prod/*`, `${B}/.pulumi/locks/organization/ml-landing-zone/prod/*`,
        ],
      },
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: management },
      { Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: key },
    ]);
    const prodPreview = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-preview-prod-pulumi-state"), "policy").Statement;
    assertGrants(prodPreview, [
      { Effect: "Allow", Action: "s3:ListBucket", Resource: B, Condition: { StringEquals: { "s3:prefix": [`${S}/prod.json`, `${S}/management.json`] } } },
      prodDeploy[1],
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${B}/${S}/prod.json`, `${B}/${S}/prod.json.gz`, `${B}/${S}/prod.json.zst`, `${B}/${S}/prod.pulumi-tags`] },
      prodDeploy[3],
      { Effect: "Allow", Action: ["kms:Decrypt"], Resource: key },
    ]);
    // The GitHub roles carry the CI/CD account's workload boundary (the only boundary the deploy
    // role may create roles with); the component declares no boundary policy of its own then.
    assert.deepEqual(ofType(resources, "aws:iam/policy:Policy"), []);
    for (const role of ofType(resources, "aws:iam/role:Role")) {
      assert.equal(role.inputs.permissionsBoundary, "arn:aws:iam::222222222222:policy/mlz-workload-boundary", String(role.inputs.name));
    }
  });

  it("the example cicd stack file sets the state bucket of the README's PULUMI_BACKEND_URL", () => {
    const cicd = readStackConfigFile("cicd");
    assert.equal(cicd.role, "cicd");
    assert.deepEqual(cicd.role === "cicd" && { bucket: cicd.github.stateBucket, key: cicd.github.stateKmsKeyArn }, { bucket: "mlz-pulumi-state-222222222222", key: "arn:aws:kms:us-east-1:222222222222:key/0d6f2f1e-3c4b-4a59-9e8d-7b6a5c4d3e2f" });
  });

  it("with stateKmsKeyArn, owns the secrets key's policy: use by exactly the GitHub deploy roles, decrypt by the preview roles", async () => {
    const key = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const cfg = deploymentIdentityConfigSchema.parse({ ...example, github: { ...example.github, stateKmsKeyArn: key } });
    const { resources } = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg));
    const policy = only(resources, "aws:kms/keyPolicy:KeyPolicy");
    assert.equal(policy.inputs.keyId, key);
    const roleArn = (name: string) => only(resources, "aws:iam/role:Role", name).outputs.arn;
    const stmts = parseJsonInput(policy, "policy").Statement;
    const stacks = Object.keys(example.deployStacks).sort();
    assert.deepEqual(statementNaming(stmts, "kms:Encrypt").Principal.AWS, stacks.map((s) => roleArn(`github-deploy-${s}`)));
    assert.deepEqual(stmts.find((s: any) => [s.Action].flat().join() === "kms:Decrypt").Principal.AWS, stacks.map((s) => roleArn(`github-preview-${s}`)));
    assert.equal(stmts.length, 3);
    // Without the key, no key policy.
    const none = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), deploymentIdentityConfigSchema.parse(example)));
    assert.equal(ofType(none.resources, "aws:kms/keyPolicy:KeyPolicy").length, 0);
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

  it("creates no promotion role without promotion reader accounts", async () => {
    const { result, resources } = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), deploymentIdentityConfigSchema.parse(example)));
    assert.equal(ofType(resources, "aws:iam/role:Role").filter((r) => r.inputs.name === "mlz-github-promote").length, 0);
    assert.equal("githubPromoteRoleArn" in result, false);
  });

  it("creates mlz-github-promote for the `promotion` environment, assuming only the ML account's reader", async () => {
    const cfg = deploymentIdentityConfigSchema.parse({ ...example, promotionReaderAccounts: ["ml", "ml"] });
    const { result, resources } = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg));
    const promote = ofType(resources, "aws:iam/role:Role").find((r) => r.inputs.name === "mlz-github-promote")!;
    assert.ok(promote, "no mlz-github-promote role");
    assert.equal(parseJsonInput(promote, "assumeRolePolicy").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
      "repo:example-org/ml-landing-zone:environment:promotion");
    assertGrants(parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-promote-assume-reader"), "policy").Statement, [
      { Effect: "Allow", Action: "sts:AssumeRole", Resource: ["arn:aws:iam::444444444444:role/mlz-promotion-reader"] },
    ]);
    assert.equal(await promiseOf(result.githubPromoteRoleArn!), promote.outputs.arn);
  });

  it("refuses a promotion reader account the management stack does not have, naming the key", async () => {
    const cfg = deploymentIdentityConfigSchema.parse({ ...example, promotionReaderAccounts: ["mlx"] });
    await assert.rejects(recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg)),
      /ml-landing-zone:promotionReaderAccounts: expected an account of the management stack \(management, cicd, lakehouse, ml, qa, prod\); got 'mlx'$/);
  });

  it("promotionReaderAccounts: the accounts and regions of the stacks whose role is ml", () => {
    assert.deepEqual(promotionReaderAccounts(), [{ account: "ml", regions: ["us-east-1"] }]);
    assert.deepEqual(promotionReaderAccounts(stackFilesIn(STACKS_DIR)), [{ account: "ml", regions: ["us-east-1"] }]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-readers-"));
    try {
      for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(STACKS_DIR, f), path.join(dir, f));
      const ml = fs.readFileSync(path.join(STACKS_DIR, "Pulumi.ml.yaml"), "utf8");
      fs.writeFileSync(path.join(dir, "Pulumi.ml-west.yaml"), ml.replace("ml-landing-zone:region: us-east-1", "ml-landing-zone:region: us-west-2"));
      assert.deepEqual(promotionReaderAccounts(stackFilesIn(dir)), [{ account: "ml", regions: ["us-east-1", "us-west-2"] }]);
      fs.rmSync(path.join(dir, "Pulumi.ml.yaml"));
      fs.rmSync(path.join(dir, "Pulumi.ml-west.yaml"));
      assert.deepEqual(promotionReaderAccounts(stackFilesIn(dir)), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("targets a stack's own deployRoleName when set", async () => {
    const cfg = deploymentIdentityConfigSchema.parse({ ...example, deployStacks: { qa: { account: "qa", deployRoleName: "qa-deployer" } } });
    const { resources } = await recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg));
    const qaPolicy = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-deploy-qa-assume-target"), "policy");
    assert.deepEqual(qaPolicy.Statement[0].Resource, ["arn:aws:iam::555555555555:role/qa-deployer"]);
  });

  it("refuses a wildcard owner in config, and the component refuses it again if it gets past", async () => {
    const parsed = deploymentIdentityConfigSchema.safeParse({ ...example, github: { ...example.github, owner: "example-*" } });
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error!.issues.map((i) => [i.path.join("."), i.message]), [
      ["github.owner", "expected a GitHub user or organization name (letters, digits, single inner hyphens; no wildcards); got 'example-*'"],
    ]);
    const valid = deploymentIdentityConfigSchema.parse(example);
    const cfg = { ...valid, github: { ...valid.github, owner: "example-*" } };
    await assert.rejects(recordProgram(() => declareDeploymentIdentity(exampleContext("cicd", "cicd"), cfg)), {
      message: "[owner] must be a GitHub user or organization name (letters, digits and single inner hyphens, at most 39 characters; no wildcards); got 'example-*'",
    });
  });
});
