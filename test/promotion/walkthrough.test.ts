/**
 * The README's promotion walkthrough end to end, on a temporary git project holding the example
 * organization's stack files, with the real offline plan everywhere (promote's validation, the
 * plan, the pull-request preview's diff and its promotion-gates check, the deploy plan):
 * promote to QA → plan exit 0 → preview comment not blocked → merge → promote to prod from QA →
 * plan exit 0 → preview not blocked → merge → deploy plan ml, prod, ml-revoke.
 * Then the refusals: a version the plan rejects is refused in the plan's words and nothing is written.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderMarkdown, stackFile } from "../../plan/render";
import { stableStringify } from "../../plan/planner";
import { main as promoteMain } from "../../promotion/cli";
import { gitReader, main as deployPlanMain } from "../../delivery/deploy-plan";
import { gitShow } from "../../promotion/stack-source";
import type { PlanDiffRunner } from "../../promotion/plan-diff";
import { main as previewMain, PREVIEW_MARKER } from "../../delivery/preview-comment";
import { STACKS_DIR } from "../../stacks/config";
import { git } from "./fixture";
import { cachedRunPlan } from "../helpers/plan-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const QA_NOW = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const NEW = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-20T08.00.00/1763625600000";

// Every plan of this file goes through one runner that plans each state of a stack folder once
// (test/helpers/plan-cli.ts): the plan of a commit's stack files in the project's stacks/ serves
// both its own check and, later, the pull request that uses that commit as its base.
const runPlan = cachedRunPlan();

/**
 * What preview.yml computes (promotion/plan-diff.ts), in process: plan the base ref's stack files,
 * then diff the working tree. preview.yml plans the base in a checkout of the base ref; here the
 * base ref's files are planned in the project's own stacks/ folder (the working tree's files are
 * put back before the working tree is planned), so a base that was planned as a commit before is
 * not planned again.
 */
const inProcessPlanDiff: PlanDiffRunner = async ({ root, baseRef }) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-walk-diff-"));
  const stacksDir = path.join(root, "stacks");
  const files = fs.readdirSync(stacksDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
  const working = new Map(files.map((f) => [f, fs.readFileSync(path.join(stacksDir, f), "utf8")]));
  try {
    const plans = path.join(tmp, "plans");
    fs.mkdirSync(plans);
    for (const f of files) fs.writeFileSync(path.join(stacksDir, f), gitShow(root, baseRef, `stacks/${f}`));
    let base;
    try {
      base = await runPlan({ stacksDir });
    } finally {
      for (const [f, text] of working) fs.writeFileSync(path.join(stacksDir, f), text);
    }
    for (const s of base.report.stacks) fs.writeFileSync(path.join(plans, `${s.plan.stack}.json`), stableStringify(stackFile(s), 2));
    const head = await runPlan({ stacksDir, diffDir: plans });
    if (head.exitCode === 2) throw new Error(`plan failed: ${JSON.stringify(head.report.errors)}`);
    return { markdown: renderMarkdown(head.report), violations: head.exitCode === 1 };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};

describe("promotion walkthrough (README), end to end with the real offline plan", function () {
  this.timeout(600000);
  let root: string;
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
  const stackText = (stack: string) => fs.readFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8");
  const commit = (message: string) => {
    git(root, "commit", "-q", "-am", message);
    return git(root, "rev-parse", "HEAD").trim();
  };
  const preview = async (base: string) => {
    const file = path.join(root, "comment.md");
    const code = await previewMain(["--base", base, "--out", file], root, inProcessPlanDiff);
    const body = fs.readFileSync(file, "utf8");
    fs.rmSync(file);
    return { code, body };
  };

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-walk-"));
    fs.mkdirSync(path.join(root, "stacks"));
    for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(STACKS_DIR, f), path.join(root, "stacks", f));
    git(root, "init", "-q", "-b", "main");
    git(root, "add", ".");
    git(root, "commit", "-q", "-m", "example organization");
    assert.ok(stackText("qa").includes(QA_NOW) && stackText("prod").includes(QA_NOW));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("QA, then prod from QA: every step clean, the deploy plan in order", async () => {
    const start = git(root, "rev-parse", "HEAD").trim();

    // 1. promote to QA (validated by the plan before writing)
    assert.equal(await promoteMain(["defect-detector", "--to", "qa", "--version", NEW, "--offline"], io, { root }), 0, err.join("\n"));
    assert.ok(out.includes("offline plan: clean with stacks/Pulumi.qa.yaml edited (schema, programs, policies, cross-stack checks)"), out.join("\n"));
    assert.ok(stackText("qa").includes(NEW) && !stackText("prod").includes(NEW));

    // 2. the plan is clean: prod staying behind QA blocks nothing
    assert.equal((await runPlan({ stacksDir: path.join(root, "stacks") })).exitCode, 0);

    // 3. the pull request's preview comment is not blocked
    const qaPreview = await preview("HEAD");
    assert.equal(qaPreview.code, 0, qaPreview.body);
    assert.ok(qaPreview.body.startsWith(PREVIEW_MARKER));
    assert.ok(!qaPreview.body.includes("[!CAUTION]"), qaPreview.body);
    assert.match(qaPreview.body, /✅ \*\*promotion-gates\*\*: 0 model version change\(s\) in gated stacks/);
    const qaMerged = commit("promote defect-detector to qa");

    // 4. promote to prod from QA, QA read at the base the pull request merges into
    out.length = 0;
    assert.equal(await promoteMain(["defect-detector", "--to", "prod", "--from", "qa", "--base", "HEAD", "--offline"], io, { root }), 0, err.join("\n"));
    assert.ok(stackText("prod").includes(NEW));

    // 5. plan clean, preview not blocked: prod changes to the version QA holds at the base
    assert.equal((await runPlan({ stacksDir: path.join(root, "stacks") })).exitCode, 0);
    const prodPreview = await preview("HEAD");
    assert.equal(prodPreview.code, 0, prodPreview.body);
    assert.match(prodPreview.body, /✅ \*\*promotion-gates\*\*: 1 model version change\(s\) in gated stacks \(prod from qa\), each to a version its gate holds/);
    const prodMerged = commit("promote defect-detector to prod");

    // 6. the deploy plans: ml grants, the stack switches, ml revokes the old version
    assert.deepEqual(JSON.parse(deployPlanMain(["--base", start, "--head", qaMerged], ROOT, gitReader(root)).output).steps, ["ml", "qa", "ml-revoke"]);
    assert.deepEqual(JSON.parse(deployPlanMain(["--base", qaMerged, "--head", prodMerged], ROOT, gitReader(root)).output).steps, ["ml", "prod", "ml-revoke"]);
  });

  it("the pull-request check blocks prod taking a version QA gets in the same change", async () => {
    const base = git(root, "rev-parse", "HEAD").trim();
    const NEWER = NEW.replace("2026-11-20T08.00.00/1763625600000", "2026-11-27T08.00.00/1764230400000");
    for (const stack of ["qa", "prod"]) fs.writeFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), stackText(stack).replace(NEW, NEWER));
    try {
      const r = await preview(base);
      assert.equal(r.code, 1, r.body);
      assert.ok(r.body.includes("[!CAUTION]"), r.body);
      assert.ok(r.body.includes(`❌ **promotion-gates**: prod (`), r.body);
      assert.ok(r.body.includes(`models.defect-detector.versionArn changes to ${NEWER}, but qa holds ${NEW} at the base`), r.body);
    } finally {
      git(root, "checkout", "-q", "--", "stacks");
    }
  });

  it("refuses, in the plan's words, a version the plan rejects, and writes nothing", async () => {
    const cases: [string, RegExp][] = [
      [NEW.replace(":444444444444:", ":999999999999:"), /must be in the ML account 444444444444; got account 999999999999/],
      [NEW.replace(":us-east-1:", ":eu-west-1:"), /stacks\/Pulumi\.qa\.yaml: ml-landing-zone:models\.defect-detector\.versionArn: expected a version in this stack's region us-east-1/],
      [NEW.replace(/project\/defect-detector\/version\/defect-detector/, "project/other-project/version/other-project"), /belongs to project 'other-project', which is not a rekognition model of ml-landing-zone:models/],
    ];
    const before = stackText("qa");
    for (const [arn, message] of cases) {
      err.length = 0;
      const code = await promoteMain(["defect-detector", "--to", "qa", "--version", arn, "--offline"], io, { root });
      assert.equal(code, 1, arn);
      assert.equal(err.length, 1, err.join("\n"));
      assert.match(err[0], /^refused: the offline plan rejects stacks\/Pulumi\.qa\.yaml with defect-detector at .* \(nothing written\): /);
      assert.match(err[0], message);
      assert.equal(stackText("qa"), before, "nothing written");
    }
  });
});
