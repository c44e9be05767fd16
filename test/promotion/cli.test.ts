/**
 * `npm run promote` end to end through `main()`: a temporary git project, a fake AWS (injected
 * `describe`), an injected plan diff, and the loopback GitHub API.
 */
import * as assert from "node:assert/strict";
import type { DescribeVersion } from "../../promotion/checks";
import { HELP, main, parseCliArgs } from "../../promotion/cli";
import { createOctokit } from "../../promotion/github";
import type { PlanDiffRunner } from "../../promotion/plan-diff";
import { changedLines } from "../../promotion/yaml-edit";
import { FakeGitHub } from "./fake-github";
import { fixtureText, makeProject, NEW_DEFECT, PROD_DEFECT, QA_DEFECT, readStack } from "./fixture";

interface Run {
  code: number;
  out: string[];
  err: string[];
}

describe("promotion/cli", () => {
  let root: string;
  let cleanup: () => void;
  let fake: FakeGitHub | undefined;
  const planDiffCalls: { root: string; baseRef: string }[] = [];
  const fakePlanDiff: PlanDiffRunner = async (opts) => {
    planDiffCalls.push(opts);
    return { markdown: "| stack | change |\n|---|---|\n| qa | ~ aws:ssm/parameter:Parameter defect-detector |\n", violations: false };
  };
  const validateCalls: Record<string, string>[] = [];
  let validateProblems: string[] = [];
  const fakeValidate = async (stacks: Readonly<Record<string, string>>) => {
    validateCalls.push({ ...stacks });
    return validateProblems;
  };
  const metrics: Record<string, { status: string; f1?: number }> = {
    [NEW_DEFECT]: { status: "TRAINING_COMPLETED", f1: 0.93 },
    [QA_DEFECT]: { status: "RUNNING", f1: 0.91 },
  };
  const fakeDescribe: DescribeVersion = async (arn) => ({ arn, ...(metrics[arn] ?? { status: "NOT_FOUND" }) });

  beforeEach(() => {
    ({ root, cleanup } = makeProject({ git: true }));
    planDiffCalls.length = 0;
    validateCalls.length = 0;
    validateProblems = [];
  });
  afterEach(async () => {
    cleanup();
    await fake?.stop();
    fake = undefined;
  });

  async function run(argv: string[], env: Record<string, string> = {}, baseUrl?: string): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, {
      root,
      env,
      describe: fakeDescribe,
      planDiff: fakePlanDiff,
      validate: fakeValidate,
      github: (token) => createOctokit({ token, baseUrl }),
    });
    return { code, out, err };
  }

  describe("arguments", () => {
    it("--help prints the usage and exits 0", async () => {
      const r = await run(["--help"]);
      assert.equal(r.code, 0);
      assert.deepEqual(r.out, [HELP]);
    });

    it("the help text documents exactly the options the parser accepts", async () => {
      const documented = new Set([...HELP.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]));
      assert.deepEqual([...documented].sort(), ["base", "from", "help", "offline", "open-pr", "repo", "to", "version"]);
      const examples: Record<string, string[]> = {
        help: ["--help"],
        to: ["m", "--to", "qa", "--from", "qa"],
        from: ["m", "--to", "prod", "--from", "qa"],
        version: ["m", "--to", "qa", "--version", "arn"],
        base: ["m", "--to", "prod", "--from", "qa", "--base", "origin/main"],
        offline: ["m", "--to", "qa", "--from", "qa", "--offline"],
        "open-pr": ["m", "--to", "qa", "--from", "qa", "--open-pr"],
        repo: ["m", "--to", "qa", "--from", "qa", "--repo", "acme/mlz"],
      };
      for (const option of documented) {
        const parsed = parseCliArgs(examples[option]);
        const key = option === "open-pr" ? "openPr" : option;
        assert.notEqual((parsed as unknown as Record<string, unknown>)[key], option === "offline" || option === "open-pr" || option === "help" ? false : undefined, `--${option}`);
      }
      assert.equal(parseCliArgs(["-h"]).help, true);
    });

    it("usage errors exit 2 with the reason and the usage", async () => {
      const cases: [string[], string][] = [
        [["--to", "qa", "--from", "qa"], "missing <model>"],
        [["a", "b", "--to", "qa", "--from", "qa"], "expected one <model>; got a, b"],
        [["m", "--from", "qa"], "missing --to <stack>"],
        [["m", "--to", "qa"], "give exactly one of --from <stack> and --version <arn>"],
        [["m", "--to", "qa", "--from", "qa", "--version", "x"], "give exactly one of --from <stack> and --version <arn>"],
        [["m", "--to", "qa", "--from", "qa", "--force"], "Unknown option '--force'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--force\""],
        [["m", "--to", "", "--from", "qa"], "--to needs a value; got ''"],
        [["m", "--to", "qa", "--version", ""], "--version needs a value; got ''"],
        [["m", "--to", "prod", "--from", "qa", "--base", ""], "--base needs a value; got ''"],
      ];
      for (const [argv, message] of cases) {
        const r = await run(argv);
        assert.equal(r.code, 2, argv.join(" "));
        assert.deepEqual(r.err, [`promote: ${message} (see --help)`]);
      }
    });
  });

  describe("without --open-pr", () => {
    it("--offline edits the one line and says the checks were skipped", async () => {
      const r = await run(["defect-detector", "--to", "qa", "--version", NEW_DEFECT, "--offline"]);
      assert.equal(r.code, 0, r.err.join("\n"));
      assert.deepEqual(r.out, [
        "offline plan: clean with stacks/Pulumi.qa.yaml edited (schema, programs, policies, cross-stack checks)",
        "offline: checks skipped (version existence, training status and F1 not checked)",
        `stacks/Pulumi.qa.yaml: defect-detector ${QA_DEFECT} -> ${NEW_DEFECT}`,
      ]);
      const after = readStack(root, "qa");
      assert.deepEqual(changedLines(fixtureText("qa"), after), [14]);
      assert.ok(after.includes(`versionArn: ${NEW_DEFECT} # promoted 2026-11-10`));
      assert.equal(planDiffCalls.length, 0);
    });

    it("online: runs the checks before editing", async () => {
      const r = await run(["defect-detector", "--to", "qa", "--version", NEW_DEFECT]);
      assert.equal(r.code, 0, r.err.join("\n"));
      assert.equal(r.out[1], "checks passed: F1 0.93 (replaced: 0.91, minimum: 0.85)");
      assert.ok(readStack(root, "qa").includes(NEW_DEFECT));
    });

    it("a failed online check refuses with exit 1 and leaves the file alone", async () => {
      metrics[NEW_DEFECT] = { status: "TRAINING_COMPLETED", f1: 0.5 };
      try {
        const r = await run(["defect-detector", "--to", "qa", "--version", NEW_DEFECT]);
        assert.equal(r.code, 1);
        assert.deepEqual(r.err, [`refused: version ${NEW_DEFECT} has F1 0.5, below the minimum 0.85 that stack 'qa' requires (minF1 in stacks/Pulumi.qa.yaml)`]);
        assert.equal(readStack(root, "qa"), fixtureText("qa"));
      } finally {
        metrics[NEW_DEFECT] = { status: "TRAINING_COMPLETED", f1: 0.93 };
      }
    });

    it("a rule refusal exits 1 with the rule's message", async () => {
      const r = await run(["defect-detector", "--to", "prod", "--version", NEW_DEFECT, "--offline"]);
      assert.equal(r.code, 1);
      assert.deepEqual(r.err, [
        `refused: prod only takes a version that qa holds: qa has ${QA_DEFECT} for model 'defect-detector' (stacks/Pulumi.qa.yaml in the working tree), not ${NEW_DEFECT}; promote to qa first`,
      ]);
      assert.equal(readStack(root, "prod"), fixtureText("prod"));
    });

    it("an unreadable --base ref exits 1 naming the ref", async () => {
      const r = await run(["defect-detector", "--to", "qa", "--version", NEW_DEFECT, "--base", "no-such-ref", "--offline"]);
      assert.equal(r.code, 0, "--base only matters for prod");
      const r2 = await run(["defect-detector", "--to", "prod", "--from", "qa", "--base", "no-such-ref", "--offline"]);
      assert.equal(r2.code, 1);
      assert.match(r2.err[0], /^error: cannot read stacks\/Pulumi\.qa\.yaml at git ref 'no-such-ref': fatal: /);
    });
  });

  describe("--open-pr", () => {
    it("needs a repository and a token, checked before any edit", async () => {
      let r = await run(["defect-detector", "--to", "qa", "--version", NEW_DEFECT, "--offline", "--open-pr"], { GITHUB_TOKEN: "t" });
      assert.deepEqual(r.err, ["refused: --open-pr needs --repo <owner/repo> or GITHUB_REPOSITORY"]);
      r = await run(["defect-detector", "--to", "qa", "--version", NEW_DEFECT, "--offline", "--open-pr", "--repo", "acme/mlz"]);
      assert.deepEqual(r.err, ["refused: --open-pr needs a GitHub token in GITHUB_TOKEN"]);
      assert.equal(r.code, 1);
      assert.equal(readStack(root, "qa"), fixtureText("qa"));
    });

    it("opens the pull request, then a second run updates it", async () => {
      fake = new FakeGitHub({ file: fixtureText("qa") });
      const baseUrl = await fake.start();
      const env = { GITHUB_TOKEN: "t0ken", GITHUB_REPOSITORY: "acme/mlz" };
      const argv = ["defect-detector", "--to", "qa", "--version", NEW_DEFECT, "--offline", "--open-pr"];

      const first = await run(argv, env, baseUrl);
      assert.equal(first.code, 0, first.err.join("\n"));
      assert.equal(first.out.at(-1), "opened pull request #7: https://github.com/acme/mlz/pull/7");
      assert.deepEqual(planDiffCalls, [{ root, baseRef: "HEAD" }]);

      const tree = fake.requests.find((r) => r.path === "/repos/acme/mlz/git/trees")!.body as { tree: { content: string }[] };
      assert.deepEqual(changedLines(fixtureText("qa"), tree.tree[0].content), [14]);
      assert.equal(tree.tree[0].content, readStack(root, "qa"));

      const create = fake.requests.find((r) => r.method === "POST" && r.path === "/repos/acme/mlz/pulls")!.body as Record<string, string>;
      assert.equal(create.title, "Promote defect-detector defect-detector.2026-11-20T08.00.00 to qa");
      assert.equal(create.head, "promote/qa/defect-detector");
      assert.equal(create.base, "main");
      assert.ok(create.body.includes("**offline: checks skipped.**"));
      assert.ok(create.body.includes("| qa | ~ aws:ssm/parameter:Parameter defect-detector |"));
      assert.ok(create.body.includes(`npm run promote -- defect-detector --to qa --version ${QA_DEFECT}\n`));
      const labels = fake.requests.find((r) => r.path === "/repos/acme/mlz/issues/7/labels")!.body;
      assert.deepEqual(labels, { labels: ["promotion", "qa"] });

      // Second run, now online, with the working tree already edited: the pull request is updated.
      fake.state.openPr = 7;
      fake.state.branchExists = true;
      fake.requests.length = 0;
      const second = await run(argv.filter((a) => a !== "--offline"), env, baseUrl);
      assert.equal(second.code, 0, second.err.join("\n"));
      assert.equal(second.out.at(-1), "updated pull request #7: https://github.com/acme/mlz/pull/7");
      assert.deepEqual(fake.requests.slice(-3).map((r) => `${r.method} ${r.path}`), [
        "PATCH /repos/acme/mlz/git/refs/heads%2Fpromote%2Fqa%2Fdefect-detector",
        "PATCH /repos/acme/mlz/pulls/7",
        "POST /repos/acme/mlz/issues/7/labels",
      ]);
      const update = fake.requests.find((r) => r.path === "/repos/acme/mlz/pulls/7")!.body as Record<string, string>;
      assert.ok(!update.body.includes("offline: checks skipped"));
      assert.ok(update.body.includes(`| New | \`${NEW_DEFECT}\` | TRAINING_COMPLETED | 0.93 |`));
      assert.ok(update.body.includes(`| Replaced | \`${QA_DEFECT}\` | RUNNING | 0.91 |`));
    });

    it("a plan-diff failure does not block the pull request; the body says why", async () => {
      fake = new FakeGitHub({ file: fixtureText("qa") });
      const baseUrl = await fake.start();
      const out: string[] = [];
      const code = await main(
        ["defect-detector", "--to", "qa", "--version", NEW_DEFECT, "--offline", "--open-pr", "--repo", "acme/mlz", "--base", "main"],
        { out: (s) => out.push(s), err: (s) => out.push(s) },
        {
          root,
          env: { GITHUB_TOKEN: "t0ken" },
          planDiff: async () => {
            throw new Error("offline plan of main failed (exit 2): boom");
          },
          validate: fakeValidate,
          github: (token) => createOctokit({ token, baseUrl }),
        },
      );
      assert.equal(code, 0, out.join("\n"));
      assert.ok(out.includes("warning: offline plan of main failed (exit 2): boom"));
      const create = fake.requests.find((r) => r.method === "POST" && r.path === "/repos/acme/mlz/pulls")!.body as Record<string, string>;
      assert.ok(create.body.includes("### Offline plan diff (against `main`)\n\n> [!CAUTION]\n> The offline plan diff could not be computed: offline plan of main failed (exit 2): boom"));
    });

    it("a promotion the plan rejects opens no pull request and writes nothing, quoting the plan", async () => {
      fake = new FakeGitHub({ file: fixtureText("qa") });
      const baseUrl = await fake.start();
      validateProblems = ["cross-stack check model-versions-in-ml-account: qa (stacks/Pulumi.qa.yaml): models.defect-detector.versionArn is in account 999999999999, expected the ML account 444444444444"];
      const before = readStack(root, "qa");
      const r = await run(["defect-detector", "--to", "qa", "--version", NEW_DEFECT, "--offline", "--open-pr"], { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "acme/mlz" }, baseUrl);
      assert.equal(r.code, 1);
      assert.deepEqual(r.err, [`refused: the offline plan rejects stacks/Pulumi.qa.yaml with defect-detector at ${NEW_DEFECT} (nothing written, no pull request opened): ${validateProblems[0]}`]);
      assert.deepEqual(fake.requests, []);
      assert.equal(readStack(root, "qa"), before);
      assert.equal(planDiffCalls.length, 0);
      // The validator saw every stack file, the target as the promotion leaves it.
      assert.deepEqual(Object.keys(validateCalls[0]).sort(), ["cicd", "ml", "prod", "qa"]);
      assert.ok(validateCalls[0].qa.includes(NEW_DEFECT) && !validateCalls[0].prod.includes(NEW_DEFECT));
    });

    it("a GitHub API error exits 1 naming it", async () => {
      fake = new FakeGitHub({ file: fixtureText("qa"), failOn: "POST /repos/acme/mlz/pulls" });
      const baseUrl = await fake.start();
      const r = await run(["defect-detector", "--to", "qa", "--version", NEW_DEFECT, "--offline", "--open-pr"], { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "acme/mlz" }, baseUrl);
      assert.equal(r.code, 1);
      assert.match(r.err[0], /^error: Validation Failed/);
    });
  });

  it("prod --from qa with --base reads qa at the base ref (git show)", async () => {
    const r = await run(["defect-detector", "--to", "prod", "--from", "qa", "--base", "main", "--offline"]);
    assert.equal(r.code, 0, r.err.join("\n"));
    assert.equal(r.out[2], `stacks/Pulumi.prod.yaml: defect-detector ${PROD_DEFECT} -> ${QA_DEFECT}`);
  });
});
