import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { STACKS_DIR } from "../../stacks/config";
import { planOrganization } from "../../plan/organization";
import { cachedRunPlan, planCli, tempDirs } from "../helpers/plan-cli";

const ROOT = path.resolve(__dirname, "..", "..");

/** The command in a real process (`node --require tsx/cjs plan/cli.ts`): exit status and streams. */
function planProcess(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "plan", "cli.ts"), ...args], { cwd: ROOT, encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// In process, each set of inputs is planned once for this file (see test/helpers/plan-cli.ts).
const runPlan = cachedRunPlan();
const plan = (args: string[]) => planCli(args, { runPlan });
const tmp = tempDirs();

function copyStacks(edit?: (file: string, text: string) => string): string {
  const dir = tmp.make("mlz-cli-");
  for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
    const text = fs.readFileSync(path.join(STACKS_DIR, f), "utf8");
    fs.writeFileSync(path.join(dir, f), edit ? edit(f, text) : text);
  }
  return dir;
}

/** The example stack files with qa's model version in another account (one copy, planned once). */
let wrongAccount: string | undefined;
const qaInWrongAccount = () => (wrongAccount ??= copyStacks((f, t) => (f === "Pulumi.qa.yaml" ? t.replace("arn:aws:rekognition:us-east-1:444444444444:project", "arn:aws:rekognition:us-east-1:999999999999:project") : t)));

describe("plan CLI", function () {
  this.timeout(120000);
  after(() => tmp.removeAll());

  it("prints its help and exits 0", async () => {
    const r = await plan(["--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: npm run plan -- \[options\]/);
    for (const flag of ["--stack", "--format", "--out", "--diff", "--stacks-dir", "--policy-config"]) assert.ok(r.stdout.includes(flag), flag);
  });

  it("exits 2 on a bad argument, naming it: one line on stderr of the real process, nothing on stdout", async () => {
    const r = planProcess(["--format", "yaml"]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "plan: --format must be text, json, markdown or mermaid; got 'yaml'\n");
    assert.equal(r.stdout, "");
    const staging = await plan(["--stack", "staging"]);
    assert.equal(staging.status, 2);
    assert.equal(staging.stderr, "plan: --stack staging: no stacks/Pulumi.staging.yaml (stacks: cicd, lakehouse, management, ml, prod, qa)\n");
  });

  it("exits 2 on a bad stack config before declaring any resource, naming the file and key", async () => {
    const dir = copyStacks((f, t) => (f === "Pulumi.qa.yaml" ? t.replace("ml-landing-zone:region: us-east-1", "ml-landing-zone:region: us-central-9") : t));
    const r = await plan(["--stacks-dir", dir, "--format", "json"]);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    // The messages name the file actually read (here a copy outside stacks/).
    const file = path.relative(ROOT, path.join(dir, "Pulumi.qa.yaml"));
    assert.deepEqual(report.errors.find((e: { stack: string }) => e.stack === "qa"), {
      stack: "qa",
      file,
      message: `${file}: ml-landing-zone:region: expected an AWS region such as 'us-east-1'; got 'us-central-9'`,
    });
    // Every other failure is a program that reads qa's file (management, cicd, ml) or one that reads
    // a failed stack's outputs: each names its cause.
    for (const e of report.errors.filter((x: { stack: string }) => x.stack !== "qa")) {
      assert.ok(e.message.startsWith(`${file}: ml-landing-zone:region:`) || e.message.startsWith("not planned: it reads the outputs of stack "), e.message);
    }
    assert.deepEqual(report.checks, []);
  });

  it("one failing program does not hide the others: every other stack is planned and reported", async () => {
    const dir = qaInWrongAccount();
    const r = await plan(["--stacks-dir", dir, "--format", "json"]);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.stacks.map((s: { stack: string }) => s.stack), ["management", "cicd", "lakehouse", "ml", "prod"]);
    assert.deepEqual(report.errors.map((e: { stack: string }) => e.stack), ["qa"]);
    // The file and key, never the SDK's "error serializing property", and where the program raised it.
    const file = path.relative(ROOT, path.join(dir, "Pulumi.qa.yaml"));
    assert.ok(report.errors[0].message.startsWith(`${file}: [models.defect-detector.versionArn] must be in the ML account 444444444444; got account 999999999999`), report.errors[0].message);
    assert.ok(!report.errors[0].message.includes("error serializing property"), report.errors[0].message);
    assert.match(report.errors[0].message, /\nraised at components\/models\/model-consumer\.ts:\d+$/);
    const text = await plan(["--stacks-dir", dir]);
    assert.ok(text.stdout.includes("    stacks planned: 5, failed: 1 (2 passes)\n"), text.stdout);
    assert.ok(text.stdout.includes("    cross-stack checks: not run (they need every stack planned)\n"), text.stdout);
  });

  it("refuses a key in an unknown namespace and a stack file without disable-default-providers, naming file and key", async () => {
    const dir = copyStacks((f, t) => {
      if (f === "Pulumi.qa.yaml") return t.replace("ml-landing-zone:modelSmokeTest:", "ml-landing-zon:modelSmokeTest:");
      if (f === "Pulumi.prod.yaml") return t.replace('  pulumi:disable-default-providers:\n    - "*"\n', "");
      return t;
    });
    const r = await plan(["--stacks-dir", dir, "--format", "json"]);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    const file = (stack: string) => path.relative(ROOT, path.join(dir, `Pulumi.${stack}.yaml`));
    assert.deepEqual(report.errors.filter((e: { stack: string }) => e.stack === "qa" || e.stack === "prod"), [
      { stack: "prod", file: file("prod"), message: `${file("prod")}: pulumi:disable-default-providers: is required: ["*"] (every resource names its provider explicitly)` },
      { stack: "qa", file: file("qa"), message: `${file("qa")}: ml-landing-zon:modelSmokeTest: unknown namespace 'ml-landing-zon:' (expected ml-landing-zone:, pulumi:, aws:); did you mean 'ml-landing-zone:modelSmokeTest'?` },
    ]);
  });

  it("refuses a policy-config entry naming no rule (exit 2), naming the entry and the closest rule", async () => {
    const dir = tmp.make("mlz-cli-");
    const file = path.join(dir, "policy-config.json");
    fs.writeFileSync(file, JSON.stringify({ all: "mandatory", "s3-bucket-versionin": "advisory" }));
    const r = await plan(["--policy-config", file]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `plan: --policy-config ${file}: entry 's3-bucket-versionin' names no rule of the policy pack (closest: 's3-bucket-versioning')\n`);
  });

  it("answers user errors with one line and exit 2: empty values, missing and wrong paths", async () => {
    const dir = tmp.make("mlz-cli-");
    const aFile = path.join(dir, "a-file");
    fs.writeFileSync(aFile, "x");
    const cases: [string[], string][] = [
      [["--out", ""], "plan: --out needs a value; got ''\n"],
      [["--format", ""], "plan: --format needs a value; got ''\n"],
      [["--stack", ""], "plan: --stack needs a stack name; got ''\n"],
      [["--stacks-dir", path.join(dir, "missing")], `plan: --stacks-dir ${path.join(dir, "missing")}: no such directory\n`],
      [["--stacks-dir", aFile], `plan: --stacks-dir ${aFile}: is not a directory\n`],
      [["--out", aFile], `plan: --out ${aFile}: is a file, expected a directory\n`],
      [["--diff", path.join(dir, "missing")], `plan: --diff ${path.join(dir, "missing")}: no such directory (write base plans with --out first)\n`],
      [["--policy-config", path.join(dir, "missing.json")], `plan: --policy-config ${path.join(dir, "missing.json")}: no such file\n`],
      [["--policy-config", aFile], `plan: --policy-config ${aFile}: not valid JSON: Unexpected token 'x', "x" is not valid JSON\n`],
      [["--bogus"], "plan: Unknown option '--bogus'\n"],
    ];
    for (const [argv, stderr] of cases) {
      const r = await plan(argv);
      assert.deepEqual([r.status, r.stderr, r.stdout], [2, stderr, ""], argv.join(" "));
    }
  });

  it("exits 2 on an error raised while the program declares resources, instead of hanging or exiting silently", async () => {
    const dir = qaInWrongAccount();
    const r = await plan(["--stacks-dir", dir, "--stack", "qa", "--format", "json"]);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.errors.length, 1);
    assert.equal(report.errors[0].stack, "qa");
    assert.match(report.errors[0].message, /\[models\.defect-detector\.versionArn\] must be in the ML account 444444444444; got account 999999999999/);
  });

  it("exits 1 on a mandatory policy violation in a broken copy of a stack, naming the rule, resource and stack", async () => {
    // The broken copy: the Rekognition lockout no longer covers prod's OU.
    const dir = copyStacks((f, t) => (f === "Pulumi.management.yaml" ? t.replace("    consumerAccounts:\n      - qa\n      - prod\n", "    consumerAccounts:\n      - qa\n") : t));
    assert.match(fs.readFileSync(path.join(dir, "Pulumi.management.yaml"), "utf8"), /consumerAccounts:\n      - qa\n(?!      - prod)/);
    const r = await plan(["--stacks-dir", dir, "--format", "json"]);
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    const violations = report.stacks.flatMap((s: { policies: { policy: string; enforcementLevel: string; stack: string }[] }) => s.policies);
    const guardrail = violations.filter((v: { policy: string }) => v.policy === "rekognition-guardrail-attached");
    assert.equal(guardrail.length, 1, JSON.stringify(violations));
    assert.equal(guardrail[0].enforcementLevel, "mandatory");
    assert.equal(guardrail[0].stack, "management");
    assert.equal(guardrail[0].resourceType, "aws:organizations/organizationalUnit:OrganizationalUnit");
    assert.equal(guardrail[0].resourceName, "org-ou-prod");
    assert.equal(guardrail[0].message, "The consumer-account Rekognition guardrail SCP must be attached to OU 'Prod'.");
    const text = await plan(["--stacks-dir", dir]);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /\[mandatory\] rekognition-guardrail-attached/);
    const md = await plan(["--stacks-dir", dir, "--format", "markdown"]);
    assert.match(md.stdout, /### Policy violations\n\n#### management\n\n- \*\*rekognition-guardrail-attached\*\* \(mandatory\)/);
  });

  it("writes --out files and reports the changed input with --diff", async () => {
    const base = tmp.make("mlz-base-");
    const first = await plan(["--out", base, "--format", "json"]);
    assert.ok(first.status === 0 || first.status === 1, first.stderr);
    assert.deepEqual(fs.readdirSync(base).sort(), ["cicd.json", "lakehouse.json", "management.json", "ml.json", "prod.json", "qa.json"]);
    const dir = copyStacks((f, t) => (f === "Pulumi.prod.yaml" ? t.replace("owner: apps@example.com", "owner: sre@example.com") : t));
    const r = await plan(["--stacks-dir", dir, "--diff", base, "--format", "json"]);
    const report = JSON.parse(r.stdout);
    const prod = report.stacks.find((s: { stack: string }) => s.stack === "prod");
    const provider = prod.diff.changed.find((c: { name: string; type: string }) => c.type === "pulumi:providers:aws" && c.name === "account");
    assert.deepEqual(provider.paths, ["defaultTags.tags.owner"]);
    const qa = report.stacks.find((s: { stack: string }) => s.stack === "qa");
    assert.deepEqual([qa.diff.added, qa.diff.removed, qa.diff.changed], [[], [], []]);
    const md = await plan(["--stacks-dir", dir, "--diff", base, "--format", "markdown"]);
    assert.match(md.stdout, /#### prod\n\n\+0 to create · =0 to import · ~\d+ to update · \+-0 to replace · −0 to delete\n\n\| \| type \| name \| change \| changed inputs \(old → new\) \|\n\|---\|---\|---\|---\|---\|\n(\| ~ \| .*\n)*\| ~ \| `pulumi:providers:aws` \| account \| update \| `defaultTags.tags.owner`: `"apps@example.com"` → `"sre@example.com"` \|/);
  });

  it("reports every invalid stack file in one run, not only the first", async () => {
    const dir = copyStacks((f, t) => {
      if (f === "Pulumi.qa.yaml") return t.replace("ml-landing-zone:region: us-east-1", "ml-landing-zone:region: us-central-9");
      if (f === "Pulumi.lakehouse.yaml") return t.replace("ml-landing-zone:region: us-east-1", "ml-landing-zone:region: eu-nowhere-7");
      return t;
    });
    const r = await plan(["--stacks-dir", dir, "--format", "json"]);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    const file = (stack: string) => path.relative(ROOT, path.join(dir, `Pulumi.${stack}.yaml`));
    const invalid = report.errors.filter((e: { stack: string; file: string }) => e.stack === "lakehouse" || e.stack === "qa");
    assert.deepEqual(invalid, [
      { stack: "lakehouse", file: file("lakehouse"), message: `${file("lakehouse")}: ml-landing-zone:region: expected an AWS region such as 'us-east-1'; got 'eu-nowhere-7'` },
      { stack: "qa", file: file("qa"), message: `${file("qa")}: ml-landing-zone:region: expected an AWS region such as 'us-east-1'; got 'us-central-9'` },
    ]);
    const text = await plan(["--stacks-dir", dir]);
    assert.equal(text.status, 2);
    assert.ok(text.stdout.includes(`error: stack lakehouse (${file("lakehouse")}):\n`), text.stdout);
    assert.ok(text.stdout.includes(`error: stack qa (${file("qa")}):\n`), text.stdout);
    assert.match(text.stdout, /    stacks planned: \d+, failed: \d+ \(\d pass(es)?\)\n/);
  });

  it("plans what a deployment asks for even when MLZ_ASSUME_ROLE_NAME=mlz-preview is set (the preview override is ignored)", async () => {
    const env = { ...process.env };
    delete env.MLZ_ASSUME_ROLE_NAME;
    // In process without the variable; a real process (exit status and stdout) with it.
    const previous = process.env.MLZ_ASSUME_ROLE_NAME;
    delete process.env.MLZ_ASSUME_ROLE_NAME;
    let without;
    try {
      without = await plan(["--format", "json"]);
    } finally {
      if (previous !== undefined) process.env.MLZ_ASSUME_ROLE_NAME = previous;
    }
    assert.equal(without.status, 0, without.stderr);
    const withOverride = planProcess(["--format", "json"], { ...env, MLZ_ASSUME_ROLE_NAME: "mlz-preview" });
    assert.equal(withOverride.status, 0, withOverride.stderr);
    assert.ok(without.stdout.length > 1000);
    assert.equal(withOverride.stdout, without.stdout);
    const accounts: Record<string, string> = { cicd: "222222222222", lakehouse: "333333333333", ml: "444444444444", prod: "666666666666", qa: "555555555555" };
    for (const s of JSON.parse(withOverride.stdout).stacks as { stack: string; resources: { type: string; name: string; inputs: Record<string, string> }[] }[]) {
      if (s.stack === "management") continue;
      const provider = s.resources.find((x) => x.type === "pulumi:providers:aws" && x.name === "account")!;
      assert.deepEqual(JSON.parse(provider.inputs.assumeRoles), [{ roleArn: `arn:aws:iam::${accounts[s.stack]}:role/mlz-deploy`, sessionName: `mlz-${s.stack}` }], s.stack);
    }
  });

  it("restores MLZ_ASSUME_ROLE_NAME after planning in process", async () => {
    const previous = process.env.MLZ_ASSUME_ROLE_NAME;
    process.env.MLZ_ASSUME_ROLE_NAME = "mlz-preview";
    try {
      const org = await planOrganization({ stacksDir: STACKS_DIR, stacks: ["qa"] });
      const qa = org.runs.find((r) => r.plan.stack === "qa")!.plan;
      const provider = qa.resources.find((x) => x.type === "pulumi:providers:aws" && x.name === "account")!;
      assert.deepEqual(JSON.parse(String(provider.inputs.assumeRoles)), [{ roleArn: "arn:aws:iam::555555555555:role/mlz-deploy", sessionName: "mlz-qa" }]);
      assert.equal(process.env.MLZ_ASSUME_ROLE_NAME, "mlz-preview");
    } finally {
      if (previous === undefined) delete process.env.MLZ_ASSUME_ROLE_NAME;
      else process.env.MLZ_ASSUME_ROLE_NAME = previous;
    }
  });

  it("reports with --diff a base stack that has no stack file any more, with its resource count", async () => {
    const base = tmp.make("mlz-base-");
    const first = await plan(["--out", base, "--format", "json"]);
    assert.equal(first.status, 0, first.stderr);
    // A stack that existed when the base was written: qa's plan under the name 'staging'.
    const qa = JSON.parse(fs.readFileSync(path.join(base, "qa.json"), "utf8"));
    const resources = (qa.resources as { type: string }[]).filter((x) => x.type !== "pulumi:pulumi:StackReference").length;
    assert.ok(resources > 10 && resources < qa.resources.length, `${resources} of ${qa.resources.length}`);
    fs.writeFileSync(path.join(base, "staging.json"), JSON.stringify({ ...qa, stack: "staging" }));

    const r = await plan(["--diff", base, "--format", "json"]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.removedStacks, [{ stack: "staging", resources }]);
    assert.deepEqual(report.stacks.map((s: { stack: string }) => s.stack), ["management", "cicd", "lakehouse", "ml", "prod", "qa"]);

    const text = await plan(["--diff", base]);
    assert.equal(text.status, 0, text.stderr);
    assert.ok(text.stdout.includes(`\nStack staging is in the base plans but has no stack file now: its ${resources} resource(s) would be deleted (pulumi destroy -s staging).\n`), text.stdout);
    const md = await plan(["--diff", base, "--format", "markdown"]);
    assert.ok(md.stdout.includes(`#### staging\n\nRemoved stack: no stack file any more; its ${resources} resource(s) would be deleted.\n`), md.stdout);

    // With --stack, absent stacks were merely not selected: nothing is reported removed.
    const selected = await plan(["--diff", base, "--stack", "qa", "--format", "json"]);
    assert.deepEqual(JSON.parse(selected.stdout).removedStacks, []);
  }).timeout(300000);

  it("reports the ML stack as not converged when planning is cut to one pass", async () => {
    const one = await planOrganization({ stacksDir: STACKS_DIR, maxPasses: 1 });
    assert.equal(one.passes, 1);
    assert.deepEqual(one.unconverged, ["ml"]);
    // The full plan of the same stack files (planned once for this file): two passes, converged.
    const full = (await runPlan({ stacksDir: STACKS_DIR })).report;
    assert.equal(full.passes, 2);
    assert.deepEqual(full.unconverged, []);
  });
});
