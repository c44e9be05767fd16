/**
 * `npm run -s generate-org`: a valid organization of N workload stacks that plans clean, within
 * IAM's size quotas (the organization is planned once, in process, for the whole file).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { generateOrganization, main, workloadAccountId, workloadCidr, workloadName } from "../../tools/generate-org";
import { parseStackConfig, parseStackFileText, type StackConfig } from "../../stacks/config";
import { runPlan } from "../../plan/run";
import type { StackPlan } from "../../lib/plan-model";
import { iamSizes, IAM_LIMITS } from "../helpers/iam-sizes";
import { statementNaming } from "../helpers/iam";
import { stackStateStatements } from "../../components/identity/github-oidc";
import { policyDocument } from "../../components/iam/policy-document";

/** Enough consumers that the ML stack's GitHub roles would pass IAM's inline quota the old way. */
const N = 30;

function capture(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = main(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
  return { code, stdout, stderr };
}

describe("tools/generate-org", () => {
  it("writes management, cicd, lakehouse, ml and N workload stacks whose files pass the stack schemas", () => {
    const files = generateOrganization(12);
    assert.deepEqual([...files.keys()].slice(0, 4), ["Pulumi.management.yaml", "Pulumi.cicd.yaml", "Pulumi.lakehouse.yaml", "Pulumi.ml.yaml"]);
    assert.equal(files.size, 16);
    const configs = new Map<string, StackConfig>();
    for (const [file, text] of files) {
      const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)![1];
      const f = parseStackFileText(stack, text, file);
      configs.set(stack, parseStackConfig(f.values, file));
      assert.deepEqual(f.otherValues, { "pulumi:disable-default-providers": ["*"] });
    }
    const workloads = [...configs.entries()].filter(([, c]) => c.role === "workload");
    assert.deepEqual(workloads.map(([s]) => s), Array.from({ length: 12 }, (_, i) => workloadName(i + 1, 12)));
    const mgmt = configs.get("management")!;
    assert.equal(mgmt.role, "management");
    if (mgmt.role !== "management") return;
    // Each workload in its own account, with its own network and two models of the ML stack.
    const ids = Object.values(mgmt.accounts).map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length);
    const cidrs = new Set<string>();
    for (const [stack, c] of workloads) {
      if (c.role !== "workload") continue;
      assert.equal(c.account, stack);
      assert.ok(mgmt.accounts[stack], stack);
      assert.deepEqual(Object.keys(c.models).sort(), ["bikeshare-classifier", "defect-detector"]);
      assert.equal(c.modelSmokeTest?.model, "defect-detector");
      cidrs.add(c.modelNetwork.cidrBlock);
    }
    assert.equal(cidrs.size, 12);
    const ml = configs.get("ml")!;
    assert.ok(ml.role === "ml" && Object.keys(ml.consumers).length === 12);
    assert.deepEqual(mgmt.role === "management" && (parse(files.get("Pulumi.management.yaml")!) as { config: Record<string, { consumerAccounts: string[] }> }).config["ml-landing-zone:guardrails"].consumerAccounts, workloads.map(([s]) => s));
  });

  it("names, ranges and account ids are distinct and stable", () => {
    assert.equal(workloadName(7, 100), "wl-007");
    assert.equal(workloadName(7, 1000), "wl-0007");
    assert.equal(workloadCidr(1), "10.0.0.0/20");
    assert.equal(workloadCidr(17), "10.1.0.0/20");
    assert.equal(workloadCidr(4096), "10.255.240.0/20");
    assert.equal(workloadAccountId(42), "700000000042");
    assert.equal(new Set(Array.from({ length: 4000 }, (_, i) => workloadCidr(i + 1))).size, 4000);
  });

  it("refuses bad arguments with one line and exit 2; refuses to overwrite without --force", () => {
    assert.deepEqual(capture(["--out", "x"]), { code: 2, stdout: "", stderr: "generate-org: --workloads <N> is required\n" });
    assert.deepEqual(capture(["--workloads", "4001", "--out", "x"]), { code: 2, stdout: "", stderr: "generate-org: --workloads must be a whole number from 1 to 4000; got '4001'\n" });
    assert.deepEqual(capture(["--workloads", "2"]), { code: 2, stdout: "", stderr: "generate-org: --out <dir> is required\n" });
    assert.deepEqual(capture(["--workloads", "2", "--bogus"]), { code: 2, stdout: "", stderr: "generate-org: Unknown option '--bogus'\n" });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-genorg-"));
    try {
      const first = capture(["--workloads", "2", "--out", dir]);
      assert.deepEqual(first, { code: 0, stdout: "management\ncicd\nlakehouse\nml\nwl-001\nwl-002\n", stderr: "" });
      assert.equal(fs.readdirSync(dir).length, 6);
      const again = capture(["--workloads", "1", "--out", dir]);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /^generate-org: --out .+: already holds 6 stack file\(s\) \(e\.g\. Pulumi\.[a-z0-9-]+\.yaml\); pass --force to replace them\n$/);
      assert.equal(capture(["--workloads", "1", "--out", dir, "--force"]).code, 0);
      assert.deepEqual(fs.readdirSync(dir).sort(), ["Pulumi.cicd.yaml", "Pulumi.lakehouse.yaml", "Pulumi.management.yaml", "Pulumi.ml.yaml", "Pulumi.wl-001.yaml"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe(`an organization of ${N} workload stacks, planned once`, function () {
    this.timeout(900_000);
    let result: Awaited<ReturnType<typeof runPlan>>;
    let plans: StackPlan[];
    before(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-genorg-plan-"));
      try {
        for (const [name, text] of generateOrganization(N)) fs.writeFileSync(path.join(dir, name), text);
        result = await runPlan({ stacksDir: dir, policyConfig: JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "policy-config.json"), "utf8")) });
        plans = result.report.stacks.map((s) => s.plan);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("plans clean: exit 0, every stack, no errors, checks pass", () => {
      assert.deepEqual(result.report.errors, []);
      assert.equal(result.exitCode, 0);
      assert.equal(plans.length, N + 4);
      assert.ok(result.report.checks.every((c) => c.ok));
    });

    it("stays within IAM's size quotas: trust 2,048, inline per role 10,240, managed 6,144, 10 attached", () => {
      const { all, over } = iamSizes(plans);
      assert.deepEqual(over, []);
      assert.ok(all.length > 4 * N, `${all.length} documents measured`);
    });

    it("the ML stack's GitHub roles read every consumer's state through managed policies", () => {
      // All in one inline policy, as before, the deploy role's state grants alone would not fit.
      const reads = ["lakehouse", "management", ...Array.from({ length: N }, (_, i) => workloadName(i + 1, N))].map((stack) => ({ project: "ml-landing-zone", stack }));
      const inlineBefore = JSON.stringify(policyDocument(stackStateStatements("aws", "mlz-pulumi-state-222222222222", { project: "ml-landing-zone", stack: "ml" }, reads).deploy)).length;
      assert.ok(inlineBefore > IAM_LIMITS.inlinePerRole, `${inlineBefore} characters`);
      const cicd = plans.find((p) => p.stack === "cicd")!;
      for (const kind of ["deploy", "preview"]) {
        const policies = cicd.resources.filter((r) => r.type === "aws:iam/policy:Policy" && String(r.inputs.name).startsWith(`mlz-github-${kind}-ml-reads-`));
        assert.ok(policies.length >= 2, kind);
        const read = policies.flatMap((p) => statementNaming<{ Resource: string[] }>((JSON.parse(String(p.inputs.policy)) as { Statement: { Resource: string[] }[] }).Statement, "s3:GetObject")!.Resource);
        for (let i = 1; i <= N; i++) assert.ok(read.some((r) => r.endsWith(`/.pulumi/stacks/ml-landing-zone/${workloadName(i, N)}.json`)), `${kind}: ${workloadName(i, N)}`);
      }
    });
  });
});
