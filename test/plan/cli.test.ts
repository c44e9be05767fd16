import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { STACKS_DIR } from "../../stacks/config";

const ROOT = path.resolve(__dirname, "..", "..");

function plan(args: string[]) {
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "plan", "cli.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function copyStacks(edit?: (file: string, text: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-cli-"));
  for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
    const text = fs.readFileSync(path.join(STACKS_DIR, f), "utf8");
    fs.writeFileSync(path.join(dir, f), edit ? edit(f, text) : text);
  }
  return dir;
}

describe("plan CLI", function () {
  this.timeout(120000);

  it("prints its help and exits 0", () => {
    const r = plan(["--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: npm run plan -- \[options\]/);
    for (const flag of ["--stack", "--format", "--out", "--diff", "--stacks-dir", "--policy-config"]) assert.ok(r.stdout.includes(flag), flag);
  });

  it("exits 2 on a bad argument, naming it", () => {
    const r = plan(["--format", "yaml"]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "plan: --format must be text, json or markdown; got 'yaml'\n");
    assert.equal(plan(["--stack", "staging"]).status, 2);
  });

  it("exits 2 on a bad stack config before declaring any resource, naming the file and key", () => {
    const dir = copyStacks((f, t) => (f === "Pulumi.qa.yaml" ? t.replace("ml-landing-zone:region: us-east-1", "ml-landing-zone:region: us-central-9") : t));
    const r = plan(["--stacks-dir", dir, "--format", "json"]);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    // The messages name the file actually read (here a copy outside stacks/).
    const file = path.relative(ROOT, path.join(dir, "Pulumi.qa.yaml"));
    assert.deepEqual(report.errors, [{
      stack: "qa",
      file,
      message: `${file}: ml-landing-zone:region: expected an AWS region such as 'us-east-1'; got 'us-central-9'`,
    }]);
    assert.deepEqual(report.stacks, []);
  });

  it("exits 2 on an error raised while the program declares resources, instead of hanging or exiting silently", () => {
    const dir = copyStacks((f, t) => (f === "Pulumi.qa.yaml" ? t.replace("arn:aws:rekognition:us-east-1:444444444444:project", "arn:aws:rekognition:us-east-1:999999999999:project") : t));
    const r = plan(["--stacks-dir", dir, "--stack", "qa", "--format", "json"]);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.errors.length, 1);
    assert.equal(report.errors[0].stack, "qa");
    assert.match(report.errors[0].message, /\[models\.defect-detector\.versionArn\] must be in the ML account 444444444444; got account 999999999999/);
  });

  it("exits 1 on a mandatory policy violation in a broken copy of a stack, naming the rule, resource and stack", () => {
    // The broken copy: the Rekognition lockout no longer covers prod's OU.
    const dir = copyStacks((f, t) => (f === "Pulumi.management.yaml" ? t.replace("    consumerAccounts:\n      - qa\n      - prod\n", "    consumerAccounts:\n      - qa\n") : t));
    assert.match(fs.readFileSync(path.join(dir, "Pulumi.management.yaml"), "utf8"), /consumerAccounts:\n      - qa\n(?!      - prod)/);
    const r = plan(["--stacks-dir", dir, "--format", "json"]);
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
    const text = plan(["--stacks-dir", dir]);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /\[mandatory\] rekognition-guardrail-attached/);
    const md = plan(["--stacks-dir", dir, "--format", "markdown"]);
    assert.match(md.stdout, /### Policy violations\n\n#### management\n\n- \*\*rekognition-guardrail-attached\*\* \(mandatory\)/);
  });

  it("writes --out files and reports the changed input with --diff", () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-base-"));
    const first = plan(["--out", base, "--format", "json"]);
    assert.ok(first.status === 0 || first.status === 1, first.stderr);
    assert.deepEqual(fs.readdirSync(base).sort(), ["cicd.json", "lakehouse.json", "management.json", "ml.json", "prod.json", "qa.json"]);
    const dir = copyStacks((f, t) => (f === "Pulumi.prod.yaml" ? t.replace("owner: apps@example.com", "owner: sre@example.com") : t));
    const r = plan(["--stacks-dir", dir, "--diff", base, "--format", "json"]);
    const report = JSON.parse(r.stdout);
    const prod = report.stacks.find((s: { stack: string }) => s.stack === "prod");
    const provider = prod.diff.changed.find((c: { name: string; type: string }) => c.type === "pulumi:providers:aws" && c.name === "account");
    assert.deepEqual(provider.paths, ["defaultTags.tags.owner"]);
    const qa = report.stacks.find((s: { stack: string }) => s.stack === "qa");
    assert.deepEqual([qa.diff.added, qa.diff.removed, qa.diff.changed], [[], [], []]);
    const md = plan(["--stacks-dir", dir, "--diff", base, "--format", "markdown"]);
    assert.match(md.stdout, /#### prod\n\n\| \| type \| name \| changed inputs \|\n\|---\|---\|---\|---\|\n(\| ~ \| .*\n)*\| ~ \| `pulumi:providers:aws` \| account \| `defaultTags.tags.owner` \|/);
  });
});
