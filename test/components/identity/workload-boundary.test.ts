import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
  MANAGED_POLICY_MAX_CHARS,
  WORKLOAD_BOUNDARY_POLICY_NAME,
  WorkloadBoundary,
  workloadBoundaryArn,
  workloadBoundaryDocument,
  workloadBoundaryTransformation,
} from "../../../components/identity/workload-boundary";
import { recordProgram, only, parseJsonInput, promiseOf } from "../../helpers/pulumi";
import { assertGrants } from "../../helpers/iam";

const ACCOUNT = "555555555555";
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/mlz-workload-boundary`;

describe("workload boundary", () => {
  describe("workloadBoundaryDocument", () => {
    const doc = workloadBoundaryDocument(ACCOUNT);

    it("allows everything it does not deny", () => {
      assert.equal(doc.Version, "2012-10-17");
      assert.equal(doc.Statement.length, 9, "each statement is checked below");
      assertGrants([doc.Statement[0]], [{ Effect: "Allow", Action: "*", Resource: "*" }]);
    });

    it("denies IAM users, access keys and login profiles, and leaving the organization", () => {
      assertGrants([doc.Statement[1]], [{
        Effect: "Deny",
        Action: ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
        Resource: "*",
      }]);
      assertGrants([doc.Statement[2]], [{ Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }]);
    });

    it("denies changing or deleting any mlz-*-boundary policy, versions included", () => {
      assertGrants([doc.Statement[3]], [{
        Effect: "Deny",
        Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
        Resource: "arn:aws:iam::*:policy/mlz-*-boundary",
      }]);
    });

    it("denies setting or removing any role's boundary, creating a role without this boundary, and attaching policies to a role without it", () => {
      assertGrants([doc.Statement[4]], [{
        Effect: "Deny",
        Action: ["iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"],
        Resource: "*",
      }]);
      assertGrants([doc.Statement[5]], [{
        Effect: "Deny",
        Action: "iam:CreateRole",
        Resource: "*",
        Condition: { StringNotEquals: { "iam:PermissionsBoundary": BOUNDARY } },
      }]);
      assertGrants([doc.Statement[6]], [{
        Effect: "Deny",
        Action: ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
        Resource: "*",
        Condition: { StringNotEquals: { "iam:PermissionsBoundary": BOUNDARY } },
      }]);
      assert.equal(doc.Statement.length, 9);
    });

    it("denies modifying the platform roles", () => {
      assertGrants([doc.Statement[7]], [{
        Effect: "Deny",
        Action: [
          "iam:UpdateAssumeRolePolicy",
          "iam:UpdateRole",
          "iam:DeleteRole",
          "iam:AttachRolePolicy",
          "iam:DetachRolePolicy",
          "iam:PutRolePolicy",
          "iam:DeleteRolePolicy",
          "iam:PutRolePermissionsBoundary",
          "iam:DeleteRolePermissionsBoundary",
        ],
        Resource: [
          "arn:aws:iam::*:role/mlz-deploy",
          "arn:aws:iam::*:role/mlz-preview",
          "arn:aws:iam::*:role/mlz-promotion-reader",
          "arn:aws:iam::*:role/OrganizationAccountAccessRole",
        ],
      }]);
    });

    it("denies blinding CloudTrail, Config and Access Analyzer, but not config:Put*", () => {
      assertGrants([doc.Statement[8]], [{
        Effect: "Deny",
        Action: [
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
    });

    it("stays under the 6,144-character managed policy limit (minified)", () => {
      const size = JSON.stringify(doc).length;
      assert.equal(MANAGED_POLICY_MAX_CHARS, 6144);
      assert.ok(size <= MANAGED_POLICY_MAX_CHARS, `${size} characters`);
      assert.ok(JSON.stringify(workloadBoundaryDocument("555555555555", "aws-us-gov")).length <= MANAGED_POLICY_MAX_CHARS);
    });

    it("uses the partition given", () => {
      const gov = workloadBoundaryDocument(ACCOUNT, "aws-us-gov");
      assert.equal(gov.Statement[3].Resource, "arn:aws-us-gov:iam::*:policy/mlz-*-boundary");
      assert.deepEqual(gov.Statement[5].Condition, { StringNotEquals: { "iam:PermissionsBoundary": `arn:aws-us-gov:iam::${ACCOUNT}:policy/mlz-workload-boundary` } });
    });
  });

  describe("WorkloadBoundary component", () => {
    it("creates the managed policy mlz-workload-boundary holding the document, minified", async () => {
      const { resources, result } = await recordProgram(() => new WorkloadBoundary("qa-workload-boundary", { accountId: ACCOUNT }));
      const policy = only(resources, "aws:iam/policy:Policy");
      assert.equal(policy.name, "qa-workload-boundary-policy");
      assert.equal(policy.inputs.name, WORKLOAD_BOUNDARY_POLICY_NAME);
      assert.equal(policy.inputs.policy, JSON.stringify(workloadBoundaryDocument(ACCOUNT)));
      assert.deepEqual(parseJsonInput(policy, "policy"), workloadBoundaryDocument(ACCOUNT));
      assert.equal(only(resources, "mlz:identity:WorkloadBoundary").name, "qa-workload-boundary");
      assert.ok(typeof await promiseOf(result.arn) === "string");
    });

    it("refuses an account id that is not 12 digits, known or not at construction", async () => {
      await assert.rejects(recordProgram(() => new WorkloadBoundary("b", { accountId: "5555" })), /^Error: \[accountId\] must be a 12-digit account id; got '5555'$/);
      await assert.rejects(recordProgram(() => new WorkloadBoundary("b", { accountId: pulumi.output("*") })), /\[accountId\] must be a 12-digit account id; got '\*'/);
      await assert.rejects(recordProgram(() => new WorkloadBoundary("b", { accountId: ACCOUNT, partition: "aws-x" })), /^Error: \[partition\] must be aws, aws-cn or aws-us-gov; got 'aws-x'$/);
    });
  });

  describe("workloadBoundaryTransformation", () => {
    const args = (type: string, props: Record<string, unknown>, name = "r") =>
      ({ type, name, props, opts: {}, resource: undefined as unknown as pulumi.Resource });

    it("gives a role without a boundary the workload boundary, keeping its other inputs", () => {
      const t = workloadBoundaryTransformation(BOUNDARY);
      const out = t(args("aws:iam/role:Role", { name: "mlz-app", assumeRolePolicy: "{}" }));
      assert.deepEqual(out?.props, { name: "mlz-app", assumeRolePolicy: "{}", permissionsBoundary: BOUNDARY });
    });

    it("leaves a role that names its own boundary as declared (the deploy boundary judges it at apply)", () => {
      const t = workloadBoundaryTransformation(BOUNDARY);
      assert.equal(t(args("aws:iam/role:Role", { permissionsBoundary: "arn:aws:iam::555555555555:policy/other" }, "github-deploy-qa")), undefined);
    });

    it("leaves every other resource type alone", () => {
      const t = workloadBoundaryTransformation(BOUNDARY);
      assert.equal(t(args("aws:iam/policy:Policy", { name: "x" })), undefined);
      assert.equal(t(args("aws:iam/rolePolicy:RolePolicy", { role: "x" })), undefined);
      assert.equal(t(args("mlz:identity:DeployRole", {})), undefined);
    });

    it("applies, as a stack transformation, to roles declared inside components", async () => {
      const { resources } = await recordProgram(() => pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation(workloadBoundaryTransformation(workloadBoundaryArn(ACCOUNT)));
        const parent = new WorkloadBoundary("parent", { accountId: ACCOUNT });
        new aws.iam.Role("inner", { assumeRolePolicy: "{}" }, { parent });
        new aws.iam.Role("outer", { assumeRolePolicy: "{}" });
        return {};
      }));
      for (const name of ["inner", "outer"]) {
        assert.equal(only(resources, "aws:iam/role:Role", name).inputs.permissionsBoundary, BOUNDARY, name);
      }
    });
  });
});
