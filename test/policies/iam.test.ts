import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { policyDocument, type PolicyStatement } from "../../components/iam/policy-document";
import { githubDeployRoleName, githubPreviewRoleName, githubPromoteRoleName } from "../../components/naming";
import { GithubOidc } from "../../components/identity/github-oidc";
import { PromotionReader } from "../../components/identity/promotion-reader";
import { recordProgram, only, ofType } from "../helpers/pulumi";
import {
  iamCrossAccountTrustInOrganization,
  iamGithubOidcTrustPinned,
  iamNoUsersOrAccessKeys,
  iamNoWildcardActions,
  iamNoWildcardResourceWrites,
  iamPassRoleScoped,
} from "../../policies/iam";
import { resourceMessages, runResourcePolicy } from "./util";

const doc = (...statements: PolicyStatement[]) => JSON.stringify(policyDocument(statements));

const READ_MODELS: PolicyStatement = {
  Sid: "ReadModels",
  Effect: "Allow",
  Action: ["s3:GetObject", "s3:PutObject"],
  Resource: "arn:aws:s3:::mlz-models/*",
};

/** A role with one inline policy holding `statements`. */
function role(statements: PolicyStatement[], name = "mlz-app-defect-detector") {
  return {
    name,
    assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }),
    inlinePolicies: [{ name: "access", policy: doc(...statements) }],
  };
}

describe("policies/iam", () => {
  describe("iam-no-users-or-access-keys", () => {
    it("does not apply to roles", async () => {
      const outcome = await runResourcePolicy(iamNoUsersOrAccessKeys, aws.iam.Role, role([READ_MODELS]));
      assert.deepEqual(outcome.violations, []);
      assert.equal(outcome.notApplicable, "Policy only applies to resources of type 'aws:iam/userLoginProfile:UserLoginProfile'");
    });
    it("reports an IAM user and an access key", async () => {
      assert.deepEqual(await resourceMessages(iamNoUsersOrAccessKeys, aws.iam.User, { name: "ci" }, { name: "ci-user" }), [
        "IAM user 'ci-user' must not be declared; people sign in through IAM Identity Center and workloads assume roles.",
      ]);
      assert.deepEqual(await resourceMessages(iamNoUsersOrAccessKeys, aws.iam.AccessKey, { user: "ci" }, { name: "ci-key" }), [
        "IAM access key 'ci-key' must not be declared; use roles with temporary credentials (OIDC, instance or task roles).",
      ]);
    });
  });

  describe("iam-no-wildcard-actions", () => {
    it("passes listed actions", async () => {
      assert.deepEqual(await resourceMessages(iamNoWildcardActions, aws.iam.Role, role([READ_MODELS])), []);
    });
    it("reports Action '*' in an inline policy", async () => {
      const props = role([READ_MODELS, { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::x" }]);
      assert.deepEqual(await resourceMessages(iamNoWildcardActions, aws.iam.Role, props), [
        "IAM inline policy 'access' statement 'Everything' must not allow Action '*'; list the actions the role needs.",
      ]);
    });
    it("reports Allow with NotAction in a role policy, and skips exempt roles", async () => {
      const props = { name: "extra", role: "mlz-app-x", policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) };
      assert.deepEqual(await resourceMessages(iamNoWildcardActions, aws.iam.RolePolicy, props), [
        "IAM role policy 'extra' statement #1 must not combine Allow with NotAction; list the actions the role needs.",
      ]);
      assert.deepEqual(await resourceMessages(iamNoWildcardActions, aws.iam.RolePolicy, { ...props, role: "mlz-deploy" }), []);
    });
    it("skips the deploy and workload boundaries (Allow * minus denials) by default, and no other policy", async () => {
      const boundary = doc({ Sid: "AllowWithinBoundary", Effect: "Allow", Action: "*", Resource: "*" }, { Sid: "DenyUsers", Effect: "Deny", Action: "iam:CreateUser", Resource: "*" });
      for (const name of ["mlz-deploy-boundary", "mlz-workload-boundary"]) {
        assert.deepEqual(await resourceMessages(iamNoWildcardActions, aws.iam.Policy, { name, policy: boundary }), [], name);
        assert.deepEqual(await resourceMessages(iamNoWildcardResourceWrites, aws.iam.Policy, { name, policy: boundary }), [], name);
      }
      assert.deepEqual(await resourceMessages(iamNoWildcardActions, aws.iam.Policy, { name: "mlz-workload-boundary-2", policy: boundary }), [
        "IAM policy 'mlz-workload-boundary-2' statement 'AllowWithinBoundary' must not allow Action '*'; list the actions the role needs.",
      ]);
    });
    it("reports an unparseable document", async () => {
      assert.deepEqual(await resourceMessages(iamNoWildcardActions, aws.iam.Policy, { name: "broken", policy: "{not json" }), [
        "IAM policy 'broken' must be a valid JSON policy document.",
      ]);
    });
  });

  describe("iam-no-wildcard-resource-writes", () => {
    it("passes reads on '*' and allowed actions without resource-level permissions", async () => {
      const props = role([
        { Effect: "Allow", Action: ["ec2:Describe*", "s3:ListAllMyBuckets"], Resource: "*" },
        { Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "xray:PutTraceSegments"], Resource: "*" },
      ]);
      assert.deepEqual(await resourceMessages(iamNoWildcardResourceWrites, aws.iam.Role, props), []);
    });
    it("reports write actions on '*'", async () => {
      const props = role([{ Sid: "Writes", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:*"], Resource: "*" }]);
      assert.deepEqual(await resourceMessages(iamNoWildcardResourceWrites, aws.iam.Role, props), [
        "IAM inline policy 'access' statement 'Writes' must scope write actions (s3:PutObject, s3:*) to specific resources, not Resource '*'.",
      ]);
    });
    it("honours allowedActions from config", async () => {
      const props = role([{ Effect: "Allow", Action: "ssm:PutParameter", Resource: "*" }]);
      assert.equal((await resourceMessages(iamNoWildcardResourceWrites, aws.iam.Role, props)).length, 1);
      assert.deepEqual(await resourceMessages(iamNoWildcardResourceWrites, aws.iam.Role, props, { options: { allowedActions: ["ssm:PutParameter"] } }), []);
    });
  });

  describe("iam-passrole-scoped", () => {
    const passRole = (resource: string | string[]): PolicyStatement => ({ Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: resource });
    it("passes PassRole on exact role ARNs and role-name prefixes", async () => {
      const props = role([passRole(["arn:aws:iam::444444444444:role/mlz-sagemaker-execution", "arn:aws:iam::444444444444:role/mlz-training-*"])]);
      assert.deepEqual(await resourceMessages(iamPassRoleScoped, aws.iam.Role, props), []);
    });
    it("reports PassRole on '*' and on every role of an account", async () => {
      const props = role([passRole(["*", "arn:aws:iam::444444444444:role/*", "arn:aws:iam::*:role/x"])]);
      assert.deepEqual(await resourceMessages(iamPassRoleScoped, aws.iam.Role, props), [
        "IAM inline policy 'access' statement 'Pass' must scope iam:PassRole to specific role ARNs in an account; got '*', 'arn:aws:iam::444444444444:role/*', 'arn:aws:iam::*:role/x'.",
      ]);
    });
    it("catches iam:* and iam:Pass* as well", async () => {
      const props = role([{ Effect: "Allow", Action: ["iam:Pass*"], Resource: "*" }]);
      assert.equal((await resourceMessages(iamPassRoleScoped, aws.iam.Role, props)).length, 1);
    });
  });

  describe("iam-cross-account-trust-in-organization", () => {
    const trust = (statement: Partial<PolicyStatement>) => ({
      name: "mlz-model-access-prod",
      assumeRolePolicy: doc({ Sid: "Consumer", Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "arn:aws:iam::666666666666:role/mlz-app-defect-detector" }, ...statement }),
    });
    const orgCondition = { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } };
    it("passes an exact role principal with aws:PrincipalOrgID", async () => {
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, trust({ Condition: orgCondition })), []);
    });
    it("reports a '*' principal", async () => {
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, trust({ Principal: { AWS: "*" }, Condition: orgCondition })), [
        "Role trust statement 'Consumer' must name exact principals (account or role ARNs); got '*'.",
      ]);
    });
    it("reports a wildcard role ARN", async () => {
      const props = trust({ Principal: { AWS: "arn:aws:iam::666666666666:role/mlz-*" }, Condition: orgCondition });
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, props), [
        "Role trust statement 'Consumer' must name exact principals (account or role ARNs); got 'arn:aws:iam::666666666666:role/mlz-*'.",
      ]);
    });
    it("reports a missing organization condition unless the account is a configured organization account", async () => {
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, trust({})), [
        "Role trust statement 'Consumer' must restrict principals to the organization with an aws:PrincipalOrgID condition.",
      ]);
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, trust({}), { options: { organizationAccountIds: ["666666666666"] } }), []);
    });
    it("counts the accounts of the org-wide context as organization accounts", async () => {
      const organization = [{ stack: "prod", role: "workload", account: "666666666666", config: {}, resources: [] }];
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, trust({}), { options: { organization } }), []);
    });
    it("requires an account principal to be narrowed by an exact aws:PrincipalArn (the deploy-role convention)", async () => {
      const root = { AWS: "arn:aws:iam::222222222222:root" };
      const narrowed = trust({
        Principal: root,
        Condition: { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::222222222222:role/mlz-github-deploy-prod"] }, ...orgCondition },
      });
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, narrowed), []);
      const message =
        "Role trust statement 'Consumer' must narrow account principal 'arn:aws:iam::222222222222:root' to exact identities with an ArnEquals aws:PrincipalArn condition (no wildcards).";
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, trust({ Principal: root, Condition: orgCondition })), [message]);
      const wildcard = trust({ Principal: root, Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::222222222222:role/mlz-*" }, ...orgCondition } });
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, wildcard), [message]);
    });
    it("ignores service principals", async () => {
      assert.deepEqual(await resourceMessages(iamCrossAccountTrustInOrganization, aws.iam.Role, role([READ_MODELS])), []);
    });
  });

  describe("iam-github-oidc-trust-pinned", () => {
    const oidc = (condition: PolicyStatement["Condition"]) => ({
      name: githubDeployRoleName("prod"),
      assumeRolePolicy: doc({
        Sid: "GitHub",
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" },
        Condition: condition,
      }),
    });
    const pinned = {
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:example/ml-landing-zone:environment:prod",
      },
    };
    it("passes a subject pinned to repository and environment", async () => {
      assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, oidc(pinned)), []);
      assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, oidc(pinned), { options: { repository: "example/ml-landing-zone" } }), []);
    });
    it("reports a wildcard subject under StringLike", async () => {
      const props = oidc({
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:example/*" },
      });
      assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, props), [
        "GitHub OIDC trust statement 'GitHub' must match token.actions.githubusercontent.com:sub with StringEquals, not StringLike.",
        "GitHub OIDC trust statement 'GitHub' must pin token.actions.githubusercontent.com:sub to 'repo:<owner>/<repo>:environment:<environment>'.",
      ]);
    });
    it("reports a branch subject, another repository and a missing audience", async () => {
      const props = oidc({ StringEquals: { "token.actions.githubusercontent.com:sub": ["repo:example/ml-landing-zone:ref:refs/heads/main", "repo:other/repo:environment:prod"] } });
      assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, props, { options: { repository: "example/ml-landing-zone" } }), [
        "GitHub OIDC trust statement 'GitHub' must require token.actions.githubusercontent.com:aud StringEquals 'sts.amazonaws.com'.",
        "GitHub OIDC trust statement 'GitHub' must pin token.actions.githubusercontent.com:sub to 'repo:example/ml-landing-zone:environment:<environment>' without wildcards; got 'repo:example/ml-landing-zone:ref:refs/heads/main'.",
        "GitHub OIDC trust statement 'GitHub' must pin token.actions.githubusercontent.com:sub to 'repo:example/ml-landing-zone:environment:<environment>' without wildcards; got 'repo:other/repo:environment:prod'.",
      ]);
    });
    it("accepts pull_request subjects only for the read-only preview roles", async () => {
      const props = oidc({
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:example/ml-landing-zone:pull_request" },
      });
      assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, props), [
        "GitHub OIDC trust statement 'GitHub' must pin token.actions.githubusercontent.com:sub to 'repo:<owner>/<repo>:environment:<environment>' without wildcards; got 'repo:example/ml-landing-zone:pull_request'.",
      ]);
      assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, { ...props, name: githubPreviewRoleName("prod") }), []);
      assert.equal((await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, { ...props, name: githubPreviewRoleName("prod") }, { options: { pullRequestRoleNames: [] } })).length, 1);
    });

    describe("the promotion role (mlz-github-promote)", () => {
      const promote = (sub: string | string[], op = "StringEquals") => ({
        ...oidc(op === "StringEquals"
          ? { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": sub } }
          : { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, [op]: { "token.actions.githubusercontent.com:sub": sub } }),
        name: githubPromoteRoleName(),
      });
      it("passes when pinned to the promotion environment or to an exact branch", async () => {
        assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, promote("repo:example/ml-landing-zone:environment:promotion"), { options: { repository: "example/ml-landing-zone" } }), []);
        assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, promote("repo:example/ml-landing-zone:ref:refs/heads/main"), { options: { repository: "example/ml-landing-zone" } }), []);
      });
      it("reports a wildcard subject, whether in the environment, the branch or the repository", async () => {
        const expected = (sub: string) =>
          `GitHub OIDC trust statement 'GitHub' must pin token.actions.githubusercontent.com:sub to 'repo:example/ml-landing-zone:environment:<environment>' or 'repo:example/ml-landing-zone:ref:refs/heads/<branch>' without wildcards; got '${sub}'.`;
        for (const sub of [
          "repo:example/ml-landing-zone:environment:*",
          "repo:example/ml-landing-zone:ref:refs/heads/*",
          "repo:example/ml-landing-zone:ref:refs/heads/ma?n",
          "repo:example/ml-landing-zone:*",
          "repo:example/*:environment:promotion",
          "repo:example/ml-landing-zone:ref:refs/tags/v1",
          "repo:example/ml-landing-zone:pull_request",
        ]) {
          assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, promote(sub), { options: { repository: "example/ml-landing-zone" } }), [expected(sub)], sub);
        }
        assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, promote("repo:example/ml-landing-zone:*", "StringLike")), [
          "GitHub OIDC trust statement 'GitHub' must match token.actions.githubusercontent.com:sub with StringEquals, not StringLike.",
          "GitHub OIDC trust statement 'GitHub' must pin token.actions.githubusercontent.com:sub to 'repo:<owner>/<repo>:environment:<environment>'.",
        ]);
      });
      it("accepts a branch subject only for the roles of branchRoleNames", async () => {
        const branch = promote("repo:example/ml-landing-zone:ref:refs/heads/main");
        assert.equal((await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, branch, { options: { branchRoleNames: [] } })).length, 1);
        assert.deepEqual(await resourceMessages(iamGithubOidcTrustPinned, aws.iam.Role, { ...branch, name: githubDeployRoleName("prod") }), [
          "GitHub OIDC trust statement 'GitHub' must pin token.actions.githubusercontent.com:sub to 'repo:<owner>/<repo>:environment:<environment>' without wildcards; got 'repo:example/ml-landing-zone:ref:refs/heads/main'.",
        ]);
      });
      it("passes the role GithubOidc declares, and every IAM rule passes it and the ML account's reader", async () => {
        const { resources } = await recordProgram(() => new GithubOidc("github", {
          owner: "example-org",
          repo: "ml-landing-zone",
          stacks: { ml: { accountId: "444444444444" } },
          promotion: { readerAccountIds: ["444444444444"] },
          stateBucket: "mlz-pulumi-state-222222222222",
        }));
        const role = ofType(resources, "aws:iam/role:Role").find((r) => r.inputs.name === githubPromoteRoleName())!;
        const options = { options: { repository: "example-org/ml-landing-zone", organizationAccountIds: ["222222222222", "444444444444"] } };
        for (const rule of [iamGithubOidcTrustPinned, iamCrossAccountTrustInOrganization, iamNoWildcardActions, iamNoWildcardResourceWrites]) {
          assert.deepEqual(await resourceMessages(rule, aws.iam.Role, role.inputs, options), [], rule.name);
        }
        const promotePolicy = only(resources, "aws:iam/rolePolicy:RolePolicy", "github-promote-assume-reader");
        for (const rule of [iamNoWildcardActions, iamNoWildcardResourceWrites]) {
          assert.deepEqual(await resourceMessages(rule, aws.iam.RolePolicy, promotePolicy.inputs), [], rule.name);
        }

        const reader = await recordProgram(() => new PromotionReader("ml-reader", {
          trustedRoleArn: "arn:aws:iam::222222222222:role/mlz-github-promote",
          organizationId: "o-abcdefghij",
          accountId: "444444444444",
          regions: ["us-east-1"],
        }));
        const readerRole = only(reader.resources, "aws:iam/role:Role");
        // Not in organizationAccountIds: the aws:PrincipalOrgID condition is what scopes it.
        for (const rule of [iamCrossAccountTrustInOrganization, iamGithubOidcTrustPinned]) {
          assert.deepEqual(await resourceMessages(rule, aws.iam.Role, readerRole.inputs), [], rule.name);
        }
        const readerPolicy = only(reader.resources, "aws:iam/rolePolicy:RolePolicy");
        for (const rule of [iamNoWildcardActions, iamNoWildcardResourceWrites]) {
          assert.deepEqual(await resourceMessages(rule, aws.iam.RolePolicy, readerPolicy.inputs), [], rule.name);
        }
      });
    });
  });
});
