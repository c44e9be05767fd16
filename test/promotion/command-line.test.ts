/**
 * Every command answers --help and meets a user error with one line on stderr and exit 2 (never
 * a stack trace): the CI helpers, the bike-share tools and the benchmark runner, run as the
 * workflows and the README run them.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, script), ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS: { script: string; name: string; usage: RegExp; bad: string[]; message: string }[] = [
  { script: "delivery/deploy-plan.ts", name: "deploy-plan", usage: /^Usage: npx tsx delivery\/deploy-plan\.ts --base <sha> --head <sha>/, bad: ["--base", "abc"], message: "deploy-plan: --base <sha> and --head <sha> are required (see --help)\n" },
  { script: "delivery/smoke-check.ts", name: "smoke-check", usage: /^Usage: npx tsx delivery\/smoke-check\.ts --stack <stack>/, bad: ["--stack", "qa"], message: "smoke-check: --stack, --response and --payload are required (see --help)\n" },
  { script: "delivery/preview-comment.ts", name: "preview-comment", usage: /^Usage: npx tsx delivery\/preview-comment\.ts --base <ref> --out <file>/, bad: ["--base", "main"], message: "preview-comment: --base <ref> and --out <file> are required (see --help)\n" },
  { script: "bench/run.ts", name: "bench", usage: /^Usage: npm run bench/, bad: ["--fast"], message: "bench: unknown option '--fast' (see --help)\n" },
  { script: "tools/bikeshare-training-prep/cli.ts", name: "bikeshare-training-prep", usage: /^usage: /, bad: ["--seed", "x"], message: "--seed must be an integer; got x (see --help)\n" },
  { script: "tools/bikeshare-evaluate/cli.ts", name: "bikeshare-evaluate", usage: /^usage: /, bad: ["--endpoint"], message: "" },
];

describe("command lines: --help and one-line usage errors", function () {
  this.timeout(120000);
  for (const c of COMMANDS) {
    it(`${c.name}: --help exits 0 with the usage; a bad command line is one line on stderr, exit 2`, () => {
      const help = run(c.script, ["--help"]);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, c.usage);
      const bad = run(c.script, c.bad);
      assert.equal(bad.status, 2, bad.stderr);
      assert.equal(bad.stderr.trimEnd().split("\n").length, 1, bad.stderr);
      assert.ok(!/\n\s+at /.test(bad.stderr), bad.stderr);
      if (c.message) assert.equal(bad.stderr, c.message);
      const unknown = run(c.script, ["--no-such-option"]);
      assert.equal(unknown.status, 2, unknown.stderr);
      assert.equal(unknown.stderr.trimEnd().split("\n").length, 1, unknown.stderr);
    });
  }
  it("the README's JSON command works redirected: npm run -s plan prints only the JSON document", () => {
    const r = spawnSync("npm", ["run", "-s", "plan", "--", "--stack", "qa", "--format", "json"], { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.stacks.map((s: { stack: string }) => s.stack), ["qa"]);
  });

  it("deploy-plan: --help lists its options", () => {
    const help = run("delivery/deploy-plan.ts", ["-h"]);
    for (const o of ["--base", "--head", "--github-output", "--help"]) assert.ok(help.stdout.includes(o), o);
  });
});
