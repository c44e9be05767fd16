import * as assert from "node:assert/strict";
import { deploySteps, modelsChanged, type ChangeSet, type StackInfo } from "../../delivery/deploy-order";
import { fixtureText, NEW_DEFECT, QA_DEFECT } from "../promotion/fixture";

const STACKS: StackInfo[] = [
  { name: "prod", role: "workload" },
  { name: "qa", role: "workload" },
  { name: "ml", role: "ml" },
  { name: "lakehouse", role: "lakehouse" },
  { name: "cicd", role: "cicd" },
  { name: "management", role: "management" },
];

function ids(cs: Partial<ChangeSet>): string[] {
  return deploySteps({ files: [], stacks: STACKS, modelChanges: [], ...cs }).map((s) => s.id);
}

describe("delivery/deploy-order", () => {
  it("a model promotion to qa: ml (grant), qa, ml again (revoke)", () => {
    const steps = deploySteps({ files: ["stacks/Pulumi.qa.yaml"], stacks: STACKS, modelChanges: ["qa"] });
    assert.deepEqual(steps, [
      { id: "ml", stack: "ml", purpose: "grant", reason: "models of qa changed: grant the new version" },
      { id: "qa", stack: "qa", purpose: "deploy", reason: "stacks/Pulumi.qa.yaml changed" },
      { id: "ml-revoke", stack: "ml", purpose: "revoke", reason: "revoke the versions qa stopped using" },
    ]);
  });

  it("a promotion to prod: ml, prod, ml-revoke", () => {
    assert.deepEqual(ids({ files: ["stacks/Pulumi.prod.yaml"], modelChanges: ["prod"] }), ["ml", "prod", "ml-revoke"]);
  });

  it("promotions to qa and prod in one push: qa before prod, ml once on each side", () => {
    assert.deepEqual(
      ids({ files: ["stacks/Pulumi.prod.yaml", "stacks/Pulumi.qa.yaml"], modelChanges: ["prod", "qa"] }),
      ["ml", "qa", "prod", "ml-revoke"],
    );
  });

  it("a workload config change that is not a model change: only that stack", () => {
    assert.deepEqual(ids({ files: ["stacks/Pulumi.qa.yaml"] }), ["qa"]);
  });

  it("an ml config change alone: ml once, no revoke step", () => {
    const steps = deploySteps({ files: ["stacks/Pulumi.ml.yaml"], stacks: STACKS, modelChanges: ["ml"] });
    assert.deepEqual(steps.map((s) => [s.id, s.purpose]), [["ml", "deploy"]]);
  });

  it("a promotion plus an ml config change: ml is the grant step and revokes after", () => {
    assert.deepEqual(
      ids({ files: ["stacks/Pulumi.ml.yaml", "stacks/Pulumi.qa.yaml"], modelChanges: ["qa"] }),
      ["ml", "qa", "ml-revoke"],
    );
  });

  it("components/ affect every stack, in dependency order", () => {
    assert.deepEqual(ids({ files: ["components/network/private-network.ts"] }), ["management", "cicd", "lakehouse", "ml", "qa", "prod"]);
    for (const f of ["functions/smoke-test/core.ts", "policies/network.ts", "stacks/parts/x.ts", "Pulumi.yaml", "package-lock.json", "stacks/program.ts"]) {
      assert.deepEqual(ids({ files: [f] }), ["management", "cicd", "lakehouse", "ml", "qa", "prod"], f);
    }
  });

  it("components/ plus a promotion: every stack, then the revoke", () => {
    assert.deepEqual(
      ids({ files: ["components/models/arns.ts", "stacks/Pulumi.prod.yaml"], modelChanges: ["prod"] }),
      ["management", "cicd", "lakehouse", "ml", "qa", "prod", "ml-revoke"],
    );
  });

  it("a role program affects the stacks of that role only", () => {
    assert.deepEqual(ids({ files: ["stacks/workload.ts"] }), ["qa", "prod"]);
    assert.deepEqual(ids({ files: ["stacks/lakehouse.ts", "stacks/cicd.ts"] }), ["cicd", "lakehouse"]);
  });

  it("tests, docs, the planner, the promotion tool and workflows deploy nothing", () => {
    assert.deepEqual(ids({ files: ["test/promotion/rules.test.ts", "README.md", "plan/cli.ts", "promotion/cli.ts", ".github/workflows/deploy.yml", "bench/run.ts"] }), []);
  });

  it("an unclassified file deploys everything, saying why", () => {
    const steps = deploySteps({ files: ["scripts/new-thing.sh"], stacks: STACKS, modelChanges: [] });
    assert.equal(steps.length, 6);
    assert.equal(steps[0].reason, "scripts/new-thing.sh changed (unclassified file)");
  });

  it("a deleted stack file deploys nothing for that stack", () => {
    assert.deepEqual(ids({ files: ["stacks/Pulumi.dev.yaml"] }), []);
  });

  it("a full deployment: every stack, no revoke", () => {
    assert.deepEqual(ids({ all: true }), ["management", "cicd", "lakehouse", "ml", "qa", "prod"]);
  });

  it("a stack of an unknown role is an error", () => {
    assert.throws(
      () => deploySteps({ files: ["stacks/Pulumi.x.yaml"], stacks: [...STACKS, { name: "x", role: "sandbox" }], modelChanges: [] }),
      { message: "stack 'x' has role 'sandbox'; expected one of management, cicd, lakehouse, ml, workload" },
    );
  });

  describe("modelsChanged", () => {
    const qa = fixtureText("qa");
    it("a version change is a model change", () => {
      assert.equal(modelsChanged(qa, qa.replace(QA_DEFECT, NEW_DEFECT)), true);
    });
    it("a comment or another key is not", () => {
      assert.equal(modelsChanged(qa, qa.replace("# promoted 2026-11-10", "# promoted later")), false);
      assert.equal(modelsChanged(qa, qa.replace("owner: ml-platform@example.com", "owner: other@example.com")), false);
    });
    it("minF1 is part of the models map", () => {
      assert.equal(modelsChanged(qa, qa.replace("minF1: 0.85", "minF1: 0.9")), true);
    });
    it("a new stack file with models counts; one without does not", () => {
      assert.equal(modelsChanged(undefined, qa), true);
      assert.equal(modelsChanged(undefined, fixtureText("cicd")), false);
    });
  });
});
