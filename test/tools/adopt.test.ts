import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DescribePolicyCommand,
  ListOrganizationalUnitsForParentCommand,
  ListTargetsForPolicyCommand,
} from "@aws-sdk/client-organizations";
import { parse } from "yaml";
import { STACKS_DIR } from "../../stacks/config";
import { adoptionPlan, keyFromName, readOrganization, type CurrentConfig } from "../../tools/adopt";
import { HELP, UsageError, adopt, parseCli } from "../../tools/adopt-cli";
import { MANAGEMENT, ORG_ID, ROOT, exampleOrganization, fakeOrganizationsClient, ou } from "./fake-organization";
import { planCli } from "../helpers/plan-cli";

const ROOT_DIR = path.resolve(__dirname, "..", "..");
const tmpDirs: string[] = [];
after(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function copyStacks(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-adopt-"));
  tmpDirs.push(dir);
  for (const f of fs.readdirSync(STACKS_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(STACKS_DIR, f), path.join(dir, f));
  return dir;
}
const config = (dir: string, stack: string) => parse(fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")).config;

const EXAMPLE_CURRENT = (): CurrentConfig => {
  const c = config(STACKS_DIR, "management");
  return {
    organizationalUnits: c["ml-landing-zone:organizationalUnits"],
    accounts: c["ml-landing-zone:accounts"],
    stackAccounts: { cicd: "cicd", lakehouse: "lakehouse", ml: "ml", qa: "qa", prod: "prod" },
  };
};

describe("adopt: reading the organization", () => {
  it("walks every OU recursively and follows every NextToken", async () => {
    const { client, mock, requests } = fakeOrganizationsClient();
    const snap = await readOrganization(client);
    assert.equal(snap.id, ORG_ID);
    assert.equal(snap.managementAccountId, MANAGEMENT);
    assert.equal(snap.rootId, ROOT);
    assert.equal(snap.units.length, 9);
    assert.equal(snap.accounts.length, 30);
    assert.deepEqual(snap.units.find((u) => u.name === "Experiments"), { id: ou("exp"), name: "Experiments", parentId: ou("teama") });
    assert.equal(snap.accounts.find((a) => a.id === "777777777702")!.state, "SUSPENDED");
    assert.equal(snap.accounts.find((a) => a.id === "777777777701")!.joinedMethod, "INVITED");
    // Pagination: the root has 5 OUs (2 pages of 4), so a second call with the first NextToken.
    assert.deepEqual(requests.filter((r) => r.command === "ListOrganizationalUnitsForParent" && r.input.ParentId === ROOT).map((r) => r.input), [{ ParentId: ROOT }, { ParentId: ROOT, NextToken: "tok-4" }]);
    assert.equal(mock.commandCalls(ListOrganizationalUnitsForParentCommand).length, 11); // 10 parents, the root twice
    // Sandbox: 2 inactive + 7 sandbox accounts = 9, pages of 4 → three pages.
    assert.deepEqual(requests.filter((r) => r.command === "ListAccountsForParent" && r.input.ParentId === ou("sandbox")).map((r) => r.input.NextToken), [undefined, "tok-4", "tok-8"]);
    assert.deepEqual(snap.policies.map((p) => [p.id, p.targets]), [
      ["p-FullAWSAccess", [ROOT]],
      ["p-ct0guard1", [ou("sandbox"), ou("work")]],
      ["p-ct0guard2", [ou("infra")]],
      ["p-mlzbase01", [ROOT]],
      ["p-teamrcp01", ["888888888801", ou("teama")]],
    ]);
    // Contents are read only when asked for.
    assert.equal(mock.commandCalls(DescribePolicyCommand).length, 0);
    assert.equal(mock.commandCalls(ListTargetsForPolicyCommand).length, 5);
  });

  it("skips a policy type the organization has not enabled", async () => {
    const { client, mock } = fakeOrganizationsClient();
    const { ListRootsCommand, ListPoliciesCommand } = await import("@aws-sdk/client-organizations");
    mock.on(ListRootsCommand).resolves({ Roots: [{ Id: ROOT, PolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }] }] });
    const snap = await readOrganization(client);
    assert.deepEqual(mock.commandCalls(ListPoliciesCommand).map((c) => c.args[0].input.Filter), ["SERVICE_CONTROL_POLICY"]);
    assert.ok(snap.policies.every((p) => p.type === "SERVICE_CONTROL_POLICY"));
  });
});

describe("adopt: what the stack files get", () => {
  it("keys come from names", () => {
    assert.equal(keyFromName("NonProd"), "non-prod");
    assert.equal(keyFromName("Team A"), "team-a");
    assert.equal(keyFromName("example-sandbox-12"), "example-sandbox-12");
    assert.equal(keyFromName("123 Labs"), "x-123-labs");
  });

  it("keeps the file's keys, adds ids and new OUs/accounts, and says what it left out", async () => {
    const { client } = fakeOrganizationsClient();
    const plan = adoptionPlan(await readOrganization(client), EXAMPLE_CURRENT(), {});
    assert.equal(plan.organizationId, ORG_ID);
    assert.deepEqual(plan.organizationalUnits.nonprod, { name: "NonProd", parent: "workloads", id: ou("nonprod") });
    assert.deepEqual(plan.organizationalUnits["team-a"], { name: "Team A", parent: "sandbox", id: ou("teama") });
    assert.deepEqual(plan.organizationalUnits.experiments, { name: "Experiments", parent: "team-a", id: ou("exp") });
    assert.deepEqual(plan.accounts.qa, { name: "example-qa", email: "aws-qa@example.com", ou: "nonprod", id: "555555555555" });
    assert.deepEqual(plan.accounts["example-sandbox-7"], { name: "example-sandbox-7", email: "aws-sandbox-7@example.com", ou: "experiments", id: "888888888807" });
    assert.equal(Object.keys(plan.accounts).length, 26); // 30 less management, suspended, closed, root
    assert.ok(!Object.values(plan.accounts).some((a) => a.id === MANAGEMENT));
    assert.deepEqual(plan.notes.skippedAccounts, [
      { id: "777777777702", name: "example-old-project", state: "SUSPENDED" },
      { id: "777777777703", name: "example-closed", state: "CLOSED" },
    ]);
    assert.deepEqual(plan.notes.rootAccounts, [{ id: "777777777704", name: "example-billing-tools" }]);
    assert.deepEqual(plan.notes.invitedAccounts, [{ key: "example-legacy-shared", id: "777777777701", name: "example-legacy-shared" }]);
    assert.deepEqual(plan.notes.unmanagedPolicies.map((p) => p.name), ["aws-guardrails-AbCdEf", "aws-guardrails-GhIjKl", "team-a-data-perimeter"]);
    assert.deepEqual(plan.notes.unmappedStacks, []);
    assert.deepEqual(plan.notes.missingRequiredKeys, []);
    assert.deepEqual(plan.adoptedPolicies, {});
  });

  it("--map points a stack at an account by name or id; mistakes are named", async () => {
    const { client } = fakeOrganizationsClient();
    const snap = await readOrganization(client);
    const plan = adoptionPlan(snap, EXAMPLE_CURRENT(), { qa: "example-sandbox-3", prod: "666666666666" });
    assert.equal(plan.stackAccounts.qa, "example-sandbox-3");
    assert.equal(plan.stackAccounts.prod, "prod");
    assert.throws(() => adoptionPlan(snap, EXAMPLE_CURRENT(), { staging: "x" }), { message: "--map staging=x: no member stack 'staging' (stack files: cicd, lakehouse, ml, prod, qa)" });
    assert.throws(() => adoptionPlan(snap, EXAMPLE_CURRENT(), { qa: "nobody" }), { message: `--map qa=nobody: no active member account with that name or id in organization ${ORG_ID}` });
    assert.throws(() => adoptionPlan(snap, EXAMPLE_CURRENT(), { qa: "example-old-project" }), { message: "--map qa=example-old-project: account 777777777702 (example-old-project) is SUSPENDED" });
    assert.throws(() => adoptionPlan(snap, EXAMPLE_CURRENT(), { qa: MANAGEMENT }), { message: `--map qa=${MANAGEMENT}: that is the management account, not a member account` });
  });

  it("a fresh file (no ids, another key for an account) keeps its keys by name and lists stacks without an account", async () => {
    const { client } = fakeOrganizationsClient();
    const current = EXAMPLE_CURRENT();
    for (const a of Object.values(current.accounts)) delete a.id;
    current.stackAccounts.qa = undefined;
    const plan = adoptionPlan(await readOrganization(client), current, {});
    assert.equal(plan.accounts.ml.id, "444444444444");
    assert.deepEqual(plan.notes.unmappedStacks, ["qa"]);
  });

  it("--adopt-policies imports the team's SCPs and RCPs with their targets, not AWS's or the landing zone's own", async () => {
    const { client, mock } = fakeOrganizationsClient();
    const snap = await readOrganization(client, { policyContent: (p) => !p.awsManaged && !p.name.startsWith("mlz-") });
    assert.deepEqual(mock.commandCalls(DescribePolicyCommand).map((c) => c.args[0].input.PolicyId), ["p-ct0guard1", "p-ct0guard2", "p-teamrcp01"]);
    const plan = adoptionPlan(snap, EXAMPLE_CURRENT(), {}, { adoptPolicies: true });
    assert.deepEqual(Object.keys(plan.adoptedPolicies), ["aws-guardrails-ab-cd-ef", "aws-guardrails-gh-ij-kl", "team-a-data-perimeter"]);
    const rcp = plan.adoptedPolicies["team-a-data-perimeter"];
    assert.equal(rcp.type, "RESOURCE_CONTROL_POLICY");
    assert.deepEqual(rcp.targets, ["888888888801", ou("teama")]);
    assert.equal(rcp.content, exampleOrganization().policies[4].Content);
    assert.deepEqual(plan.notes.unmanagedPolicies, []);
  });
});

describe("adopt: the command", function () {
  this.timeout(240000);

  it("writes the management file (comments kept), passes the schema, and the plan imports everything", async () => {
    const dir = copyStacks();
    const before = fs.readFileSync(path.join(dir, "Pulumi.management.yaml"), "utf8");
    const { client } = fakeOrganizationsClient();
    const out = await adopt({ stacksDir: dir, maps: {}, adoptPolicies: true, dryRun: false, client: () => client });
    assert.match(out, new RegExp(`^wrote ${path.join(dir, "Pulumi.management.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n`));
    assert.match(out, /skipped: account 777777777702 \(example-old-project\) is SUSPENDED\n/);
    assert.match(out, /invited: account 'example-legacy-shared' 777777777701 .*bootstrapRoleName\n/);
    const text = fs.readFileSync(path.join(dir, "Pulumi.management.yaml"), "utf8");
    // Comments and the untouched lines survive.
    for (const line of before.split("\n").filter((l) => l.trim().startsWith("#"))) assert.ok(text.includes(line), line);
    const c = config(dir, "management");
    assert.equal(c["ml-landing-zone:organizationalUnits"].workloads.id, ou("work"));
    assert.equal(c["ml-landing-zone:accounts"]["example-sandbox-20"].id, "888888888820");
    assert.equal(c["ml-landing-zone:adoptedPolicies"]["team-a-data-perimeter"].id, "p-teamrcp01");
    // The other stack files were already right.
    for (const s of ["cicd", "lakehouse", "ml", "qa", "prod"]) assert.equal(fs.readFileSync(path.join(dir, `Pulumi.${s}.yaml`), "utf8"), fs.readFileSync(path.join(STACKS_DIR, `Pulumi.${s}.yaml`), "utf8"));
    // Running again changes nothing.
    const again = await adopt({ stacksDir: dir, maps: {}, adoptPolicies: true, dryRun: false, client: () => fakeOrganizationsClient().client });
    assert.match(again, /^no stack file changes: the files already import this organization\n/);

    const plan = await planCli(["--stacks-dir", dir, "--stack", "management", "--format", "json"]);
    assert.equal(plan.status, 0, plan.stderr + plan.stdout.slice(-3000));
    const report = JSON.parse(plan.stdout);
    const mgmt = report.stacks.find((s: { stack: string }) => s.stack === "management");
    const resources: Array<{ type: string; importId?: string; name: string }> = mgmt.resources;
    const of = (t: string) => resources.filter((r) => r.type === t);
    assert.ok(of("aws:organizations/organization:Organization").every((r) => r.importId === ORG_ID));
    assert.equal(of("aws:organizations/organizationalUnit:OrganizationalUnit").length, 9);
    assert.ok(of("aws:organizations/organizationalUnit:OrganizationalUnit").every((r) => typeof r.importId === "string" && r.importId.startsWith("ou-")), JSON.stringify(of("aws:organizations/organizationalUnit:OrganizationalUnit")));
    assert.equal(of("aws:organizations/account:Account").length, 26);
    assert.ok(of("aws:organizations/account:Account").every((r) => /^\d{12}$/.test(r.importId ?? "")));
    const adopted = resources.filter((r) => r.name.startsWith("adopted-team-a-data-perimeter"));
    assert.deepEqual(adopted.map((r) => [r.type, r.importId]).sort(), [
      ["aws:organizations/policy:Policy", "p-teamrcp01"],
      ["aws:organizations/policyAttachment:PolicyAttachment", "888888888801:p-teamrcp01"],
      ["aws:organizations/policyAttachment:PolicyAttachment", `${ou("teama")}:p-teamrcp01`],
      ["mlz:organization:AdoptedOrganizationPolicy", undefined],
    ]);
  });

  it("--dry-run prints the files and writes nothing; --map edits a member stack's account", async () => {
    const dir = copyStacks();
    const { client } = fakeOrganizationsClient();
    const out = await adopt({ stacksDir: dir, maps: { qa: "example-sandbox-3" }, adoptPolicies: false, dryRun: true, client: () => client });
    assert.ok(out.includes(`# ${path.join(dir, "Pulumi.qa.yaml")} (dry run: not written)\n`));
    assert.ok(out.includes("  ml-landing-zone:account: example-sandbox-3\n"));
    assert.match(out, new RegExp(`left alone: SCP p-ct0guard1 'aws-guardrails-AbCdEf' attached to ${ou("sandbox")}, ${ou("work")} \\(not managed by the landing zone; --adopt-policies imports it\\)`));
    for (const f of fs.readdirSync(dir)) assert.equal(fs.readFileSync(path.join(dir, f), "utf8"), fs.readFileSync(path.join(STACKS_DIR, f), "utf8"), f);
  });

  it("refuses to overwrite a stack file with uncommitted changes", async () => {
    const dir = copyStacks();
    const git = (...a: string[]) => spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...a], { cwd: dir, encoding: "utf8" });
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "stacks");
    fs.appendFileSync(path.join(dir, "Pulumi.management.yaml"), "# a local edit\n");
    const { client } = fakeOrganizationsClient();
    await assert.rejects(adopt({ stacksDir: dir, maps: {}, adoptPolicies: false, dryRun: false, client: () => client }), (e: Error) => e instanceof UsageError && e.message === `refusing to overwrite ${path.join(dir, "Pulumi.management.yaml")}: uncommitted changes; commit or stash them first`);
    assert.ok(fs.readFileSync(path.join(dir, "Pulumi.management.yaml"), "utf8").endsWith("# a local edit\n"));
  });

  it("arguments: --help, bad --map, empty --stacks-dir; a user error is one line and exit 2", () => {
    assert.deepEqual(parseCli(["--help"]), { help: true });
    assert.throws(() => parseCli(["--map", "qa"]), { message: "--map must be <stack>=<account name or id>; got 'qa'" });
    assert.throws(() => parseCli(["--map", "qa=a", "--map", "qa=b"]), { message: "--map: stack 'qa' given twice" });
    assert.throws(() => parseCli(["--stacks-dir", ""]), { message: "--stacks-dir needs a folder" });
    const r = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT_DIR, "tools", "adopt-cli.ts"), "--stacks-dir", "/nonexistent-mlz"], { cwd: ROOT_DIR, encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "adopt: --stacks-dir /nonexistent-mlz: no such folder\n");
    const h = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT_DIR, "tools", "adopt-cli.ts"), "--help"], { cwd: ROOT_DIR, encoding: "utf8" });
    assert.equal(h.stdout, HELP);
  });
});
