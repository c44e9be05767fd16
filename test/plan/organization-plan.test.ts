/**
 * The offline plan of the repository's example organization: providers, accounts, stack
 * references, determinism and isolation, and diffs.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { planOrganization, type OrganizationPlan } from "../../plan/organization";
import { runPlan } from "../../plan/run";
import { renderJson, stackFile } from "../../plan/render";
import { stableStringify } from "../../plan/planner";
import { diffStack } from "../../plan/diff";
import { STACKS_DIR } from "../../stacks/config";
import { guardrailLines, listGuardrails, listRcps, listScps, listTrust } from "../../plan/guardrails";
import { modelParametersGranted, stackReferencesResolve } from "../../plan/checks";
import type { StackPlan } from "../../lib/plan-model";
import { assertGrants } from "../helpers/iam";
import { tempDirs } from "../helpers/plan-cli";
import { examplePlan } from "../helpers/example-plan";

const ACCOUNTS: Record<string, string> = {
  management: "111111111111",
  cicd: "222222222222",
  lakehouse: "333333333333",
  ml: "444444444444",
  qa: "555555555555",
  prod: "666666666666",
};

const tmp = tempDirs();

function copyStacks(): string {
  const dir = tmp.make("mlz-plan-");
  for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
    fs.copyFileSync(path.join(STACKS_DIR, f), path.join(dir, f));
  }
  return dir;
}

function planOf(org: OrganizationPlan, stack: string): StackPlan {
  const run = org.runs.find((r) => r.plan.stack === stack);
  assert.ok(run, `no plan for ${stack}`);
  return run.plan;
}

function decode(v: unknown): any {
  return typeof v === "string" ? JSON.parse(v) : v;
}

describe("offline plan of the example organization", function () {
  let org: OrganizationPlan;
  before(async () => {
    org = await examplePlan();
  });
  after(() => tmp.removeAll());

  it("plans the stacks in dependency order", () => {
    assert.deepEqual(org.runs.map((r) => r.plan.stack), ["management", "cicd", "lakehouse", "ml", "prod", "qa"]);
    assert.deepEqual(org.unconverged, []);
  });

  it("uses no default provider: every resource names an explicit provider declared by its stack", () => {
    for (const { plan } of org.runs) {
      const providers = new Set(plan.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.urn));
      assert.ok(providers.size > 0, `${plan.stack} declares no provider`);
      for (const p of providers) assert.doesNotMatch(p, /::default/, `${plan.stack}: default provider ${p}`);
      for (const r of plan.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:") && x.type !== "pulumi:pulumi:StackReference")) {
        assert.ok(r.provider && providers.has(r.provider), `${plan.stack}: ${r.type} ${r.name} has provider ${r.provider ?? "none"}`);
      }
    }
  });

  it("disables default providers in every stack file", () => {
    for (const { plan } of org.runs) {
      const text = fs.readFileSync(path.join(STACKS_DIR, `Pulumi.${plan.stack}.yaml`), "utf8");
      assert.match(text, /pulumi:disable-default-providers:\n\s+- "\*"/, plan.stack);
    }
  });

  it("deploys each member stack into its own account through the account's deploy role", () => {
    for (const stack of ["cicd", "lakehouse", "ml", "qa", "prod"]) {
      const plan = planOf(org, stack);
      const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "account");
      assert.ok(provider, `${stack} has no 'account' provider`);
      assert.deepEqual(decode(provider.inputs.assumeRoles), [{ roleArn: `arn:aws:iam::${ACCOUNTS[stack]}:role/mlz-deploy`, sessionName: `mlz-${stack}` }]);
      assert.deepEqual(decode(provider.inputs.allowedAccountIds), [ACCOUNTS[stack]]);
      assert.equal(provider.inputs.region, "us-east-1");
      assert.equal(plan.account, ACCOUNTS[stack]);
      for (const r of plan.resources.filter((x) => x.provider === provider.urn)) assert.equal(r.account, ACCOUNTS[stack], `${r.type} ${r.name}`);
    }
  });

  it("runs the management stack in the management account with no role assumption", () => {
    const plan = planOf(org, "management");
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "management");
    assert.ok(provider);
    assert.equal(provider.inputs.assumeRoles, undefined);
    assert.deepEqual(decode(provider.inputs.allowedAccountIds), ["111111111111"]);
    assert.equal(plan.account, "111111111111");
  });

  it("learns account ids through a StackReference to the management stack", () => {
    const management = planOf(org, "management");
    assert.deepEqual(management.outputs.accountIds, ACCOUNTS);
    for (const stack of ["cicd", "lakehouse", "ml", "qa", "prod"]) {
      const plan = planOf(org, stack);
      const ref = plan.resources.find((r) => r.type === "pulumi:pulumi:StackReference" && r.name === "management");
      assert.ok(ref, `${stack} has no management StackReference`);
      assert.equal(ref.inputs.name, "organization/ml-landing-zone/management");
      assert.equal(plan.outputs.accountId, ACCOUNTS[stack]);
    }
  });

  it("bootstraps in each member account a deploy role trusting only that stack's CI/CD role, in the organization", () => {
    const management = planOf(org, "management");
    const orgId = management.outputs.organizationId;
    for (const stack of ["cicd", "lakehouse", "ml", "qa", "prod"]) {
      const role = management.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === `${stack}-mlz-deploy-role`);
      assert.ok(role, `no deploy role for ${stack}`);
      assert.equal(role.account, ACCOUNTS[stack]);
      assert.equal(role.outputs.arn, `arn:aws:iam::${ACCOUNTS[stack]}:role/mlz-deploy`);
      assert.equal(role.inputs.maxSessionDuration, 3600);
      assert.equal(role.inputs.permissionsBoundary, `arn:aws:iam::${ACCOUNTS[stack]}:policy/mlz-deploy-boundary`);
      assertGrants(JSON.parse(String(role.inputs.assumeRolePolicy)), {
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::222222222222:root"] },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: {
            ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::222222222222:role/mlz-github-deploy-${stack}`] },
            StringEquals: { "aws:PrincipalOrgID": orgId },
          },
        }],
      });
      const provider = management.resources.find((r) => r.urn === role.provider);
      assert.deepEqual(decode(provider?.inputs.assumeRoles), [{ roleArn: `arn:aws:iam::${ACCOUNTS[stack]}:role/OrganizationAccountAccessRole`, sessionName: "mlz-bootstrap" }]);
    }
  });

  it("bootstraps in each member account the workload boundary, and deploy and preview roles that cannot escape it", () => {
    /** The statements naming `action` (found by what they do, not by Sid). */
    const naming = (statements: { Action?: string | string[]; Condition?: unknown; Resource?: unknown }[], action: string) =>
      statements.filter((s) => ([] as string[]).concat(s.Action ?? []).includes(action));
    const management = planOf(org, "management");
    for (const stack of ["cicd", "lakehouse", "ml", "qa", "prod"]) {
      const account = ACCOUNTS[stack];
      const workload = `arn:aws:iam::${account}:policy/mlz-workload-boundary`;
      const policy = management.resources.find((r) => r.type === "aws:iam/policy:Policy" && r.name === `${stack}-workload-boundary-policy`);
      assert.ok(policy, `no workload boundary for ${stack}`);
      assert.equal(policy.account, account);
      assert.equal(policy.inputs.name, "mlz-workload-boundary");
      assert.equal(policy.outputs.arn, workload);
      const doc = decode(policy.inputs.policy);
      for (const action of ["iam:CreateRole", "iam:AttachRolePolicy"]) {
        assert.deepEqual(naming(doc.Statement, action).filter((s) => s.Condition).map((s) => s.Condition), [{ StringNotEquals: { "iam:PermissionsBoundary": workload } }], action);
      }
      assert.ok(String(policy.inputs.policy).length <= 6144);
      assert.equal(management.outputs.workloadBoundaryArns && (management.outputs.workloadBoundaryArns as Record<string, string>)[stack], workload);

      const boundary = management.resources.find((r) => r.type === "aws:iam/policy:Policy" && r.name === `${stack}-mlz-deploy-boundary`)!;
      assert.equal(boundary.account, account);
      const statements = decode(boundary.inputs.policy).Statement;
      for (const action of ["iam:CreateRole", "iam:AttachRolePolicy"]) {
        assert.deepEqual(naming(statements, action).filter((s) => s.Condition).map((s) => s.Condition), [{ StringNotEquals: { "iam:PermissionsBoundary": workload } }], action);
      }
      assert.deepEqual(naming(statements, "iam:CreatePolicyVersion").map((s) => s.Resource), [["arn:aws:iam::*:policy/mlz-deploy-boundary", workload]]);

      const preview = management.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === `${stack}-mlz-preview-role`)!;
      assert.equal(preview.account, account);
      const attachment = management.resources.find((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name === `${stack}-mlz-preview-access`)!;
      assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");
    }
  });

  it("gives every role of every member stack the workload boundary of its own account", () => {
    let roles = 0;
    for (const stack of ["cicd", "lakehouse", "ml", "qa", "prod"]) {
      const plan = planOf(org, stack);
      for (const role of plan.resources.filter((r) => r.type === "aws:iam/role:Role")) {
        assert.equal(role.account, ACCOUNTS[stack], `${stack}: ${role.name}`);
        assert.equal(role.inputs.permissionsBoundary, `arn:aws:iam::${ACCOUNTS[stack]}:policy/mlz-workload-boundary`, `${stack}: ${role.name}`);
        roles++;
      }
    }
    assert.ok(roles >= 10, `only ${roles} roles`);
  });

  it("lists every guardrail SCP of the management stack with its minified size and attachments", () => {
    const management = planOf(org, "management");
    const ouId = (name: string) => management.resources.find((r) => r.type === "aws:organizations/organizationalUnit:OrganizationalUnit" && r.inputs.name === name)!.id;
    const rootId = management.outputs.rootId as string;
    const scps = listScps(management);
    assert.deepEqual(scps.map((s) => [s.name, s.targets]), [
      ["mlz-baseline", [`root ${rootId}`]],
      ["mlz-consumer-rekognition-lockout", [`OU NonProd (${ouId("NonProd")})`, `OU Prod (${ouId("Prod")})`]],
      ["mlz-deny-iam-users", [`root ${rootId}`]],
      ["mlz-region-allow-list", [`root ${rootId}`]],
    ]);
    for (const scp of scps) {
      const policy = management.resources.find((r) => r.type === "aws:organizations/policy:Policy" && r.inputs.name === scp.name)!;
      const content = String(policy.inputs.content);
      assert.equal(content, JSON.stringify(JSON.parse(content)), `${scp.name} is not minified`);
      assert.equal(scp.size, content.length);
      assert.ok(scp.size <= 5120, `${scp.name} is ${scp.size} characters`);
    }
  });

  it("lists the enforce-org-identities RCP apart from the SCPs, labelled, with its size and the root attachment", () => {
    const management = planOf(org, "management");
    const rootId = management.outputs.rootId as string;
    const rcps = listRcps(management);
    assert.deepEqual(rcps.map((r) => [r.name, r.targets]), [["mlz-enforce-org-identities", [`root ${rootId}`]]]);
    const policy = management.resources.find((r) => r.type === "aws:organizations/policy:Policy" && r.inputs.name === "mlz-enforce-org-identities")!;
    assert.equal(policy.inputs.type, "RESOURCE_CONTROL_POLICY");
    assert.equal(rcps[0].size, String(policy.inputs.content).length);
    assert.ok(rcps[0].size <= 5120);
    const lines = guardrailLines(listGuardrails(management));
    const at = lines.indexOf("Resource control policies (minified size / quota → attachments):");
    assert.ok(at > lines.indexOf("Service control policies (minified size / quota → attachments):"));
    assert.equal(lines[at + 1], `    mlz-enforce-org-identities  ${rcps[0].size}/5120  → root ${rootId}`);
  });

  it("lists the GitHub trust of every cicd role, pinned to the repository and the stack's environment", () => {
    const trust = listTrust(planOf(org, "cicd"));
    for (const stack of ["cicd", "lakehouse", "ml", "qa", "prod"]) {
      const deploy = trust.find((t) => t.role === `mlz-github-deploy-${stack}`);
      assert.deepEqual(deploy?.trustedBy, [`GitHub OIDC sub=repo:example-org/ml-landing-zone:environment:${stack} aud=sts.amazonaws.com`]);
      assert.deepEqual(deploy?.mayAssume, [`arn:aws:iam::${ACCOUNTS[stack]}:role/mlz-deploy`]);
      const preview = trust.find((t) => t.role === `mlz-github-preview-${stack}`);
      assert.deepEqual(preview?.trustedBy, ["GitHub OIDC sub=repo:example-org/ml-landing-zone:pull_request|repo:example-org/ml-landing-zone:environment:drift aud=sts.amazonaws.com"]);
      assert.deepEqual(preview?.mayAssume, [`arn:aws:iam::${ACCOUNTS[stack]}:role/mlz-preview`]);
    }
  });

  it("checks across stacks that prod's parameters hold versions the ML role grants to prod, through prod's endpoints", () => {
    const plans = org.runs.map((r) => r.plan);
    const ok = modelParametersGranted(plans);
    assert.equal(ok.ok, true, ok.message);
    assert.equal(ok.message, "4 model parameter(s) in prod, qa hold versions the ML roles grant (through the VPC endpoints of prod)");

    // The same plans with prod's grant no longer tied to prod's Rekognition endpoint.
    const mutated = JSON.parse(JSON.stringify(plans)) as StackPlan[];
    const ml = mutated.find((p) => p.stack === "ml")!;
    const prodPolicy = ml.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === "mlz-model-access-prod")!;
    const doc = JSON.parse(String(prodPolicy.inputs.policy));
    delete doc.Statement[0].Condition;
    prodPolicy.inputs.policy = JSON.stringify(doc);
    const vpce = (planOf(org, "prod").outputs.modelEndpointIds as Record<string, string>).rekognition;
    const notThrough = modelParametersGranted(mutated);
    assert.equal(notThrough.ok, false);
    assert.equal(notThrough.message, `prod: /mlz/models/defect-detector/arn is granted by mlz-model-access-prod, but not only through prod's rekognition endpoint ${vpce}`);

    // And with qa's grant gone altogether.
    const qaPolicy = ml.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === "mlz-model-access-qa")!;
    qaPolicy.inputs.role = "someone-else";
    const missing = modelParametersGranted(mutated);
    assert.match(missing.message, /qa: \/mlz\/models\/defect-detector\/arn = arn:aws:rekognition:us-east-1:444444444444:project\/defect-detector\/version\/defect-detector\.2026-11-02T10\.15\.00\/1762078500000, but ml's role mlz-model-access-qa grants no rekognition:DetectCustomLabels on /);
  });

  it("is deterministic: planning twice gives byte-identical JSON", async () => {
    // Each run plans the organization again: its plans equal the first plan's, and so does the report.
    const a = await runPlan({ stacksDir: STACKS_DIR });
    for (const run of org.runs) {
      const other = a.report.stacks.find((s) => s.plan.stack === run.plan.stack)!.plan;
      assert.notEqual(other, run.plan);
      assert.equal(stableStringify(other), stableStringify(run.plan), run.plan.stack);
    }
    const b = await runPlan({ stacksDir: STACKS_DIR });
    assert.equal(renderJson(b.report), renderJson(a.report));
  });

  it("isolates stacks: each stack planned alone in a fresh process equals the same stack planned after the others in one process", async function () {
    this.timeout(120000);
    // The in-process run's final outputs feed every fresh process, as they fed the final pass.
    const dir = tmp.make("mlz-iso-");
    const outputsFile = path.join(dir, "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify(Object.fromEntries(org.runs.map((r) => [r.plan.stack, r.plan.outputs]))));
    const script = `
      const { readStackFile } = require("./stacks/config");
      const { planStack, stableStringify } = require("./plan/planner");
      const outputs = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
      planStack(readStackFile(process.argv[2]), (s) => outputs[s], process.argv[3])
        .then((run) => process.stdout.write(stableStringify(run.plan)), (e) => { console.error(e.message); process.exit(2); });`;
    const root = path.resolve(__dirname, "..", "..");
    const planAlone = (stack: string) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ["--require", "tsx/cjs", "-e", script, outputsFile, stack, org.organization ?? ""], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }));
    });
    // Two processes at a time (the machine's two cores); each still plans one stack alone.
    const queue = [...org.runs];
    await Promise.all([0, 1].map(async () => {
      for (let run = queue.shift(); run; run = queue.shift()) {
        const r = await planAlone(run.plan.stack);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, stableStringify(run.plan), `${run.plan.stack} differs when planned alone`);
      }
    }));
  });

  it("plans every stack even when one is reported: the ML stack reads its consumers, planned after it", async () => {
    const only = await runPlan({ stacksDir: STACKS_DIR, stacks: ["ml"] });
    assert.deepEqual(only.report.stacks.map((s) => s.plan.stack), ["ml"]);
    assert.equal(stableStringify(only.report.stacks[0].plan), stableStringify(planOf(org, "ml")));
    assert.deepEqual(only.report.stacks[0].stackReferences.filter((r) => !r.resolved), []);
  });

  it("names a stack reference into another organization as unresolved, and the check fails naming it", async () => {
    const dir = copyStacks();
    const file = path.join(dir, "Pulumi.qa.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("managementStack: organization/", "managementStack: typo-org/"));
    const { report, exitCode } = await runPlan({ stacksDir: dir });
    assert.equal(exitCode, 2, "the S3 (DIY) backend the workflows use knows no organization 'typo-org': the stack file is refused");
    assert.match(report.errors[0]?.message ?? "", /ml-landing-zone:managementStack: expected 'organization\/ml-landing-zone\/management': the DIY \(S3\) backend/);
  });

  it("with the Pulumi Cloud backend, a reference into another organization fails the reference check (exit 1), naming it", async () => {
    const dir = copyStacks();
    for (const f of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, f), "utf8")
        .replace(/organization\/ml-landing-zone\//g, "example-org/ml-landing-zone/")
        .replace(/^( {2}ml-landing-zone:role: .*)$/m, "$1\n  ml-landing-zone:stateBackend: cloud");
      fs.writeFileSync(path.join(dir, f), f === "Pulumi.qa.yaml" ? text.replace("managementStack: example-org/", "managementStack: typo-org/") : text);
    }
    const { report, exitCode } = await runPlan({ stacksDir: dir });
    // qa cannot learn its account (it reads no management outputs): the reference check fails (exit
    // 1) naming the reference, and the stacks that read qa are not planned, saying why.
    assert.equal(exitCode, 1, JSON.stringify(report.errors));
    assert.deepEqual(report.checks.map((c) => [c.check, c.ok]), [["stack-references-resolve", false]]);
    assert.match(report.checks[0].message, /^qa \(.*Pulumi\.qa\.yaml\) references 'typo-org\/ml-landing-zone\/management', a stack of organization 'typo-org'; this organization's stacks are 'example-org\/ml-landing-zone\/<stack>'$/);
    assert.deepEqual(report.errors.map((e) => e.stack), ["qa"]);
    assert.match(report.errors[0].message, /^not planned: a stack reference names no stack of this organization \(see the failed check stack-references-resolve\): /);
    assert.deepEqual(report.stacks.map((s) => s.plan.stack), ["management", "cicd", "lakehouse", "ml", "prod"]);

    // The check, on the real plans with qa's reference pointed elsewhere.
    const plans = JSON.parse(JSON.stringify(org.runs.map((r) => r.plan))) as StackPlan[];
    const names = plans.map((p) => p.stack);
    assert.deepEqual(stackReferencesResolve(plans, { stackNames: names, organization: org.organization }).ok, true);
    const qaRef = plans.find((p) => p.stack === "qa")!.resources.find((r) => r.type === "pulumi:pulumi:StackReference")!;
    qaRef.inputs.name = "typo-org/ml-landing-zone/management";
    const foreign = stackReferencesResolve(plans, { stackNames: names, organization: "organization" });
    assert.equal(foreign.ok, false);
    assert.equal(foreign.message, "qa (stacks/Pulumi.qa.yaml) references 'typo-org/ml-landing-zone/management', a stack of organization 'typo-org'; this organization's stacks are 'organization/ml-landing-zone/<stack>'");
    qaRef.inputs.name = "organization/ml-landing-zone/staging";
    assert.equal(stackReferencesResolve(plans, { stackNames: names, organization: "organization" }).message,
      "qa (stacks/Pulumi.qa.yaml) references 'organization/ml-landing-zone/staging', which is not a stack of this organization (stacks: cicd, lakehouse, management, ml, prod, qa)");
  });

  it("diffs a changed config value as a changed input path", async () => {
    const dir = copyStacks();
    const file = path.join(dir, "Pulumi.qa.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("owner: apps@example.com", "owner: apps-oncall@example.com"));
    const changed = await planOrganization({ stacksDir: dir });
    const d = diffStack(planOf(org, "qa"), planOf(changed, "qa"));
    assert.deepEqual(d.added, []);
    assert.deepEqual(d.removed, []);
    const provider = d.changed.find((c) => c.type === "pulumi:providers:aws" && c.name === "account");
    assert.ok(provider, JSON.stringify(d.changed));
    assert.deepEqual(provider.paths, ["defaultTags.tags.owner"]);
    const untouched = diffStack(planOf(org, "prod"), planOf(changed, "prod"));
    assert.deepEqual([untouched.added, untouched.removed, untouched.changed], [[], [], []]);
  });

  it("writes per-stack files listing every resource with its placement, inputs and simulated outputs", async () => {
    const { report } = await runPlan({ stacksDir: STACKS_DIR, stacks: ["qa"] });
    assert.deepEqual(report.stacks.map((s) => s.plan.stack), ["qa"]);
    const file = stackFile(report.stacks[0]) as { resources: Record<string, unknown>[] };
    for (const r of file.resources) {
      for (const key of ["type", "name", "urn", "inputs", "outputs"]) assert.ok(key in r, `${String(r.urn)} lacks ${key}`);
    }
    const provider = file.resources.find((r) => r.type === "pulumi:providers:aws")!;
    assert.equal(provider.account, "555555555555");
    assert.equal(provider.region, "us-east-1");
  });
});
