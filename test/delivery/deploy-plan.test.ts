/**
 * `delivery/deploy-plan.ts` over a real git history: what deploy.yml's plan job computes.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { changeSetBetween, checkJobsExist, gitReader, jobOf, main, workloadMatrices } from "../../delivery/deploy-plan";
import { git, makeProject, NEW_DEFECT, QA_DEFECT, readStack, writeStack } from "../promotion/fixture";

const DEPLOY_YML = path.resolve(__dirname, "..", "..", ".github", "workflows", "deploy.yml");

describe("delivery/deploy-plan", () => {
  let root: string;
  let cleanup: () => void;
  let base: string;

  beforeEach(() => {
    ({ root, cleanup } = makeProject());
    fs.mkdirSync(path.join(root, ".github", "workflows"), { recursive: true });
    fs.copyFileSync(DEPLOY_YML, path.join(root, ".github", "workflows", "deploy.yml"));
    git(root, "init", "-q", "-b", "main");
    git(root, "add", ".");
    git(root, "commit", "-q", "-m", "base");
    base = git(root, "rev-parse", "HEAD").trim();
  });
  afterEach(() => cleanup());

  function commit(message: string): string {
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", message);
    return git(root, "rev-parse", "HEAD").trim();
  }

  it("a promotion commit: ml, qa, ml-revoke (stacks from the head tree, roles from the files)", () => {
    writeStack(root, "qa", readStack(root, "qa").replace(QA_DEFECT, NEW_DEFECT));
    const head = commit("promote");
    const cs = changeSetBetween(gitReader(root), base, head);
    assert.deepEqual(cs, {
      files: ["stacks/Pulumi.qa.yaml"],
      stacks: [
        { name: "cicd", role: "cicd" },
        { name: "ml", role: "ml" },
        { name: "prod", role: "workload" },
        { name: "qa", role: "workload" },
      ],
      modelChanges: ["qa"],
    });
    const outFile = path.join(root, "github-output");
    const r = main(["--base", base, "--head", head, "--github-output"], root, gitReader(root), { GITHUB_OUTPUT: outFile });
    assert.deepEqual(JSON.parse(r.output).steps, ["ml", "qa", "ml-revoke"]);
    assert.equal(fs.readFileSync(outFile, "utf8"), 'steps=["ml","qa","ml-revoke"]\nstacks=["ml","qa"]\nworkloads=["qa"]\ngated-workloads=[]\n');
  });

  it("a comment-only edit of a stack file deploys that stack without a revoke", () => {
    writeStack(root, "qa", readStack(root, "qa").replace("# promoted 2026-11-10", "# promoted on 10 November"));
    const head = commit("comment");
    assert.deepEqual(JSON.parse(main(["--base", base, "--head", head], root).output).steps, ["qa"]);
  });

  it("a docs-only push deploys nothing", () => {
    fs.writeFileSync(path.join(root, "README.md"), "# docs\n");
    const head = commit("docs");
    assert.deepEqual(JSON.parse(main(["--base", base, "--head", head], root).output).steps, []);
  });

  it("a new branch (before = zeros) or an unknown base deploys every stack", () => {
    const head = git(root, "rev-parse", "HEAD").trim();
    assert.deepEqual(JSON.parse(main(["--base", "0".repeat(40), "--head", head], root).output).steps, ["cicd", "ml", "qa", "prod"]);
    assert.deepEqual(changeSetBetween(gitReader(root), "f".repeat(40), head).all, true);
  });

  it("a new workload stack is a leg of the workloads matrix; prod, behind its gate, of gated-workloads", () => {
    fs.writeFileSync(path.join(root, "stacks", "Pulumi.dev.yaml"), readStack(root, "qa").replace("account: qa", "account: dev"));
    fs.writeFileSync(path.join(root, "stacks", "Pulumi.prod.yaml"), readStack(root, "prod") + "# touched\n");
    const head = commit("new stack");
    const outFile = path.join(root, "github-output");
    const r = main(["--base", base, "--head", head, "--github-output"], root, gitReader(root), { GITHUB_OUTPUT: outFile });
    // A new stack file is a new models map: the ML stack grants first and revokes last.
    assert.deepEqual(JSON.parse(r.output).steps, ["ml", "dev", "prod", "ml-revoke"]);
    assert.equal(fs.readFileSync(outFile, "utf8"), 'steps=["ml","dev","prod","ml-revoke"]\nstacks=["ml","dev","prod"]\nworkloads=["dev"]\ngated-workloads=["prod"]\n');
  });

  it("fails loudly when a stack that is not a workload has no job in deploy.yml", () => {
    fs.writeFileSync(path.join(root, "stacks", "Pulumi.ml-eu.yaml"), readStack(root, "ml"));
    const head = commit("new stack");
    assert.throws(
      () => main(["--base", base, "--head", head], root),
      { message: ".github/workflows/deploy.yml has no job for step(s) ml-eu (job ml-eu): add one per stack" },
    );
  });

  it("jobOf: workload deploys go to the matrix jobs by gate depth; other steps to the job of their id", () => {
    const stacks = [{ name: "ml", role: "ml" }, { name: "qa", role: "workload" }, { name: "prod", role: "workload" }, { name: "wl-007", role: "workload" }];
    const step = (id: string, stack: string, purpose: "deploy" | "grant" | "revoke" = "deploy") => ({ id, stack, purpose, reason: "" });
    assert.equal(jobOf(step("qa", "qa"), stacks), "workloads");
    assert.equal(jobOf(step("wl-007", "wl-007"), stacks), "workloads");
    assert.equal(jobOf(step("prod", "prod"), stacks), "gated-workloads");
    assert.equal(jobOf(step("ml", "ml", "grant"), stacks), "ml");
    assert.equal(jobOf(step("ml-revoke", "ml", "revoke"), stacks), "ml-revoke");
    assert.deepEqual(workloadMatrices([step("ml", "ml", "grant"), step("qa", "qa"), step("wl-007", "wl-007"), step("prod", "prod"), step("ml-revoke", "ml", "revoke")], stacks), {
      workloads: ["qa", "wl-007"],
      "gated-workloads": ["prod"],
    });
  });

  it("checkJobsExist accepts steps that are jobs", () => {
    assert.doesNotThrow(() => checkJobsExist([{ id: "qa", stack: "qa", purpose: "deploy", reason: "" }], fs.readFileSync(DEPLOY_YML, "utf8"), [{ name: "qa", role: "workload" }]));
    assert.doesNotThrow(() => checkJobsExist([{ id: "ml-revoke", stack: "ml", purpose: "revoke", reason: "" }], fs.readFileSync(DEPLOY_YML, "utf8"), [{ name: "ml", role: "ml" }]));
    assert.throws(() => checkJobsExist([{ id: "qa", stack: "qa", purpose: "deploy", reason: "" }], fs.readFileSync(DEPLOY_YML, "utf8")), /no job for step\(s\) qa \(job qa\)/);
  });

  it("requires --base and --head", () => {
    assert.throws(() => main(["--base", base], root), { message: "--base <sha> and --head <sha> are required (see --help)" });
  });
});
