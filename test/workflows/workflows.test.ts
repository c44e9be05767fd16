/**
 * The GitHub Actions workflows: validated by a real workflow validator (@action-validator/cli, the
 * npm registry's `action-validator` binary), then checked for the project's security rules and
 * for agreement with the deploy ordering.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { githubDeployRoleName, githubPreviewRoleName } from "../../components/naming";
import { DRIFT_ENVIRONMENT, PROMOTION_ENVIRONMENT, environmentSubject } from "../../components/identity/github-oidc";
import { PROMOTION_READER_ROLE_NAME } from "../../components/identity/promotion-reader";
import { deploySteps } from "../../delivery/deploy-order";
import { jobOf, WORKLOAD_JOBS } from "../../delivery/deploy-plan";
import { listStacks, parseStackFileText } from "../../stacks/config";

const ROOT = path.resolve(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");
const VALIDATOR = path.join(ROOT, "node_modules", ".bin", "action-validator");

interface Step {
  uses?: string;
  run?: string;
  name?: string;
  id?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  needs?: string[] | string;
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  steps?: Step[];
  strategy?: unknown;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const FILES = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");
const load = (f: string) => parse(text(f)) as Workflow;

/** The pins this repository uses, and where each SHA was confirmed (see promotion/README.md). */
const PINS: Record<string, string> = {
  "actions/checkout": "08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0",
  "actions/setup-node": "a0853c24544627f65ddf259abe73b1d18a591444 # v5.0.0",
  "actions/upload-artifact": "ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2",
  "actions/download-artifact": "d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0",
  "actions/github-script": "60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7.0.1",
  "aws-actions/configure-aws-credentials": "e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2",
  "pulumi/actions": "8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0",
};

function validate(file: string): { status: number | null; output: string } {
  const r = spawnSync(VALIDATOR, [file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function dependsOn(wf: Workflow, job: string, on: string, seen = new Set<string>()): boolean {
  const needs = wf.jobs[job].needs;
  const list = needs === undefined ? [] : Array.isArray(needs) ? needs : [needs];
  if (list.includes(on)) return true;
  return list.some((n) => !seen.has(n) && (seen.add(n), dependsOn(wf, n, on, seen)));
}

describe("workflows", () => {
  it("are the expected files", () => {
    assert.deepEqual(FILES, ["deploy.yml", "drift.yml", "preview-comment.yml", "preview.yml", "promote.yml", "training-pickup.yml"]);
  });

  describe("action-validator (@action-validator/cli)", () => {
    for (const f of FILES) {
      it(`${f} is a valid workflow`, () => {
        const r = validate(path.join(DIR, f));
        assert.equal(r.status, 0, r.output);
      });
    }

    it("rejects a broken workflow (the validator really validates)", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-wf-"));
      const tmp = path.join(dir, "broken.yml");
      fs.writeFileSync(tmp, text("deploy.yml").replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest"));
      let r;
      try {
        r = validate(tmp);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      assert.equal(r.status, 1);
      assert.match(r.output, /Additional property 'runs-onn' is not allowed/);
    });
  });

  describe("security rules", () => {
    for (const f of FILES) {
      it(`${f}: no token permissions by default; every job declares its own`, () => {
        const wf = load(f);
        assert.deepEqual(wf.permissions, {}, "workflow-level permissions must be {}");
        for (const [id, job] of Object.entries(wf.jobs)) {
          assert.ok(job.permissions !== undefined && typeof job.permissions === "object", `${f}: job ${id} has no permissions map`);
          for (const [scope, level] of Object.entries(job.permissions)) {
            assert.ok(["read", "write", "none"].includes(level), `${f}: ${id}.${scope}: ${level}`);
          }
        }
      });

      it(`${f}: every uses: is pinned to a full commit SHA with a version comment`, () => {
        const lines = text(f).split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
        assert.ok(lines.length > 0);
        for (const line of lines) {
          const m = /uses:\s*([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
          assert.ok(m, `${f}: not pinned: ${line.trim()}`);
          assert.equal(`${m[2]} # ${m[3]}`, PINS[m[1]], `${f}: ${m[1]} pinned to an unexpected SHA`);
        }
      });

      it(`${f}: no pull_request_target; no expressions inside run: scripts (script injection)`, () => {
        const wf = load(f);
        assert.ok(!("pull_request_target" in wf.on), `${f} uses pull_request_target`);
        for (const [id, job] of Object.entries(wf.jobs)) {
          for (const step of job.steps ?? []) {
            if (step.run !== undefined) assert.ok(!step.run.includes("${{"), `${f}: ${id}: run: interpolates an expression: ${step.run}`);
          }
        }
      });
    }

    it("id-token: write exactly in the jobs that assume an AWS role", () => {
      for (const f of FILES) {
        for (const [id, job] of Object.entries(load(f).jobs)) {
          const assumes = (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
          const idToken = (job.permissions as Record<string, string>)["id-token"];
          assert.equal(idToken === "write", assumes, `${f}: ${id}: id-token is '${idToken ?? "none"}' but the job ${assumes ? "assumes" : "assumes no"} AWS role`);
        }
      }
    });

    it("no workflow checks out pull-request code in a privileged context", () => {
      for (const f of FILES) {
        const wf = load(f);
        const privileged = "pull_request_target" in wf.on || "workflow_run" in wf.on;
        if (!privileged) continue;
        for (const [id, job] of Object.entries(wf.jobs)) {
          for (const step of job.steps ?? []) {
            assert.ok(!step.uses?.startsWith("actions/checkout@"), `${f}: ${id} checks out code under ${Object.keys(wf.on).join(", ")}`);
            assert.ok(step.run === undefined, `${f}: ${id} runs a shell script under ${Object.keys(wf.on).join(", ")}`);
          }
        }
      }
    });

    it("preview.yml: the real previews are compared with the offline plan of the same commit, without cloud credentials", () => {
      const wf = load("preview.yml");
      const json = wf.jobs["pulumi-preview"].steps!.find((st) => st.run?.includes("--json"))!;
      assert.match(json.run!, /pulumi preview --stack "\$STACK" --json --show-sames --non-interactive > "\$RUNNER_TEMP\/real-preview\/\$STACK\.json"/);
      const out = wf.jobs["offline-plan"].steps!.find((st) => st.id === "offline-out")!;
      assert.match(out.run!, /npm run -s plan -- --out "\$RUNNER_TEMP\/offline-plan" --format json > \/dev\/null/);
      const fidelity = wf.jobs.fidelity;
      assert.deepEqual(fidelity.needs, ["offline-plan", "pulumi-preview"]);
      assert.deepEqual(fidelity.permissions, { contents: "read" });
      const comment = load("preview-comment.yml").jobs.comment.steps!;
      const download = comment.find((st) => (st.with as Record<string, unknown> | undefined)?.name === "preview-fidelity") as Step & { "continue-on-error"?: boolean };
      assert.equal(download["continue-on-error"], true, "a pull request without real previews still gets its comment");
      assert.ok(String(comment.find((st) => st.uses?.startsWith("actions/github-script@"))!.with!.script).includes("FIDELITY_FILE"));
    });

    it("preview.yml: the fidelity step writes the comment's line from the real previews (run against fixtures)", function () {
      this.timeout(120000);
      const step = load("preview.yml").jobs.fidelity.steps!.find((st) => st.run?.includes("compare-preview"))!;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-fidelity-"));
      try {
        const fixtures = path.join(ROOT, "test", "fixtures", "preview");
        fs.cpSync(path.join(fixtures, "offline"), path.join(tmp, "offline-plan"), { recursive: true });
        fs.mkdirSync(path.join(tmp, "real-preview"));
        fs.copyFileSync(path.join(fixtures, "clean.json"), path.join(tmp, "real-preview", "qa.json"));
        const summary = path.join(tmp, "summary.md");
        const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], { cwd: ROOT, encoding: "utf8", env: { ...process.env, RUNNER_TEMP: tmp, GITHUB_STEP_SUMMARY: summary } });
        assert.equal(r.status, 0, r.stderr);
        const line = fs.readFileSync(path.join(tmp, "fidelity", "fidelity.md"), "utf8");
        assert.match(line, /^✅ offline plan agrees with the real preview: 37\/37 resources, 0 differing inputs \(qa\)\n$/);
        assert.equal(fs.readFileSync(summary, "utf8"), line);
        // A difference is shown, and the step still succeeds.
        fs.copyFileSync(path.join(fixtures, "changed-input.json"), path.join(tmp, "real-preview", "qa.json"));
        const d = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], { cwd: ROOT, encoding: "utf8", env: { ...process.env, RUNNER_TEMP: tmp, GITHUB_STEP_SUMMARY: summary } });
        assert.equal(d.status, 0, d.stderr);
        assert.match(fs.readFileSync(path.join(tmp, "fidelity", "fidelity.md"), "utf8"), /^⚠️ offline plan differs from the real preview: .* 2 differing inputs \(qa\)\n\n<details>/);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });

    it("deploy.yml: every pulumi up is preceded by the comparison with the offline plan, which never blocks", () => {
      const wf = load("deploy.yml");
      let jobs = 0;
      for (const [id, job] of Object.entries(wf.jobs)) {
        const steps = job.steps ?? [];
        const up = steps.findIndex((st) => /^pulumi up /.test(st.name ?? ""));
        if (up < 0) continue;
        jobs++;
        const cmp = steps[up - 1] as Step & { "continue-on-error"?: boolean };
        assert.match(cmp.name ?? "", /^Offline plan against the real preview/, id);
        assert.equal(cmp["continue-on-error"], true, id);
        assert.match(cmp.run!, /npm run -s compare-preview -- --plan "\$RUNNER_TEMP\/offline-plan" --preview "\$STACK=\$RUNNER_TEMP\/real-preview\.json" --format markdown/, id);
        assert.match(cmp.run!, />> "\$GITHUB_STEP_SUMMARY"/, id);
      }
      assert.ok(jobs >= 5, `${jobs} deploy jobs`);
    });

    it("drift.yml: scheduled and on demand only; read-only roles from environment drift; issues written without cloud credentials", () => {
      const wf = load("drift.yml");
      assert.deepEqual(Object.keys(wf.on).sort(), ["schedule", "workflow_dispatch"]);
      const preview = wf.jobs.preview;
      assert.equal(preview.environment, DRIFT_ENVIRONMENT);
      assert.deepEqual(preview.permissions, { contents: "read", "id-token": "write" });
      const assume = preview.steps!.find((st) => st.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
      assert.equal(assume.with!["role-to-assume"], `arn:aws:iam::\${{ vars.MLZ_CICD_ACCOUNT_ID }}:role/${githubPreviewRoleName("${{ matrix.stack }}")}`);
      assert.equal(preview.env!.MLZ_ASSUME_ROLE_NAME, "mlz-preview");
      const run = preview.steps!.find((st) => st.run?.includes("pulumi preview"))!.run!;
      assert.match(run, /pulumi preview --refresh --expect-no-changes --json --non-interactive --stack "\$STACK" > "\$RUNNER_TEMP\/drift\/\$STACK\.json"/);
      assert.deepEqual(wf.jobs.report.permissions, { contents: "read", issues: "write" });
      assert.ok(!(wf.jobs.report.steps ?? []).some((st) => st.uses?.startsWith("aws-actions/")), "the issue job holds no cloud credentials");
      assert.match(wf.jobs.report.steps!.find((st) => st.run?.includes("drift-report"))!.run!, /npm run -s drift-report -- "\$\{args\[@\]\}"/);
    });

    it("drift.yml: the member-stack list leaves out management", () => {
      const step = load("drift.yml").jobs.stacks.steps!.find((st) => st.id === "list")!;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-drift-"));
      try {
        fs.mkdirSync(path.join(dir, "stacks"));
        for (const s of ["management", "qa", "ml", "prod"]) fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${s}.yaml`), "config: {}\n");
        fs.writeFileSync(path.join(dir, "stacks", "README.md"), "");
        const out = path.join(dir, "out");
        const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, GITHUB_OUTPUT: out } });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(fs.readFileSync(out, "utf8"), 'stacks=["ml","prod","qa"]\n');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("preview.yml: pull-request code never gets secrets; cloud credentials only for same-repository pull requests", () => {
      const wf = load("preview.yml");
      assert.deepEqual(Object.keys(wf.on), ["pull_request"]);
      assert.ok(!text("preview.yml").includes("secrets."), "preview.yml must not read secrets");
      for (const [id, job] of Object.entries(wf.jobs)) {
        const perms = job.permissions as Record<string, string>;
        assert.notEqual(perms["pull-requests"], "write", `${id} must not need pull-requests: write (fork tokens do not have it)`);
        assert.notEqual(perms.contents, "write", id);
      }
      const withCloud = Object.entries(wf.jobs).filter(([, j]) => (j.permissions as Record<string, string>)["id-token"] === "write");
      assert.deepEqual(withCloud.map(([id]) => id), ["pulumi-preview"]);
      // pulumi-preview needs changed-stacks, which only runs for same-repository pull requests.
      assert.deepEqual(wf.jobs["pulumi-preview"].needs, ["changed-stacks"]);
      assert.ok(wf.jobs["changed-stacks"].if?.includes("github.event.pull_request.head.repo.full_name == github.repository"));
      const assume = wf.jobs["pulumi-preview"].steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
      assert.equal(assume.with!["role-to-assume"], `arn:aws:iam::\${{ vars.MLZ_CICD_ACCOUNT_ID }}:role/${githubPreviewRoleName("${{ matrix.stack }}")}`);
      const preview = wf.jobs["pulumi-preview"].steps!.find((s) => s.run?.includes("pulumi preview"))!;
      assert.match(preview.run!, /pulumi preview --stack "\$STACK" --policy-pack policies --policy-pack-config policies\/policy-config\.json /);
      assert.equal(wf.jobs["pulumi-preview"].environment, undefined, "the preview role trusts the pull_request subject, not an environment");
    });

    it("preview.yml: no pulumi preview of management (no mlz-github-preview-management exists); the others unchanged", () => {
      const job = load("preview.yml").jobs["changed-stacks"] as Job & { outputs: Record<string, string> };
      assert.deepEqual(job.outputs, { stacks: "${{ steps.previewable.outputs.stacks }}" });
      const step = job.steps!.find((st) => st.id === "previewable")!;
      assert.deepEqual(step.env, { STACKS: "${{ steps.changes.outputs.stacks }}" });
      const run = (stacks: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-previewable-"));
        const out = path.join(dir, "out");
        fs.writeFileSync(out, "");
        try {
          const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
            encoding: "utf8", env: { PATH: process.env.PATH, STACKS: stacks, GITHUB_OUTPUT: out },
          });
          assert.equal(r.status, 0, r.stderr);
          return { stdout: r.stdout, output: fs.readFileSync(out, "utf8") };
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      };
      const all = run('["management","cicd","lakehouse","ml","qa","prod"]');
      assert.equal(all.output, 'stacks=["cicd","lakehouse","ml","qa","prod"]\n');
      assert.equal(all.stdout, "::notice title=management is previewed by an administrator::no GitHub role may read the management account: see the offline plan diff in the pull-request comment, or run 'pulumi preview -s management' with management-account credentials\n");
      assert.deepEqual(run('["management"]'), { stdout: all.stdout, output: "stacks=[]\n" });
      assert.deepEqual(run('["qa","prod"]'), { stdout: "", output: 'stacks=["qa","prod"]\n' });
      assert.deepEqual(run("[]"), { stdout: "", output: "stacks=[]\n" });
      // pulumi-preview is skipped for an empty list.
      assert.equal(load("preview.yml").jobs["pulumi-preview"].if, "${{ needs.changed-stacks.outputs.stacks != '' && needs.changed-stacks.outputs.stacks != '[]' }}");
    });

    it("preview.yml: tests, offline plan diff against the base, and the comment artifact", () => {
      const steps = load("preview.yml").jobs["offline-plan"].steps!;
      const runs = steps.map((s) => s.run ?? s.uses ?? "");
      assert.ok(runs.includes("npm ci"));
      assert.ok(runs.includes("npm test"));
      const plan = steps.find((s) => s.id === "plan")!;
      assert.match(plan.run!, /base="\$\(git rev-parse HEAD\^1\)"/);
      assert.match(plan.run!, /npx tsx delivery\/preview-comment\.ts --base "\$base"/);
      const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
      assert.equal(upload.with!.name, "preview-comment");
      const download = load("preview-comment.yml").jobs.comment.steps!.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
      assert.equal(download.with!.name, "preview-comment");
      assert.equal(download.with!["run-id"], "${{ github.event.workflow_run.id }}");
    });

    it("preview-comment.yml: triggered by preview runs, may write pull requests, nothing else", () => {
      const wf = load("preview-comment.yml");
      assert.deepEqual(wf.on, { workflow_run: { workflows: ["preview"], types: ["completed"] } });
      assert.deepEqual(wf.jobs.comment.permissions, { actions: "read", "pull-requests": "write" });
      assert.equal(load("preview.yml").name, "preview");
    });
  });

  describe("deploy.yml", () => {
    const wf = load("deploy.yml");
    const deployJobs = Object.keys(wf.jobs).filter((j) => j !== "plan");
    const stackOf = (job: string) => (job === "ml-revoke" ? "ml" : job);
    /** The jobs that deploy with a GitHub role: all but management, which an administrator applies. */
    const memberJobs = deployJobs.filter((j) => j !== "management");

    it("runs on push to main", () => {
      assert.deepEqual(wf.on, { push: { branches: ["main"] } });
    });

    /** The stack of a job, for jobs that deploy one fixed stack. */
    const fixedJobs = memberJobs.filter((j) => !(WORKLOAD_JOBS as readonly string[]).includes(j));
    const stackFiles = () => listStacks(path.join(ROOT, "stacks")).map((name) => ({
      name,
      role: String(parseStackFileText(name, fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${name}.yaml`), "utf8")).values.role),
    }));

    it("every fixed member-stack job runs in its stack's environment; each workload matrix leg in its stack's", () => {
      for (const j of fixedJobs) assert.equal(wf.jobs[j].environment, stackOf(j), j);
      for (const j of WORKLOAD_JOBS) assert.equal(wf.jobs[j].environment, "${{ matrix.stack }}", j);
      assert.equal(wf.jobs.management.environment, undefined, "the management job holds no credentials and needs no environment");
    });

    it("one job per stack that is not a workload, plus ml-revoke; workload stacks are legs of the two matrix jobs", () => {
      const stacks = stackFiles();
      const fixed = stacks.filter((s) => s.role !== "workload").map((s) => s.name);
      assert.deepEqual([...deployJobs].sort(), [...fixed, "ml-revoke", ...WORKLOAD_JOBS].sort());
      assert.ok(stacks.some((s) => s.role === "workload"));
    });

    it("the workload jobs fan out over the plan's outputs with bounded parallelism, no fail-fast", () => {
      assert.deepEqual((wf.jobs.plan as Job & { outputs: Record<string, string> }).outputs, {
        steps: "${{ steps.plan.outputs.steps }}",
        workloads: "${{ steps.plan.outputs.workloads }}",
        "gated-workloads": "${{ steps.plan.outputs.gated-workloads }}",
      });
      for (const j of WORKLOAD_JOBS) {
        assert.deepEqual(wf.jobs[j].strategy, { "fail-fast": false, "max-parallel": 20, matrix: { stack: `\${{ fromJSON(needs.plan.outputs.${j}) }}` } }, j);
        assert.equal(wf.jobs[j].if, `\${{ !cancelled() && !failure() && needs.plan.outputs.${j} != '[]' }}`, j);
      }
      assert.deepEqual(wf.jobs.workloads.needs, ["plan", "ml"]);
      assert.deepEqual(wf.jobs["gated-workloads"].needs, ["plan", "workloads"]);
      assert.deepEqual(wf.jobs["ml-revoke"].needs, ["plan", "workloads", "gated-workloads"]);
    });

    it("each member-stack job: concurrency deploy-<stack>, OIDC into mlz-github-deploy-<stack>, pulumi up --yes -s <stack>", () => {
      assert.deepEqual([...memberJobs].sort(), ["cicd", "gated-workloads", "lakehouse", "ml", "ml-revoke", "workloads"]);
      for (const j of memberJobs) {
        const job = wf.jobs[j];
        const matrix = (WORKLOAD_JOBS as readonly string[]).includes(j);
        const stack = matrix ? "${{ matrix.stack }}" : stackOf(j);
        assert.deepEqual(job.concurrency, { group: `deploy-${stack}`, "cancel-in-progress": false }, j);
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" }, j);
        assert.equal(job.env!.STACK, stack);
        if (!matrix) assert.equal(job.if, `\${{ !cancelled() && !failure() && contains(fromJSON(needs.plan.outputs.steps), '${j}') }}`);
        assert.ok((Array.isArray(job.needs) ? job.needs : [job.needs]).includes("plan"), j);
        const assume = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
        assert.equal(assume.with!["role-to-assume"], `arn:aws:iam::\${{ vars.MLZ_CICD_ACCOUNT_ID }}:role/${githubDeployRoleName(stack)}`);
        const up = job.steps!.find((s) => s.run?.includes("pulumi up"))!;
        assert.match(up.run!, /pulumi up --yes --stack "\$STACK" --policy-pack policies --policy-pack-config policies\/policy-config\.json /);
        assert.ok(!JSON.stringify(job).includes("secrets."), `${j} reads no stored secrets`);
      }
    });

    it("job dependencies follow the deploy order, including a promotion's ml → target → ml-revoke", () => {
      const stacks = stackFiles();
      const steps = deploySteps({ files: ["components/x.ts", "stacks/Pulumi.qa.yaml", "stacks/Pulumi.prod.yaml"], stacks, modelChanges: ["qa", "prod"] });
      assert.deepEqual(steps.map((s) => s.id), ["management", "cicd", "lakehouse", "ml", "qa", "prod", "ml-revoke"]);
      const order = steps.map((s) => jobOf(s, stacks));
      assert.deepEqual(order, ["management", "cicd", "lakehouse", "ml", "workloads", "gated-workloads", "ml-revoke"]);
      for (let i = 0; i < order.length; i++) {
        for (let k = i + 1; k < order.length; k++) {
          const independent = (order[i] === "cicd" && order[k] === "lakehouse");
          if (independent) continue;
          assert.ok(dependsOn(wf, order[k], order[i]), `${order[k]} must (transitively) need ${order[i]}`);
        }
      }
    });

    it("workload stacks are smoke-tested after pulumi up, failing on a failed invocation", () => {
      for (const j of WORKLOAD_JOBS) {
        const steps = wf.jobs[j].steps!;
        const up = steps.findIndex((s) => s.run?.includes("pulumi up"));
        const invoke = steps.findIndex((s) => s.run?.includes("aws lambda invoke"));
        assert.ok(up >= 0 && invoke > up, j);
        assert.match(steps[invoke].run!, /npx tsx delivery\/smoke-check\.ts --stack "\$STACK"/);
        const chain = steps[invoke - 1];
        assert.equal(chain.with!["role-chaining"], true);
        assert.equal(chain.with!["role-to-assume"], "arn:aws:iam::${{ steps.smoke.outputs.account }}:role/mlz-deploy");
      }
      for (const j of ["management", "cicd", "lakehouse", "ml", "ml-revoke"]) {
        assert.ok(!wf.jobs[j].steps!.some((s) => s.run?.includes("aws lambda invoke")), j);
      }
    });

    describe("management job (the management stack is applied by an administrator)", () => {
      const job = wf.jobs.management;
      const gate = job.steps!.find((st) => st.name === "Require the management stack applied by an administrator")!;

      /** Runs the gate's script as the runner would (bash -e), in `repo`, with GITHUB_SHA and the variable. */
      const runGate = (repo: string, sha: string, applied: string) => {
        const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", gate.run!], {
          cwd: repo, encoding: "utf8", env: { PATH: process.env.PATH, HOME: os.tmpdir(), GITHUB_SHA: sha, APPLIED: applied },
        });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      /** A repository with main: c1 → c2 → c3, and c4 on another branch from c1. */
      const repo = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-gate-"));
        const git = (...a: string[]) => {
          const r = spawnSync("git", a, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
          assert.equal(r.status, 0, r.stderr);
          return r.stdout.trim();
        };
        git("init", "-q", "-b", "main");
        const commit = (m: string) => { git("commit", "-q", "--allow-empty", "-m", m); return git("rev-parse", "HEAD"); };
        const c1 = commit("c1");
        const c2 = commit("c2");
        const c3 = commit("c3");
        git("checkout", "-q", "-b", "side", c1);
        const c4 = commit("c4");
        git("checkout", "-q", "main");
        return { dir, c1, c2, c3, c4 };
      };

      it("assumes no role, runs no pulumi, needs no id-token, runs only when the plan has a management step", () => {
        assert.deepEqual(job.permissions, { contents: "read" });
        assert.equal(job.if, "${{ !cancelled() && !failure() && contains(fromJSON(needs.plan.outputs.steps), 'management') }}");
        assert.deepEqual(job.needs, ["plan"]);
        assert.ok(!job.steps!.some((st) => st.uses?.startsWith("aws-actions/configure-aws-credentials@")));
        assert.ok(!job.steps!.some((st) => st.uses?.startsWith("pulumi/actions@")));
        assert.ok(!job.steps!.some((st) => /^\s*(pulumi|npx|npm)\s/m.test(st.run ?? "")), "runs no pulumi (nor the project's code)");
        assert.deepEqual(job.steps!.map((st) => st.uses?.split("@")[0] ?? st.name), ["actions/checkout", "Require the management stack applied by an administrator"]);
        assert.ok(!JSON.stringify(job).includes(githubDeployRoleName("management")), "no role mlz-github-deploy-management exists");
        assert.ok(!text("deploy.yml").includes(githubDeployRoleName("management")));
        assert.deepEqual(job.env, undefined);
        assert.deepEqual(gate.env, { APPLIED: "${{ vars.MLZ_MANAGEMENT_APPLIED_SHA }}" });
        const checkout = job.steps!.find((st) => st.uses?.startsWith("actions/checkout@"))!;
        assert.deepEqual(checkout.with, { "fetch-depth": 0, "persist-credentials": false }, "full history for the ancestry check");
      });

      it("the stacks after management need it and do not run when it fails", () => {
        for (const j of ["cicd", "lakehouse"]) {
          assert.ok((wf.jobs[j].needs as string[]).includes("management"), j);
          assert.match(wf.jobs[j].if!, /^\$\{\{ !cancelled\(\) && !failure\(\) && /, `${j} is skipped when a needed job failed`);
        }
        for (const j of ["ml", ...WORKLOAD_JOBS, "ml-revoke"]) assert.ok(dependsOn(wf, j, "management"), j);
      });

      it("fails with an error annotation telling an administrator to run pulumi up -s management when not applied", () => {
        const r0 = repo();
        try {
          for (const applied of ["", r0.c2, r0.c4, "not-a-sha", r0.c3.slice(0, 12), "0".repeat(40)]) {
            const r = runGate(r0.dir, r0.c3, applied);
            assert.equal(r.status, 1, `APPLIED='${applied}': ${r.stdout}${r.stderr}`);
            assert.equal(r.stdout,
              "::error title=management must be applied by an administrator::This push changes the management stack, which no GitHub role may deploy, so the stacks after it wait. " +
              `An administrator runs 'pulumi up -s management' at ${r0.c3} (or a later commit of main) with management-account administrator credentials, ` +
              "sets the repository variable MLZ_MANAGEMENT_APPLIED_SHA to the full SHA of the commit applied, then re-runs the failed jobs of this run.\n");
          }
        } finally {
          fs.rmSync(r0.dir, { recursive: true, force: true });
        }
      });

      it("passes with a notice once MLZ_MANAGEMENT_APPLIED_SHA is the pushed commit or a later one", () => {
        const r0 = repo();
        try {
          for (const applied of [r0.c2, r0.c3]) {
            const r = runGate(r0.dir, r0.c2, applied);
            assert.equal(r.status, 0, r.stdout + r.stderr);
            assert.equal(r.stdout, `::notice title=management applied by an administrator::MLZ_MANAGEMENT_APPLIED_SHA ${applied} contains ${r0.c2}: the stacks after management deploy\n`);
          }
        } finally {
          fs.rmSync(r0.dir, { recursive: true, force: true });
        }
      });
    });

    it("the plan job computes the steps with delivery/deploy-plan.ts from the pushed range", () => {
      const plan = wf.jobs.plan;
      assert.deepEqual(plan.permissions, { contents: "read" });
      const step = plan.steps!.find((s) => s.id === "plan")!;
      assert.deepEqual(step.env, { BEFORE: "${{ github.event.before }}", AFTER: "${{ github.sha }}" });
      assert.match(step.run!, /npx tsx delivery\/deploy-plan\.ts --base "\$BEFORE" --head "\$AFTER" --github-output/);
    });
  });

  describe("promote.yml", () => {
    const wf = load("promote.yml");
    it("workflow_dispatch with model, from and to; runs promote --open-pr", () => {
      const dispatch = wf.on.workflow_dispatch as { inputs: Record<string, { required: boolean }> };
      assert.deepEqual(Object.keys(dispatch.inputs), ["model", "from", "to"]);
      assert.ok(Object.values(dispatch.inputs).every((i) => i.required));
      const job = wf.jobs.promote;
      assert.deepEqual(job.permissions, { contents: "write", "pull-requests": "write", "id-token": "write" });
      const run = job.steps!.find((s) => s.run?.includes("npm run promote"))!;
      assert.match(run.run!, /npm run promote -- "\$MODEL" --to "\$TO" --from "\$FROM" --open-pr "\$\{offline\[@\]\}"/);
      assert.deepEqual(run.env, {
        GITHUB_TOKEN: "${{ github.token }}",
        MODEL: "${{ inputs.model }}",
        FROM: "${{ inputs.from }}",
        TO: "${{ inputs.to }}",
      });
    });

    it("runs in the environment whose OIDC subject mlz-github-promote trusts (the stack config's repository)", () => {
      const job = wf.jobs.promote;
      assert.equal(job.environment, PROMOTION_ENVIRONMENT);
      assert.equal(PROMOTION_ENVIRONMENT, "promotion");
      const cicd = parseStackFileText("cicd", fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.cicd.yaml"), "utf8")).values.github as { owner: string; repo: string };
      // What GitHub puts in `sub` for a job with `environment: promotion`, whatever the trigger.
      assert.equal(environmentSubject(cicd.owner, cicd.repo, job.environment as string), "repo:example-org/ml-landing-zone:environment:promotion");
      assert.ok(!stacksOf().includes(PROMOTION_ENVIRONMENT), "a stack named like the promotion environment would share its subject");
    });

    it("assumes mlz-github-promote, then chains into the ML account's mlz-promotion-reader, before npm run promote", () => {
      const job = wf.jobs.promote;
      assert.equal(job.env!.ONLINE, "${{ vars.MLZ_PROMOTION_ROLE_ARN != '' && vars.MLZ_ML_ACCOUNT_ID != '' }}");
      const steps = job.steps!;
      const assumes = steps.map((s, i) => ({ s, i })).filter(({ s }) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      assert.equal(assumes.length, 2);
      const [cicd, ml] = assumes;
      assert.equal(cicd.s.if, "${{ env.ONLINE == 'true' }}");
      assert.deepEqual(cicd.s.with, {
        "role-to-assume": "${{ vars.MLZ_PROMOTION_ROLE_ARN }}",
        "role-session-name": "promote-${{ github.run_id }}",
        "aws-region": "${{ vars.MLZ_REGION || 'us-east-1' }}",
      });
      assert.equal(ml.s.if, "${{ env.ONLINE == 'true' }}");
      assert.deepEqual(ml.s.with, {
        "role-to-assume": `arn:aws:iam::\${{ vars.MLZ_ML_ACCOUNT_ID }}:role/${PROMOTION_READER_ROLE_NAME}`,
        "role-chaining": true,
        "role-skip-session-tagging": true,
        "role-session-name": "promote-checks-${{ github.run_id }}",
        "aws-region": "${{ vars.MLZ_REGION || 'us-east-1' }}",
      });
      assert.equal(PROMOTION_READER_ROLE_NAME, "mlz-promotion-reader");
      const promote = steps.findIndex((s) => s.run?.includes("npm run promote"));
      assert.ok(cicd.i < ml.i && ml.i < promote, "credentials: CI/CD role, then the ML reader, then the command");
      assert.ok(!text("promote.yml").includes("secrets."), "promote.yml reads no stored secrets");
      assert.ok(!text("promote.yml").includes("role/mlz-preview"), "the promotion checks do not use the broad ReadOnlyAccess preview role");
    });

    it("without the variables: says the checks are skipped and runs the command with --offline", () => {
      const steps = wf.jobs.promote.steps!;
      const notice = steps.find((s) => s.if === "${{ env.ONLINE != 'true' }}")!;
      assert.ok(notice, "no step announces the offline run");
      assert.match(notice.run!, /^echo "::warning title=Promotion checks skipped::MLZ_PROMOTION_ROLE_ARN or MLZ_ML_ACCOUNT_ID is not set: promoting with --offline/);
      const run = steps.find((s) => s.run?.includes("npm run promote"))!;
      assert.equal(run.if, undefined, "the command runs online or offline");
      assert.match(run.run!, /if \[ "\$ONLINE" != "true" \]; then offline=\(--offline\); fi/);
    });
  });
});

function stacksOf(): string[] {
  return listStacks(path.join(ROOT, "stacks"));
}
