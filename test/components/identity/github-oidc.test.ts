import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { recordProgram, only, ofType, parseJsonInput, promiseOf, type Registration } from "../../helpers/pulumi";
import {
  GithubOidc, PROMOTION_ENVIRONMENT, environmentSubject, isS3BucketName, parseStateReference, pullRequestSubject, stateObjects, validateGithubOidcArgs, type GithubOidcArgs,
} from "../../../components/identity/github-oidc";
import { actionsOf, assertGrants } from "../../helpers/iam";

const args = (over: Partial<GithubOidcArgs> = {}): GithubOidcArgs => ({
  owner: "example-org",
  repo: "ml-landing-zone",
  stacks: {
    qa: { accountId: pulumi.output("555555555555"), readsStacks: ["example-org/ml-landing-zone/management"] },
    prod: { accountId: "666666666666", readsStacks: ["management"] },
  },
  stateProject: "ml-landing-zone",
  stateBucket: "mlz-pulumi-state-222222222222",
  ...over,
});

const STATE_KEY = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const BUCKET = "arn:aws:s3:::mlz-pulumi-state-222222222222";
const P = ".pulumi/stacks/ml-landing-zone";
/** Exactly what the deploy role of `stack` (reading only management) gets, without a key. */
const deployState = (stack: string, bucket = BUCKET) => [
  {
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: bucket,
    Condition: {
      StringEquals: {
        "s3:prefix": [
          `${P}/${stack}.json`,
          `.pulumi/history/ml-landing-zone/${stack}/`,
          `.pulumi/backups/ml-landing-zone/${stack}/`,
          `.pulumi/journal/ml-landing-zone/${stack}/`,
          `.pulumi/locks/organization/ml-landing-zone/${stack}/`,
          `${P}/management.json`,
        ],
      },
    },
  },
  { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucket}/.pulumi/meta.yaml`] },
  {
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    Resource: [
      `${bucket}/${P}/${stack}.json`, `${bucket}/${P}/${stack}.json.bak`,
      `${bucket}/${P}/${stack}.json.gz`, `${bucket}/${P}/${stack}.json.gz.bak`,
      `${bucket}/${P}/${stack}.json.zst`, `${bucket}/${P}/${stack}.json.zst.bak`,
      `${bucket}/${P}/${stack}.pulumi-tags`,
      `${bucket}/.pulumi/history/ml-landing-zone/${stack}/*`,
      `${bucket}/.pulumi/backups/ml-landing-zone/${stack}/*`,
      `${bucket}/.pulumi/journal/ml-landing-zone/${stack}/*`,
      `${bucket}/.pulumi/locks/organization/ml-landing-zone/${stack}/*`,
    ],
  },
  {
    Effect: "Allow",
    Action: ["s3:GetObject"],
    Resource: [`${bucket}/${P}/management.json`, `${bucket}/${P}/management.json.gz`, `${bucket}/${P}/management.json.zst`],
  },
];
/** Exactly what the preview role of `stack` (reading only management) gets, without a key. */
const previewState = (stack: string) => [
  { Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringEquals: { "s3:prefix": [`${P}/${stack}.json`, `${P}/management.json`] } } },
  { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${BUCKET}/.pulumi/meta.yaml`] },
  {
    Effect: "Allow",
    Action: ["s3:GetObject"],
    Resource: [`${BUCKET}/${P}/${stack}.json`, `${BUCKET}/${P}/${stack}.json.gz`, `${BUCKET}/${P}/${stack}.json.zst`, `${BUCKET}/${P}/${stack}.pulumi-tags`],
  },
  deployState(stack)[3],
];
/** Every object ARN a statement of `doc` allows `action` on. */
const allowedObjects = (doc: { Statement: { Action: string | string[]; Resource: string | string[] }[] }, action: string): string[] =>
  doc.Statement.filter((st) => [st.Action].flat().includes(action)).flatMap((st) => [st.Resource].flat());
/** IAM-style wildcard match of an object ARN against a resource pattern (`*` only). */
const matches = (pattern: string, arn: string) => new RegExp(`^${pattern.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(arn);
const mayOn = (doc: Parameters<typeof allowedObjects>[0], action: string, key: string) =>
  allowedObjects(doc, action).some((pattern) => matches(pattern, `${BUCKET}/${key}`));

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
    assertGrants(parseJsonInput(qa, "assumeRolePolicy"), {
      Version: "2012-10-17",
      Statement: [{
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
    assertGrants(inline(resources, "github-deploy-qa").Statement, [
      { Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: ["arn:aws:iam::555555555555:role/mlz-deploy"] },
    ]);
    assert.deepEqual(inline(resources, "github-deploy-prod").Statement[0].Resource, ["arn:aws:iam::666666666666:role/mlz-deploy"]);
    assert.equal(parseJsonInput(role(resources, "mlz-github-deploy-prod"), "assumeRolePolicy").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
      "repo:example-org/ml-landing-zone:environment:prod");
    assert.deepEqual(await promiseOf(result.deployRoleArns), {
      qa: role(resources, "mlz-github-deploy-qa").outputs.arn,
      prod: role(resources, "mlz-github-deploy-prod").outputs.arn,
    });
  });

  it("preview role: trusts only the repository's pull requests and its drift environment, and assumes only the target read-only role", async () => {
    const { resources } = await recordProgram(() => new GithubOidc("github", args()));
    const qa = role(resources, "mlz-github-preview-qa");
    assert.deepEqual(parseJsonInput(qa, "assumeRolePolicy").Statement[0].Condition, {
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": ["repo:example-org/ml-landing-zone:pull_request", "repo:example-org/ml-landing-zone:environment:drift"],
      },
    });
    assert.deepEqual(inline(resources, "github-preview-qa").Statement[0].Resource, ["arn:aws:iam::555555555555:role/mlz-preview"]);
    assert.deepEqual(inline(resources, "github-preview-prod").Statement[0].Resource, ["arn:aws:iam::666666666666:role/mlz-preview"]);
  });

  it("sets session duration and a permissions boundary limited to the target roles", async () => {
    const { resources } = await recordProgram(() => new GithubOidc("github", args()));
    const boundary = only(resources, "aws:iam/policy:Policy", "github-boundary");
    assertGrants(parseJsonInput(boundary, "policy").Statement, [{
      Effect: "Allow",
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Resource: [
        "arn:aws:iam::555555555555:role/mlz-deploy", "arn:aws:iam::555555555555:role/mlz-preview",
        "arn:aws:iam::666666666666:role/mlz-deploy", "arn:aws:iam::666666666666:role/mlz-preview",
      ],
    }, {
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: BUCKET,
      Condition: {
        StringEquals: {
          "s3:prefix": [
            `${P}/qa.json`, ".pulumi/history/ml-landing-zone/qa/", ".pulumi/backups/ml-landing-zone/qa/", ".pulumi/journal/ml-landing-zone/qa/", ".pulumi/locks/organization/ml-landing-zone/qa/",
            `${P}/management.json`,
            `${P}/prod.json`, ".pulumi/history/ml-landing-zone/prod/", ".pulumi/backups/ml-landing-zone/prod/", ".pulumi/journal/ml-landing-zone/prod/", ".pulumi/locks/organization/ml-landing-zone/prod/",
          ],
        },
      },
    }, {
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: [`${BUCKET}/.pulumi/meta.yaml`, `${BUCKET}/${P}/management.json`, `${BUCKET}/${P}/management.json.gz`, `${BUCKET}/${P}/management.json.zst`],
    }, {
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: ["qa", "prod"].flatMap((st) => [
        `${BUCKET}/${P}/${st}.json*`, `${BUCKET}/${P}/${st}.pulumi-tags`,
        `${BUCKET}/.pulumi/history/ml-landing-zone/${st}/*`, `${BUCKET}/.pulumi/backups/ml-landing-zone/${st}/*`,
        `${BUCKET}/.pulumi/journal/ml-landing-zone/${st}/*`, `${BUCKET}/.pulumi/locks/organization/ml-landing-zone/${st}/*`,
      ]),
    }]);
    const boundaryDoc = parseJsonInput(boundary, "policy");
    assert.equal(mayOn(boundaryDoc, "s3:PutObject", `${P}/management.json`), false, "the boundary never lets a GitHub role write management's state");
    assert.equal(mayOn(boundaryDoc, "s3:PutObject", `${P}/qa.json`), true);
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
      assertGrants(parseJsonInput(promote, "assumeRolePolicy"), {
        Version: "2012-10-17",
        Statement: [{
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
      assertGrants(parseJsonInput(policy, "policy"), {
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Resource: ["arn:aws:iam::444444444444:role/mlz-promotion-reader"],
        }],
      });
      assert.equal(ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === "mlz-github-promote").length, 1);
      const boundary = only(resources, "aws:iam/policy:Policy", "github-boundary");
      const statements = parseJsonInput(boundary, "policy").Statement;
      assertGrants([statements[0]], [{
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: [
          "arn:aws:iam::555555555555:role/mlz-deploy", "arn:aws:iam::555555555555:role/mlz-preview",
          "arn:aws:iam::666666666666:role/mlz-deploy", "arn:aws:iam::666666666666:role/mlz-preview",
          "arn:aws:iam::444444444444:role/mlz-promotion-reader",
        ],
      }]);
      // The state statements are the same as without promotion (asserted in the boundary test).
      assert.deepEqual(actionsOf(statements.slice(1)), [["s3:ListBucket"], ["s3:GetObject"], ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]]);
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
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stacks: { drift: { accountId: "555555555555" } } }))), {
        message: "[stacks] must not hold a stack named 'drift': that is the drift workflow's environment, which the preview roles trust",
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

  describe("Pulumi state bucket (pulumi login s3://<stateBucket>): each stack's own state only", () => {
    it("deploy roles: list exactly their own and the referenced prefixes, write only their own objects, read the referenced checkpoints", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args()));
      for (const stack of ["qa", "prod"]) {
        const doc = statePolicy(resources, `github-deploy-${stack}`);
        assert.equal(doc.Version, "2012-10-17");
        assertGrants(doc.Statement, deployState(stack), stack);
      }
      const deployRole = role(resources, "mlz-github-deploy-qa");
      assert.equal(only(resources, "aws:iam/rolePolicy:RolePolicy", "github-deploy-qa-pulumi-state").inputs.role, deployRole.inputs.name);
    });

    it("the qa deploy role cannot write management's or prod's state, lock or history; it may read management's checkpoint", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args()));
      const qa = statePolicy(resources, "github-deploy-qa");
      for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
        for (const key of [
          `${P}/management.json`, `${P}/management.json.bak`, `${P}/management.json.gz`, `${P}/management.pulumi-tags`,
          ".pulumi/history/ml-landing-zone/management/management-1.history.json",
          ".pulumi/backups/ml-landing-zone/management/management.1.json",
          ".pulumi/locks/organization/ml-landing-zone/management/l.json",
          `${P}/prod.json`, ".pulumi/locks/organization/ml-landing-zone/prod/l.json",
          ".pulumi/meta.yaml", `${P}/qa.json.evil`, ".pulumi/stacks/other-project/qa.json",
        ]) {
          assert.equal(mayOn(qa, action, key), false, `${action} ${key}`);
        }
        for (const key of [`${P}/qa.json`, `${P}/qa.json.bak`, ".pulumi/locks/organization/ml-landing-zone/qa/2b5c.json", ".pulumi/history/ml-landing-zone/qa/qa-1.history.json"]) {
          assert.equal(mayOn(qa, action, key), true, `${action} ${key}`);
        }
      }
      assert.equal(mayOn(qa, "s3:GetObject", `${P}/management.json`), true);
      assert.equal(mayOn(qa, "s3:GetObject", `${P}/prod.json`), false, "qa does not reference prod");
      assert.equal(mayOn(qa, "s3:GetObject", ".pulumi/history/ml-landing-zone/management/h.json"), false);
    });

    it("preview roles: list and read their own checkpoint, tags and the referenced checkpoints; no write, no delete, no lock", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args()));
      for (const stack of ["qa", "prod"]) {
        const doc = statePolicy(resources, `github-preview-${stack}`);
        assertGrants(doc.Statement, previewState(stack), stack);
        assert.deepEqual(allowedObjects(doc, "s3:PutObject"), []);
        assert.deepEqual(allowedObjects(doc, "s3:DeleteObject"), []);
      }
    });

    it("ML-like stack: reads several stacks, deduplicated and sorted; a reference to itself or another project is handled", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args({
        stacks: {
          ml: { accountId: "444444444444", readsStacks: ["example-org/ml-landing-zone/qa", "example-org/ml-landing-zone/prod", "example-org/ml-landing-zone/management", "example-org/ml-landing-zone/lakehouse", "management", "ml", "organization/shared-net/core"] },
        },
      })));
      const doc = statePolicy(resources, "github-deploy-ml");
      assert.deepEqual(doc.Statement[3].Resource, ["ml-landing-zone/lakehouse", "ml-landing-zone/management", "ml-landing-zone/prod", "ml-landing-zone/qa", "shared-net/core"]
        .flatMap((s) => [".json", ".json.gz", ".json.zst"].map((e) => `${BUCKET}/.pulumi/stacks/${s}${e}`)));
      assert.deepEqual(doc.Statement[0].Condition.StringEquals["s3:prefix"].slice(5), [
        `${P}/lakehouse.json`, `${P}/management.json`, `${P}/prod.json`, `${P}/qa.json`, ".pulumi/stacks/shared-net/core.json",
      ]);
      for (const key of [`${P}/qa.json`, `${P}/prod.json`, `${P}/lakehouse.json`, `${P}/management.json`]) {
        assert.equal(mayOn(doc, "s3:PutObject", key), false, key);
        assert.equal(mayOn(doc, "s3:GetObject", key), true, key);
      }
      const noRefs = await recordProgram(() => new GithubOidc("github", args({ stacks: { qa: { accountId: "555555555555" } } })));
      // Without references: no statement reading another stack's state.
      assert.deepEqual(actionsOf(statePolicy(noRefs.resources, "github-deploy-qa").Statement), [["s3:ListBucket"], ["s3:GetObject"], ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]]);
    });

    it("stateObjects / parseStateReference follow the DIY layout and refuse wildcards with exact messages", async () => {
      assert.deepEqual(stateObjects({ project: "p", stack: "s" }).ownListPrefixes, [
        ".pulumi/stacks/p/s.json", ".pulumi/history/p/s/", ".pulumi/backups/p/s/", ".pulumi/journal/p/s/", ".pulumi/locks/organization/p/s/",
      ]);
      assert.deepEqual(parseStateReference("org/proj/qa", "x"), { project: "proj", stack: "qa" });
      assert.deepEqual(parseStateReference("organization/qa", "x"), { project: "x", stack: "qa" });
      assert.deepEqual(parseStateReference("qa", "x"), { project: "x", stack: "qa" });
      for (const bad of ["*", "org/ml-landing-zone/*", "org/*/qa", "a/b/c/d", "org/ml-landing-zone/"]) {
        assert.throws(() => parseStateReference(bad, "x"), {
          message: `[readsStacks] must hold stack references '<stack>' or '<organization>/<project>/<stack>' (letters, digits, '.', '_', '-'; no wildcards); got '${bad}'`,
        }, bad);
      }
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stacks: { qa: { accountId: "555555555555", readsStacks: ["org/ml-landing-zone/*"] } } }))), {
        message: "[stacks.qa.readsStacks] must hold stack references '<stack>' or '<organization>/<project>/<stack>' (letters, digits, '.', '_', '-'; no wildcards); got 'org/ml-landing-zone/*'",
      });
      const byDefault = await recordProgram(() => new GithubOidc("github", args({ stateProject: undefined })), { project: "other-project" });
      assert.equal(statePolicy(byDefault.resources, "github-deploy-qa").Statement[2].Resource[0], `${BUCKET}/.pulumi/stacks/other-project/qa.json`, "defaults to the program's project");
      for (const bad of ["", "ml/landing", "*"]) {
        await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stateProject: bad }))), {
          message: `[stateProject] must be a Pulumi project name (1-100 letters, digits, '.', '_' and '-'; no wildcards); got '${bad}'`,
        }, bad);
      }
    });

    it("with stateKmsKeyArn: deploy Decrypt/Encrypt/GenerateDataKey, preview Decrypt, boundary the deploy set", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", args({ stateKmsKeyArn: pulumi.output(STATE_KEY) })));
      const deployKey = { Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: STATE_KEY };
      assertGrants(statePolicy(resources, "github-deploy-qa").Statement, [...deployState("qa"), deployKey]);
      assertGrants(statePolicy(resources, "github-preview-prod").Statement, [...previewState("prod"), { Effect: "Allow", Action: ["kms:Decrypt"], Resource: STATE_KEY }]);
      const boundary = parseJsonInput(only(resources, "aws:iam/policy:Policy", "github-boundary"), "policy").Statement;
      assert.deepEqual(actionsOf(boundary), [
        ["sts:AssumeRole", "sts:TagSession"], ["s3:ListBucket"], ["s3:GetObject"], ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      ]);
      assertGrants([boundary[4]], [deployKey]);
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
      assertGrants(statePolicy(resources, "github-deploy-qa").Statement, deployState("qa", "arn:aws-us-gov:s3:::mlz-pulumi-state-222222222222"));
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
      assert.equal(statePolicy(resources, "g-deploy-qa").Statement[4].Resource, "arn:aws:kms:eu-west-1:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab");
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

  describe("a role that reads many stacks (the ML stack's roles in a large organization)", () => {
    const consumers = Array.from({ length: 60 }, (_, i) => `wl-${String(i + 1).padStart(3, "0")}`);
    const many = () => args({
      permissionsBoundaryArn: "arn:aws:iam::222222222222:policy/mlz-workload-boundary",
      stacks: {
        ml: { accountId: "444444444444", readsStacks: ["management", ...consumers.map((c) => `example-org/ml-landing-zone/${c}`)] },
        qa: { accountId: "555555555555", readsStacks: ["management"] },
      },
    });

    it("keeps its own state inline and moves the referenced stacks' reads into attached managed policies within IAM's sizes", async () => {
      const { resources } = await recordProgram(() => new GithubOidc("github", many()));
      for (const [kind, own] of [["deploy", deployState("ml").slice(0, 3)], ["preview", previewState("ml").slice(0, 3)]] as const) {
        const key = `github-${kind}-ml`;
        const ownOnly = structuredClone(own) as typeof own;
        // Only the own stack's prefixes are listed inline.
        (ownOnly[0] as { Condition: { StringEquals: { "s3:prefix": string[] } } }).Condition.StringEquals["s3:prefix"] = kind === "deploy"
          ? [`${P}/ml.json`, ".pulumi/history/ml-landing-zone/ml/", ".pulumi/backups/ml-landing-zone/ml/", ".pulumi/journal/ml-landing-zone/ml/", ".pulumi/locks/organization/ml-landing-zone/ml/"]
          : [`${P}/ml.json`];
        assertGrants(statePolicy(resources, key).Statement, ownOnly);
        const policies = ofType(resources, "aws:iam/policy:Policy").filter((p) => p.name.startsWith(`${key}-reads-`));
        assert.ok(policies.length >= 2, `${kind}: ${policies.length} managed policies`);
        assert.deepEqual(policies.map((p) => p.inputs.name), policies.map((_, i) => `mlz-github-${kind}-ml-reads-${i + 1}`));
        const listed: string[] = [];
        const read: string[] = [];
        for (const p of policies) {
          assert.ok(String(p.inputs.policy).length <= 6144, `${p.name}: ${String(p.inputs.policy).length} characters`);
          const doc = parseJsonInput(p, "policy") as { Statement: { Action: string; Resource: string | string[]; Condition?: { StringEquals: { "s3:prefix": string[] } } }[] };
          assert.deepEqual(actionsOf(doc.Statement), [["s3:ListBucket"], ["s3:GetObject"]]);
          listed.push(...doc.Statement[0].Condition!.StringEquals["s3:prefix"]);
          read.push(...[doc.Statement[1].Resource].flat());
          const attachment = only(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", p.name);
          assert.equal(attachment.inputs.role, `mlz-github-${kind}-ml`);
        }
        const stacks = ["management", ...consumers];
        assert.deepEqual(listed, stacks.map((st) => `${P}/${st}.json`));
        assert.deepEqual(read, stacks.flatMap((st) => [".json", ".json.gz", ".json.zst"].map((e) => `${BUCKET}/${P}/${st}${e}`)));
      }
      // A role reading one stack keeps everything inline, as before.
      assertGrants(statePolicy(resources, "github-deploy-qa").Statement, deployState("qa"));
      assert.equal(ofType(resources, "aws:iam/policy:Policy").filter((p) => p.name.startsWith("github-deploy-qa-")).length, 0);
    });

    it("refuses more reads than ten attached managed policies hold, naming the stack", async () => {
      const huge = Array.from({ length: 400 }, (_, i) => `c${i}`);
      await assert.rejects(recordProgram(() => new GithubOidc("g", args({ stacks: { ml: { accountId: "444444444444", readsStacks: huge } } }))), {
        message: /^\[stacks\] 'ml' reads 400 stacks: their state grants need \d+ managed policies, more than the 10 IAM attaches to a role by default$/,
      });
    });
  });
});

describe("validateGithubOidcArgs", () => {
  it("applies the defaults and resolves each stack's state reads (deduplicated, sorted, without itself)", () => {
    const settings = validateGithubOidcArgs(args({
      stacks: { qa: { accountId: "555555555555", readsStacks: ["ml", "management", "example-org/ml-landing-zone/ml", "qa"] } },
    }), "ml-landing-zone");
    assert.deepEqual(settings.stackNames, ["qa"]);
    assert.equal(settings.targetDeploy, "mlz-deploy");
    assert.equal(settings.targetPreview, "mlz-preview");
    assert.equal(settings.duration, 3600);
    assert.equal(settings.partition, "aws");
    assert.equal(settings.promotionEnvironment, PROMOTION_ENVIRONMENT);
    assert.equal(settings.readerRoleName, "mlz-promotion-reader");
    assert.deepEqual(settings.reads.qa.map((r) => `${r.project}/${r.stack}`), ["ml-landing-zone/management", "ml-landing-zone/ml"]);
  });

  it("refuses each bad argument with a message naming it, before any resource exists", () => {
    const cases: [string, Partial<GithubOidcArgs>, string | RegExp][] = [
      ["no stacks", { stacks: {} }, "[stacks] must name at least one stack"],
      ["deploy role name", { targetDeployRoleName: "mlz-*" }, "[targetDeployRoleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got 'mlz-*'"],
      ["session", { maxSessionDurationSeconds: 899 }, "[maxSessionDurationSeconds] must be a whole number from 900 to 43200; got 899"],
      ["bucket", { stateBucket: "s3://bucket" }, /^Error: \[stateBucket\] must be an S3 bucket name .* got .s3:\/\/bucket.$/],
      ["key", { stateKmsKeyArn: "arn:aws:kms:us-east-1:222222222222:alias/state" }, "[stateKmsKeyArn] must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>; not an alias); got 'arn:aws:kms:us-east-1:222222222222:alias/state'"],
      ["reads", { stacks: { qa: { accountId: "555555555555", readsStacks: ["ml*"] } } }, /^Error: \[stacks\.qa\.readsStacks\] must hold stack references .* got 'ml\*'$/],
      ["promotion environment is a stack", { promotion: { readerAccountIds: ["444444444444"], environment: "qa" } }, "[promotion.environment] must not be the name of a deployed stack (its deploy job would present the same subject); got 'qa'"],
      ["reader role", { promotion: { readerAccountIds: ["444444444444"], readerRoleName: "r/x" } }, "[promotion.readerRoleName] must be an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got 'r/x'"],
      ["reader accounts", { promotion: { readerAccountIds: ["44"] } }, "[promotion.readerAccountIds] must hold 12-digit account ids; got '44'"],
      ["account", { stacks: { qa: { accountId: "5555" } } }, "[stacks] 'qa' must have a 12-digit accountId; got '5555'"],
      ["stack deploy role", { stacks: { qa: { accountId: "555555555555", deployRoleName: "a b" } } }, "[stacks] 'qa' must have a deployRoleName that is an IAM role name (1-64 of letters, digits and +=,.@_-; no wildcards); got 'a b'"],
    ];
    for (const [what, over, message] of cases) {
      assert.throws(() => validateGithubOidcArgs(args(over), "ml-landing-zone"), typeof message === "string" ? { message } : message, what);
    }
    assert.throws(() => validateGithubOidcArgs(args(), "my project"), /^Error: \[stateProject\] must be a Pulumi project name/);
  });
});
