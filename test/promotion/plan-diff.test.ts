/**
 * The plan-diff runner against a real git repository and worktree, with a stand-in `plan/cli.ts`
 * that follows the plan CLI's contract (`--out <dir>`; `--diff <dir> --format markdown`; exit 0
 * clean, 1 mandatory violation, 2 error).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { offlinePlanDiff } from "../../promotion/plan-diff";
import { git, makeProject, NEW_DEFECT, QA_DEFECT, readStack, writeStack } from "./fixture";

const FAKE_PLAN_CLI = `
import * as fs from "node:fs";
import * as path from "node:path";
const args = process.argv.slice(2);
const qa = () => /versionArn: (\\S+)/.exec(fs.readFileSync("stacks/Pulumi.qa.yaml", "utf8"))![1];
if (args[0] === "--out") {
  fs.mkdirSync(args[1], { recursive: true });
  fs.writeFileSync(path.join(args[1], "qa.json"), JSON.stringify({ stack: "qa", version: qa() }));
  process.exit(0);
}
if (args[0] === "--diff" && args[2] === "--format" && args[3] === "markdown") {
  const base = JSON.parse(fs.readFileSync(path.join(args[1], "qa.json"), "utf8")).version;
  if (qa().includes("broken")) { console.error("plan failed: broken stack"); process.exit(2); }
  console.log("| stack | change |\\n|---|---|\\n| qa | " + base + " → " + qa() + " |");
  process.exit(qa().includes("violation") ? 1 : 0);
}
console.error("bad args " + args.join(" "));
process.exit(2);
`;

describe("promotion/plan-diff (git worktree + plan CLI contract)", function () {
  let root: string;
  let cleanup: () => void;

  beforeEach(() => {
    ({ root, cleanup } = makeProject());
    fs.mkdirSync(path.join(root, "plan"));
    fs.writeFileSync(path.join(root, "plan", "cli.ts"), FAKE_PLAN_CLI);
    fs.writeFileSync(path.join(root, ".gitignore"), "node_modules\n");
    fs.symlinkSync(path.resolve(__dirname, "..", "..", "node_modules"), path.join(root, "node_modules"), "dir");
    git(root, "init", "-q", "-b", "main");
    git(root, "add", ".");
    git(root, "commit", "-q", "-m", "base");
  });
  afterEach(() => cleanup());

  it("plans the base ref in a worktree, diffs the working tree, and removes the worktree", async () => {
    writeStack(root, "qa", readStack(root, "qa").replace(QA_DEFECT, NEW_DEFECT));
    const result = await offlinePlanDiff()({ root, baseRef: "HEAD" });
    assert.deepEqual(result, {
      markdown: `| stack | change |\n|---|---|\n| qa | ${QA_DEFECT} → ${NEW_DEFECT} |\n`,
      violations: false,
    });
    assert.equal(git(root, "worktree", "list").trim().split("\n").length, 1);
  });

  it("exit 1 (mandatory violation) still yields the markdown, flagged", async () => {
    writeStack(root, "qa", readStack(root, "qa").replace(QA_DEFECT, `${QA_DEFECT}-violation`));
    const result = await offlinePlanDiff()({ root, baseRef: "main" });
    assert.equal(result.violations, true);
    assert.ok(result.markdown.includes(`${QA_DEFECT} → ${QA_DEFECT}-violation`));
  });

  it("exit 2 is an error naming the step and the plan's message", async () => {
    writeStack(root, "qa", readStack(root, "qa").replace(QA_DEFECT, `${QA_DEFECT}-broken`));
    await assert.rejects(offlinePlanDiff()({ root, baseRef: "HEAD" }), { message: "offline plan diff failed (exit 2): plan failed: broken stack" });
    assert.equal(git(root, "worktree", "list").trim().split("\n").length, 1);
  });

  it("an unknown ref fails naming it", async () => {
    await assert.rejects(offlinePlanDiff()({ root, baseRef: "no-such-ref" }), /^Error: git worktree add no-such-ref failed: fatal: invalid reference: no-such-ref$/);
    await assert.rejects(offlinePlanDiff()({ root, baseRef: "--orphan" }), { message: "invalid git ref '--orphan'" });
  });
});
