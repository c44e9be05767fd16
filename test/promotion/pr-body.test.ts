import * as assert from "node:assert/strict";
import { promotionBody, promotionBranch, promotionTitle, rollbackCommand } from "../../promotion/pr-body";
import { planPromotion, type PlannedPromotion } from "../../promotion/rules";
import { workingTreeSource } from "../../promotion/stack-source";
import { makeProject, NEW_DEFECT, PROD_DEFECT, QA_DEFECT } from "./fixture";

describe("promotion/pr-body", () => {
  let qa: PlannedPromotion;
  let prod: PlannedPromotion;
  before(() => {
    const { root, cleanup } = makeProject();
    try {
      qa = planPromotion({ model: "defect-detector", to: "qa", version: NEW_DEFECT }, workingTreeSource(root));
      prod = planPromotion({ model: "defect-detector", to: "prod", from: "qa" }, workingTreeSource(root));
    } finally {
      cleanup();
    }
  });

  it("title, branch and rollback command", () => {
    assert.equal(promotionTitle(qa), "Promote defect-detector defect-detector.2026-11-20T08.00.00 to qa");
    assert.equal(promotionBranch(qa), "promote/qa/defect-detector");
    assert.equal(rollbackCommand(prod), `npm run promote -- defect-detector --to prod --version ${PROD_DEFECT}`);
  });

  it("offline body: the whole text", () => {
    const body = promotionBody({
      promotion: prod,
      offline: true,
      planDiff: { baseRef: "HEAD", markdown: "| stack | change |\n|---|---|\n| prod | ~ parameter |\n" },
    });
    assert.equal(body, [
      "<!-- mlz-promotion -->",
      "## Promote `defect-detector` to `prod`",
      "",
      "| | |",
      "|---|---|",
      "| Model | `defect-detector` (rekognition) |",
      "| Stack file | `stacks/Pulumi.prod.yaml` |",
      "| Version from | stack 'qa' |",
      `| Replaced version | \`${PROD_DEFECT}\` |`,
      `| New version | \`${QA_DEFECT}\` |`,
      "| Gate | qa holds it (stacks/Pulumi.qa.yaml in the working tree) |",
      "",
      "### Checks",
      "",
      "> [!WARNING]",
      "> **offline: checks skipped.** This promotion was prepared with `--offline`: the version's existence, training status and F1 score were NOT checked against AWS. Reviewers: check them before merging.",
      "",
      "### Offline plan diff (against `HEAD`)",
      "",
      "| stack | change |\n|---|---|\n| prod | ~ parameter |",
      "",
      "### Rollback",
      "",
      "To put the replaced version back, run:",
      "",
      "```sh",
      `npm run promote -- defect-detector --to prod --version ${PROD_DEFECT}`,
      "```",
      "",
      "On merge, `deploy.yml` applies `ml` (grant the new version), then the target stack, then `ml` again (revoke the old one), and runs the smoke test.",
      "",
    ].join("\n"));
  });

  it("online body: the metrics table with the minimum and notes; violations flagged; empty diff", () => {
    const body = promotionBody({
      promotion: qa,
      offline: false,
      metrics: {
        candidate: { arn: NEW_DEFECT, status: "TRAINING_COMPLETED", f1: 0.93 },
        replaced: { arn: QA_DEFECT, status: "NOT_FOUND", statusMessage: "gone\nfor good" },
        minF1: 0.85,
        notes: ["The replaced version's F1 is unknown (AWS no longer knows the version): comparison skipped."],
      },
      planDiff: { baseRef: "origin/main", markdown: "  \n", violations: true },
    });
    assert.ok(!body.includes("offline: checks skipped"));
    assert.ok(body.includes([
      "| | Version | Status | F1 |",
      "|---|---|---|---|",
      `| New | \`${NEW_DEFECT}\` | TRAINING_COMPLETED | 0.93 |`,
      `| Replaced | \`${QA_DEFECT}\` | NOT_FOUND (gone for good) | unknown |`,
      "| Minimum (`minF1`) | | | 0.85 |",
      "",
      "_The replaced version's F1 is unknown (AWS no longer knows the version): comparison skipped._",
    ].join("\n")));
    assert.ok(body.includes("### Offline plan diff (against `origin/main`)\n\n> [!CAUTION]\n> The offline plan reports a **mandatory policy violation**: this promotion will not deploy as is.\n\n_No changes._\n"));
    assert.ok(!body.includes("| Gate |"));
  });
});
