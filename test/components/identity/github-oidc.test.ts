import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, ofType, parseJsonInput, promiseOf, type Registration } from "../../helpers/pulumi";
import { GithubOidc, PROMOTION_ENVIRONMENT, environmentSubject, isS3BucketName, pullRequestSubject, type GithubOidcArgs } from "../../../components/identity/github-oidc";

const args = (over: Partial<GithubOidcArgs> = {}): GithubOidcArgs => ({
  owner: "example-org",
  repo: "ml-landing-zone",
  stacks: { qa: { accountId: pulumi.output("555555555555") }, prod: { accountId: "666666666666" } },
  stateBucket: "mlz-pulumi-state-222222222222",
  ...over,
});

const STATE_KEY = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/** The deploy roles' state statements (and the boundary's), without a key. */
const DEPLOY_STATE = [
  {
    Sid: "ListPulumiState",
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: "arn:aws:s3:::mlz-pulumi-state-222222222222",
    Condition: { StringLike: { "s3:prefix": [".pulumi/*"] } },
  },
  {
    Sid: "ReadWritePulumiState",
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    Resource: "arn:aws:s3:::mlz-pulumi-state-222222222222/.pulumi/*",
  },
];
const statePolicy = (resources: Registration[], roleLogicalName: string) => {
  const p = only(resources, "aws:iam/rolePolicy:RolePolicy", `${roleLogicalName}-pulumi-state`);
  assert.equal(p.inputs.name, "pulumi-state");
  return parseJsonInput(p, "policy");
};

const role = (resources: Registration[], name: string) => ofType(resources, "aws:iam/role:Role").find((r) => r.inputs.name === name)!;
const inline = (resources: Registration[], roleLogicalName: string) => parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", `${roleLogicalName}-assume-target`), "policy");

describe("GithubOidc", () => {
  it("creates the GitHub OIDC provider with the STS audience", async () => {
    const { result, resources } = await recordProgram(() => new GithubOidc("github", args()));
    const comp = only(resources, "mlz:identity:GithubOidc", "github");
    const provider = only(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-provider");
    assert.equal(provider.parent, comp.urn);
    assert.equal(provider.inputs.url, "https://token.actions.githubusercontent.com");
    assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    assert.equal(await promiseOf(result.providerArn), provider.outputs.arn);
    assert.equal(ofType(resources, "aws:iam/user:User").length, 0);
    assert.equal(ofType(resources, "aws:iam/accessKey:AccessKey").length, 0);
  });

  it("deploy role: trusts only the repository's matching environment and assumes only the target deploy role", async () => {
    const { result, resources } = await recordProgram(() => new GithubOidc("github", args()));
    const provider = only(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    const qa = role(resources, "mlz-github-deploy-qa");
    assert.equal(qa.name, "github-deploy-qa");
    assert.deepEqual(parseJsonInput(qa, "assumeRolePolicy"), {
      Version: "2012-10-17",
      Statement: [{
        Sid: "GithubActions",
        Effect: "Allow",
        Principal: { Federated: provider.outputs.arn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:example-org/ml-landing-zone:environment:qa",
          },
        },
      }],
    });
    assert.deepEqual(inline(resources, "github-deploy-qa").Statement, [
      { Sid: "AssumeTargetRole", Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: ["arn:aws:iam::555555555555:role/mlz-deploy"] },
    ]);
    assert.deepEqual(inline(resources, "github-deploy-prod").Statement[0].Resource, ["arn:aws:iam::666666666666:role/mlz-deploy"]);
    assert.equal(parseJsonInput(role(resources, "mlz-github-deploy-prod"), "assumeRolePolicy").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
      "repo:example-org/ml-landing-zone:environment:prod");
    assert.deepEqual(await promiseOf(result.deployRoleArns), {
      qa: role(resources, "mlz-github-deploy-qa").outputs.arn,
      prod: role(resources, "mlz-github-deploy-prod").outputs.arn,
    });
  });

  it("preview role: trusts only the repository's pull requests and assumes only the target read-only role", async () => {
    const { resources } = await recordProgram(() => new GithubOidc("github", args()));
    const qa = role(resources, "mlz-github-preview-qa");
    assert.deepEqual(parseJsonInput(qa, "assumeRolePolicy").Statement[0].Condition, {
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:example-org/ml-landing-zone:pull_request",
      },
    });
    assert.deepEqual(inline(resources, "github-preview-qa").Statement[0].Resource, ["arn:aws:iam::555555555555:role/mlz-preview"]);
    assert.deepEqual(inline(resources, "github-preview-prod").Statement[0].Resource, ["arn:aws:iam::666666666666:role/mlz-preview"]);
  });

  it("sets session duration and a permissions boundary limited to the target roles", async () => {
    const { resources } = await recordProgram(() => new GithubOidc("github", args()));
    const boundary = only(resources, "aws:iam/policy:Policy", "github-boundary");
    assert.deepEqual(parseJsonInput(boundary, "policy").Statement, [{
      Sid: "AssumeTargetRolesOnly",
      Effect: "Allow",
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Resource: [
        "arn:aws:iam::555555555555:role/mlz-deploy", "arn:aws:iam::555555555555:role/mlz-preview",
        "arn:aws:iam::666666666666:role/mlz-deploy", "arn:aws:iam::666666666666:role/mlz-preview",
      ],
    }, ...DEPLOY_STATE]);
    const roles = ofType(resources, "aws:iam/role:Role");
    assert.equal(roles.length, 4);
    for (const r of roles) {
      assert.equal(r.inputs.maxSessionDuration, 3600);
      assert.equal(r.inputs.permissionsBoundary, boundary.outputs.arn);
    }
    const custom = await recordProgram(() => new GithubOidc("github", args({ maxSessionDurationSeconds: 7200, permissionsBoundaryArn: "arn:aws:iam::222222222222:policy/b" })));
    assert.equal(ofType(custom.resources, "aws:iam/policy:Policy").length, 0);
    for (const r of ofType(custom.resources, "aws:iam/role:Role")) {
      assert.equal(r.inputs.maxSessionDuration, 7200);
      assert.equal(r.inputs.permissionsBoundary, "arn:aws:iam::222222222222:policy/b");
    }
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ maxSessionDurationSeconds: 60 }))), {
      message: "[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got 60",
    });
  });

  it("makes a wildcard in sub impossible: owner, repo and stack names are refused with exact messages", async () => {
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ owner: "*" }))), {
      message: "[owner] must be a GitHub user or organization name (letters, digits and single inner hyphens, at most 39 characters; no wildcards); got '*'",
    });
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ owner: "example-*" }))), /^Error: \[owner\] must be a GitHub user/);
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ repo: "ml-*" }))), {
      message: "[repo] must be a GitHub repository name (letters, digits, '.', '_' and '-', at most 100 characters; no wildcards); got 'ml-*'",
    });
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ repo: "ml-landing-zon?" }))), /^Error: \[repo\] must be a GitHub repository name/);
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ repo: "x:environment:prod" }))), /got 'x:environment:prod'/);
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stacks: { "*": { accountId: "555555555555" } } }))), {
      message: "[stacks] keys must be stack names (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 45 characters; no wildcards); got '*'",
    });
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stacks: { "qa?": { accountId: "555555555555" } } }))), /got 'qa\?'/);
    assert.throws(() => environmentSubject("example-org", "ml-landing-zone", "pr*d"), /\[stacks\] keys must be stack names/);
    assert.throws(() => pullRequestSubject("example-org/other", "x"), /\[owner\] must be a GitHub user/);
    assert.equal(environmentSubject("example-org", "ml-landing-zone", "prod"), "repo:example-org/ml-landing-zone:environment:prod");
  });

  describe("promotion role (mlz-github-promote)", () => {
    const withPromotion = (over: Partial<GithubOidcArgs> = {}) => args({ promotion: { readerAccountIds: [pulumi.output("444444444444")] }, ...over });
    const promoteRole = (resources: Registration[]) => role(resources, "mlz-github-promote");

    it("is not created without `promotion`", async () => {
      const { result, resources } = await recordProgram(() => new GithubOidc("github", args()));
      assert.equal(ofType(resources, "aws:iam/role:Role").find((r) => r.inputs.name === "mlz-github-promote"), undefined);
      assert.equal(result.promoteRole, undefined);
      assert.equal(result.promoteRoleArn, undefined);
    });

    it("trusts only the repository's `promotion` environment, with the STS audience", async () => {
      const { result, resources } = await recordProgram(() => new GithubOidc("github", withPromotion()));
      const provider = only(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      const promote = promoteRole(resources);
      assert.equal(promote.name, "github-promote");
      assert.equal(promote.parent, only(resources, "mlz:identity:GithubOidc").urn);
      assert.equal(PROMOTION_ENVIRONMENT, "promotion");
      assert.deepEqual(parseJsonInput(promote, "assumeRolePolicy"), {
        Version: "2012-10-17",
        Statement: [{
          Sid: "GithubActions",
          Effect: "Allow",
          Principal: { Federated: provider.outputs.arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": "repo:example-org/ml-landing-zone:environment:promotion",
            },
          },
        }],
      });
      assert.equal(await promiseOf(result.promoteRoleArn!), promote.outputs.arn);
    });

    it("may only sts:AssumeRole the reader role of the ML account, within the boundary, with the session duration", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", withPromotion({ maxSessionDurationSeconds: 1800 })));
      const policy = only(resources, "aws:iam/rolePolicy:RolePolicy", "github-promote-assume-reader");
      assert.equal(policy.inputs.name, "assume-reader");
      assert.equal(policy.inputs.role, "mlz-github-promote");
      assert.deepEqual(parseJsonInput(policy, "policy"), {
        Version: "2012-10-17",
        Statement: [{
          Sid: "AssumePromotionReaderOnly",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Resource: ["arn:aws:iam::444444444444:role/mlz-promotion-reader"],
        }],
      });
      assert.equal(ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === "mlz-github-promote").length, 1);
      const boundary = only(resources, "aws:iam/policy:Policy", "github-boundary");
      assert.deepEqual(parseJsonInput(boundary, "policy").Statement, [{
        Sid: "AssumeTargetRolesOnly",
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: [
          "arn:aws:iam::555555555555:role/mlz-deploy", "arn:aws:iam::555555555555:role/mlz-preview",
          "arn:aws:iam::666666666666:role/mlz-deploy", "arn:aws:iam::666666666666:role/mlz-preview",
          "arn:aws:iam::444444444444:role/mlz-promotion-reader",
        ],
      }, ...DEPLOY_STATE]);
      const promote = promoteRole(resources);
      assert.equal(promote.inputs.permissionsBoundary, boundary.outputs.arn);
      assert.equal(promote.inputs.maxSessionDuration, 1800);
    });

    it("takes another environment and reader role name", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args({ promotion: { readerAccountIds: ["444444444444"], environment: "model-promotion", readerRoleName: "reader" } })));
      assert.equal(parseJsonInput(promoteRole(resources), "assumeRolePolicy").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
        "repo:example-org/ml-landing-zone:environment:model-promotion");
      assert.deepEqual(parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-promote-assume-reader"), "policy").Statement[0].Resource,
        ["arn:aws:iam::444444444444:role/reader"]);
    });

    it("refuses a wildcard environment, a stack named like it, a bad reader account or role name, with exact messages", async () => {
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({ promotion: { readerAccountIds: ["444444444444"], environment: "promo*" } }))), {
        message: "[promotion.environment] must be a GitHub environment name (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 45 characters; no wildcards); got 'promo*'",
      });
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({
        stacks: { promotion: { accountId: "555555555555" } },
        promotion: { readerAccountIds: ["444444444444"] },
      }))), {
        message: "[promotion.environment] must not be the name of a deployed stack (its deploy job would present the same subject); got 'promotion'",
      });
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({ promotion: { readerAccountIds: [] } }))), {
        message: "[promotion.readerAccountIds] must name at least one account",
      });
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({ promotion: { readerAccountIds: ["4444*"] } }))), {
        message: "[promotion.readerAccountIds] must hold 12-digit account ids; got '4444*'",
      });
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({ promotion: { readerAccountIds: ["444444444444"], readerRoleName: "mlz-*" } }))), {
        message: "[promotion.readerRoleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got 'mlz-*'",
      });
    });
  });

  describe("Pulumi state bucket (pulumi login s3://<stateBucket>)", () => {
    it("deploy roles: list only under .pulumi/, read/write/delete .pulumi/*; nothing else", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args()));
      for (const stack of ["qa", "prod"]) {
        const doc = statePolicy(resources, `github-deploy-${stack}`);
        assert.equal(doc.Version, "2012-10-17");
        assert.deepEqual(doc.Statement[0], {
          Sid: "ListPulumiState",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: "arn:aws:s3:::mlz-pulumi-state-222222222222",
          Condition: { StringLike: { "s3:prefix": [".pulumi/*"] } },
        });
        assert.deepEqual(doc.Statement[1], {
          Sid: "ReadWritePulumiState",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: "arn:aws:s3:::mlz-pulumi-state-222222222222/.pulumi/*",
        });
        assert.equal(doc.Statement.length, 2, "no KMS statement without stateKmsKeyArn");
      }
      const deployRole = role(resources, "mlz-github-deploy-qa");
      assert.equal(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-deploy-qa-pulumi-state").inputs.role, deployRole.inputs.name);
    });

    it("preview roles: list only under .pulumi/ and read .pulumi/*; no write, no delete", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args()));
      for (const stack of ["qa", "prod"]) {
        const doc = statePolicy(resources, `github-preview-${stack}`);
        assert.deepEqual(doc.Statement[0], DEPLOY_STATE[0]);
        assert.deepEqual(doc.Statement[1], {
          Sid: "ReadPulumiState",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: "arn:aws:s3:::mlz-pulumi-state-222222222222/.pulumi/*",
        });
        assert.equal(doc.Statement.length, 2);
        assert.ok(!JSON.stringify(doc).includes("s3:PutObject") && !JSON.stringify(doc).includes("s3:DeleteObject"));
      }
    });

    it("with stateKmsKeyArn: deploy Decrypt/Encrypt/GenerateDataKey, preview Decrypt, boundary the deploy set", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args({ stateKmsKeyArn: pulumi.output(STATE_KEY) })));
      const deployKey = { Sid: "UsePulumiStateKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: STATE_KEY };
      assert.deepEqual(statePolicy(resources, "github-deploy-qa").Statement, [...DEPLOY_STATE, deployKey]);
      const preview = statePolicy(resources, "github-preview-prod").Statement;
      assert.equal(preview.length, 3);
      assert.deepEqual(preview[2], { Sid: "UsePulumiStateKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: STATE_KEY });
      const boundary = parseJsonInput(only(resources, "aws:iam/policy:Policy", "github-boundary"), "policy").Statement;
      assert.deepEqual(boundary.map((st: { Sid: string }) => st.Sid), ["AssumeTargetRolesOnly", "ListPulumiState", "ReadWritePulumiState", "UsePulumiStateKey"]);
      assert.deepEqual(boundary.slice(1), [...DEPLOY_STATE, deployKey]);
    });

    it("the promotion role gets no state policy (the boundary allows it, no identity policy does)", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args({ promotion: { readerAccountIds: ["444444444444"] } })));
      const policies = ofType(resources, "aws:iam/rolePolicy:RolePolicy");
      assert.deepEqual(policies.filter((p) => p.inputs.role === "mlz-github-promote").map((p) => p.name), ["github-promote-assume-reader"]);
      assert.deepEqual(policies.filter((p) => p.inputs.name === "pulumi-state").map((p) => p.name).sort(), [
        "github-deploy-prod-pulumi-state", "github-deploy-qa-pulumi-state", "github-preview-prod-pulumi-state", "github-preview-qa-pulumi-state",
      ]);
    });

    it("uses the partition in the bucket ARNs", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args({ partition: "aws-us-gov" })));
      const doc = statePolicy(resources, "github-deploy-qa");
      assert.equal(doc.Statement[0].Resource, "arn:aws-us-gov:s3:::mlz-pulumi-state-222222222222");
      assert.equal(doc.Statement[1].Resource, "arn:aws-us-gov:s3:::mlz-pulumi-state-222222222222/.pulumi/*");
    });

    it("refuses a bad bucket name or key ARN with exact messages; accepts a multi-Region key", async () => {
      const bucketRule = "3-63 lowercase letters, digits, '.' and '-', beginning and ending with a letter or digit, no '..', not an IP address, no reserved prefix or suffix";
      for (const bad of ["s3://mlz-pulumi-state", "mlz-pulumi-state/prefix", "Mlz-State", "mlz-*", "ab", "a..b", "192.168.1.1", "xn--abc", "state-s3alias", "-state"]) {
        await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stateBucket: bad }))), {
          message: `[stateBucket] must be an S3 bucket name (${bucketRule}; no wildcards, no s3:// or path); got '${bad}'`,
        }, bad);
      }
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stateBucket: undefined as unknown as string }))), /^Error: \[stateBucket\] must be an S3 bucket name .*got 'undefined'$/);
      for (const bad of ["arn:aws:kms:us-east-1:222222222222:alias/pulumi", "arn:aws:kms:us-east-1:222222222222:key/*", "1234abcd-12ab-34cd-56ef-1234567890ab"]) {
        await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stateKmsKeyArn: bad }))), {
          message: `[stateKmsKeyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>; not an alias); got '${bad}'`,
        }, bad);
      }
      const { resources } = await recordProgram(() => new GithubOidc("g", args({ stateKmsKeyArn: "arn:aws:kms:eu-west-1:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab" })));
      assert.equal(statePolicy(resources, "g-deploy-qa").Statement[2].Resource, "arn:aws:kms:eu-west-1:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab");
    });

    it("isS3BucketName: accepts the example and dotted names", () => {
      assert.equal(isS3BucketName("mlz-pulumi-state-222222222222"), true);
      assert.equal(isS3BucketName("state.example.com"), true);
      assert.equal(isS3BucketName("a".repeat(63)), true);
      assert.equal(isS3BucketName("a".repeat(64)), false);
      assert.equal(isS3BucketName("sthree-state"), false);
      assert.equal(isS3BucketName("state--x-s3"), false);
    });
  });

  it("refuses no stacks, a bad account id or a wildcard target role name", async () => {
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stacks: {} }))), { message: "[stacks] must name at least one stack" });
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stacks: { qa: { accountId: "5555" } } }))), {
      message: "[stacks] 'qa' must have a 12-digit accountId; got '5555'",
    });
    await assert.rejects(recordProgram(() => new GithubOidc("g", args({ targetDeployRoleName: "mlz-*" }))), {
      message: "[targetDeployRoleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got 'mlz-*'",
    });
  });
});
