/**
 * The service-reference rules over whole plans: the example organization, and the same organization
 * with every optional feature switched on (test/helpers/all-features.ts), so that documents the
 * example's settings never declare (the Autopilot job's role, the candidate endpoint, …) are
 * checked too.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { planOrganization } from "../../plan/organization";
import type { StackPlan } from "../../lib/plan-model";
import { evaluateStack, hasMandatoryViolation } from "../../policies/evaluate";
import { iamReferencePolicies, resourceDocuments } from "../../policies/iam-reference";
import { renderText } from "../../policies/render";
import { writeAllFeaturesStacks } from "../helpers/all-features";
import { examplePlan } from "../helpers/example-plan";

async function referenceResults(plans: StackPlan[]) {
  return (await Promise.all(plans.map((p) => evaluateStack(p, { organization: plans, policies: iamReferencePolicies })))).flat();
}

function documentKinds(plans: StackPlan[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const p of plans) {
    for (const r of p.resources) {
      for (const d of resourceDocuments({ type: r.type, name: r.name, props: r.inputs as Record<string, any> })) {
        assert.ok(d.doc, `${p.stack} ${r.type} ${r.name}: ${d.label} parses`);
        kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
      }
    }
  }
  return kinds;
}

describe("service-reference rules over the plan", () => {
  describe("the example organization", () => {
    let plans: StackPlan[];
    before(async () => {
      plans = (await examplePlan()).runs.map((r) => r.plan);
    });

    it("passes on every document of every stack", async () => {
      const kinds = documentKinds(plans);
      for (const kind of ["identity", "trust", "resource", "scp", "rcp"]) assert.ok((kinds.get(kind) ?? 0) > 0, `the plan holds ${kind} documents`);
      const results = await referenceResults(plans);
      assert.deepEqual(results, [], renderText(results));
    });
  });

  describe("every optional feature switched on", () => {
    let dir: string;
    let plans: StackPlan[];
    before(async () => {
      dir = writeAllFeaturesStacks();
      plans = (await planOrganization({ stacksDir: dir })).runs.map((r) => r.plan);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("declares what the example's settings leave out: the Autopilot job and its role (its model and candidate endpoint follow a completed job)", () => {
      const ml = plans.find((p) => p.stack === "ml")!;
      const names = (type: string) => ml.resources.filter((r) => r.type === type).map((r) => r.name);
      assert.ok(names("pulumi-nodejs:dynamic:Resource").includes("bikeshare-training-job"), names("pulumi-nodejs:dynamic:Resource").join(", "));
      // A deploy starts the job and returns; the serving model and the candidate endpoint are
      // declared once a later deploy has read the job as Completed, which no offline plan knows.
      assert.ok(!names("aws:sagemaker/model:Model").includes("bikeshare-serving-model"));
      // The Autopilot role's policy, with the statements the example never plans.
      const policies = ml.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").map((r) => String((r.inputs as { policy?: string }).policy));
      assert.ok(policies.some((p) => p.includes("sagemaker:ListCandidatesForAutoMLJob") && p.includes("kms:GrantIsForAWSResource")));
    });

    it("passes on every document of every stack", async () => {
      documentKinds(plans);
      const results = await referenceResults(plans);
      assert.deepEqual(results, [], renderText(results));
    });

    it("passes every mandatory rule of the pack too", async () => {
      const results = (await Promise.all(plans.map((p) => evaluateStack(p, { organization: plans })))).flat();
      assert.equal(hasMandatoryViolation(results), false, renderText(results));
    });
  });
});
