/**
 * The comparator of the offline plan and a real `pulumi preview --json`. The preview documents in
 * test/fixtures/preview/ are written in the shape of Pulumi's PreviewDigest (see the README there).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  PULUMI_UNKNOWN,
  compareStack,
  parseOfflineStack,
  parsePreview,
  renderMarkdown,
  buildReport,
  simulatedTokens,
  summaryLine,
  type OfflineStack,
  type PreviewDigest,
} from "../../delivery/compare-preview";
import { HELP, run } from "../../delivery/compare-preview-cli";
import { planCli } from "../helpers/plan-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const FIX = path.join(ROOT, "test", "fixtures", "preview");
const PLAN_DIR = path.join(FIX, "offline");
const read = (f: string) => fs.readFileSync(f, "utf8");
const offlineQa = parseOfflineStack(read(path.join(PLAN_DIR, "qa.json")), "qa.json");
const offlineMgmt = parseOfflineStack(read(path.join(PLAN_DIR, "management.json")), "management.json");
const tokens = simulatedTokens([...offlineQa.resources, ...offlineMgmt.resources]);
const preview = (name: string) => parsePreview(read(path.join(FIX, `${name}.json`)), `${name}.json`, "qa");
const compare = (name: string) => compareStack(offlineQa, preview(name), tokens);

const ROLE = "urn:pulumi:qa::ml-landing-zone::mlz:models:ModelConsumer$aws:iam/role:Role::model-consumer-bikeshare-classifier-app-role";
const PERMS = "urn:pulumi:qa::ml-landing-zone::mlz:models:ModelConsumer$aws:iam/rolePolicy:RolePolicy::model-consumer-bikeshare-classifier-app-permissions";
const SUBNET = "urn:pulumi:qa::ml-landing-zone::mlz:network:PrivateNetwork$aws:ec2/subnet:Subnet::model-network-subnet-us-east-1a";
const VPCE_SSM = "urn:pulumi:qa::ml-landing-zone::mlz:network:PrivateNetwork$aws:ec2/vpcEndpoint:VpcEndpoint::model-network-vpce-ssm";
const N = offlineQa.resources.length;

describe("compare-preview: offline plan against a real pulumi preview", () => {
  it("a clean stack (every resource listed as same) agrees, ids and defaults discounted", () => {
    const c = compare("clean");
    assert.equal(c.agrees, true);
    assert.deepEqual([c.offline, c.real, c.both], [N, N, N]);
    assert.deepEqual([c.onlyReal, c.onlyOffline, c.differingInputs, c.operations], [[], [], [], []]);
    // The real ids (vpc-…, subnet-…, the organization id, autonamed role suffixes) differ from the simulated ones.
    assert.ok(c.simulatedIdentifiers > 0);
    assert.equal(c.skipped.secret, 1);
    assert.equal(c.skipped.asset, 1);
    assert.ok(c.skipped.providerDefault > 0);
  });

  it("an added resource is a create the offline plan also declares", () => {
    const c = compare("added");
    assert.equal(c.agrees, true);
    assert.deepEqual(c.operations, [{ op: "create", urn: "urn:pulumi:qa::ml-landing-zone::mlz:models:ModelConsumer$aws:ssm/parameter:Parameter::model-consumer-bikeshare-classifier-endpoint-parameter" }]);
  });

  it("a replacement is reported with its reasons", () => {
    const c = compare("replace");
    assert.equal(c.agrees, true);
    assert.deepEqual(c.operations, [{ op: "replace", urn: SUBNET, reasons: ["availabilityZone"] }]);
  });

  it("a resource only the offline plan knows makes them differ", () => {
    const c = compare("offline-only");
    assert.equal(c.agrees, false);
    assert.deepEqual(c.onlyOffline, [{ urn: VPCE_SSM, type: "aws:ec2/vpcEndpoint:VpcEndpoint" }]);
    assert.equal(c.both, N - 1);
  });

  it("a resource only the real preview has (a default provider) makes them differ", () => {
    const c = compare("real-only");
    assert.equal(c.agrees, false);
    assert.deepEqual(c.onlyReal, [{ urn: "urn:pulumi:qa::ml-landing-zone::pulumi:providers:aws::default_7_48_0", type: "pulumi:providers:aws", op: "create" }]);
  });

  it("a changed input is named by path, inside JSON documents too", () => {
    const c = compare("changed-input");
    assert.equal(c.agrees, false);
    assert.deepEqual(
      c.differingInputs.map((d) => [d.urn, d.path]),
      [
        [ROLE, "description"],
        [PERMS, "policy.Statement[0].Resource"],
      ],
    );
    assert.equal(c.differingInputs[0].offline, "Application role for model bikeshare-classifier in qa");
    assert.equal(c.differingInputs[0].real, "Application role for bikeshare-classifier");
    assert.deepEqual(c.operations, [{ op: "update", urn: ROLE, reasons: ["description"] }]);
  });

  it("values unknown to the real preview are not compared", () => {
    const c = compare("unknown");
    assert.equal(c.agrees, true);
    assert.ok(c.skipped.unknown > 0);
    assert.equal(c.operations.length, N);
    assert.ok(c.operations.every((o) => o.op === "create"));
  });

  it("a preview without --show-sames: unchanged resources are reported as not listed, not as differences", () => {
    const c = compare("no-sames");
    assert.equal(c.agrees, true);
    assert.equal(c.both, 1);
    assert.equal(c.unlisted.length, N - 1);
    assert.deepEqual(c.onlyOffline, []);
    assert.match(summaryLine(buildReport([c], ["qa"])), /; 36 not listed by the preview \(run it with --show-sames\)$/);
  });

  it("more offline-only resources than the preview counts as unchanged are all reported", () => {
    const p = preview("no-sames");
    const c = compareStack(offlineQa, { ...p, changeSummary: { same: 3 } }, tokens);
    assert.equal(c.agrees, false);
    assert.equal(c.onlyOffline.length, N - 1);
    assert.deepEqual(c.unlisted, []);
  });

  it("a delete of a resource the program no longer declares is an operation, not a real-only resource", () => {
    const c = compare("delete");
    assert.equal(c.agrees, true);
    assert.deepEqual(c.operations, [{ op: "delete", urn: "urn:pulumi:qa::ml-landing-zone::mlz:models:ModelConsumer$aws:ssm/parameter:Parameter::model-consumer-old-model-parameter" }]);
    assert.equal(c.real, N);
  });
});

describe("compare-preview: what is and is not discounted", () => {
  const base: OfflineStack = {
    stack: "qa",
    resources: [
      { urn: "urn:pulumi:qa::p::aws:ec2/vpc:Vpc::vpc", type: "aws:ec2/vpc:Vpc", id: "vpc-0123456789abcdef0", inputs: { cidrBlock: "10.0.0.0/16" }, outputs: { arn: "arn:aws:ec2:us-east-1:555555555555:vpc/vpc-0123456789abcdef0" } },
      { urn: "urn:pulumi:qa::p::aws:ec2/subnet:Subnet::a", type: "aws:ec2/subnet:Subnet", id: "subnet-0aaaaaaaaaaaaaaa1", inputs: { vpcId: "vpc-0123456789abcdef0", cidrBlock: "10.0.0.0/18" } },
    ],
  };
  const real = (inputs: Record<string, unknown>, extra: Record<string, unknown> = {}): PreviewDigest => ({
    steps: [
      { op: "same", urn: base.resources[0].urn, newState: { urn: base.resources[0].urn, type: "aws:ec2/vpc:Vpc", inputs: { cidrBlock: "10.0.0.0/16", ...extra } } },
      { op: "same", urn: base.resources[1].urn, newState: { urn: base.resources[1].urn, type: "aws:ec2/subnet:Subnet", inputs } },
    ],
    changeSummary: { same: 2 },
    errors: [],
  });

  it("the simulated tokens are ids and computed outputs, not the resource's own inputs", () => {
    const t = simulatedTokens(base.resources);
    assert.deepEqual(t, ["arn:aws:ec2:us-east-1:555555555555:vpc/vpc-0123456789abcdef0", "subnet-0aaaaaaaaaaaaaaa1", "vpc-0123456789abcdef0"]);
    assert.ok(!t.includes("10.0.0.0/16"));
  });

  it("a reference to another resource's real id is discounted", () => {
    const c = compareStack(base, real({ vpcId: "vpc-0fffffffffffffff1", cidrBlock: "10.0.0.0/18" }));
    assert.equal(c.agrees, true);
    assert.equal(c.simulatedIdentifiers, 1);
  });

  it("a difference outside the simulated id is still reported", () => {
    const c = compareStack(base, real({ vpcId: "vpc-0fffffffffffffff1", cidrBlock: "10.0.64.0/18" }));
    assert.deepEqual(c.differingInputs, [{ urn: base.resources[1].urn, path: "cidrBlock", offline: "10.0.0.0/18", real: "10.0.64.0/18" }]);
  });

  it("a property only the real side sets is a difference unless the provider lists it as a default", () => {
    assert.deepEqual(compareStack(base, real({ vpcId: PULUMI_UNKNOWN, cidrBlock: "10.0.0.0/18", mapPublicIpOnLaunch: true })).differingInputs.map((d) => d.path), ["mapPublicIpOnLaunch"]);
    const c = compareStack(base, real({ vpcId: PULUMI_UNKNOWN, cidrBlock: "10.0.0.0/18", mapPublicIpOnLaunch: false, __defaults: ["mapPublicIpOnLaunch"] }));
    assert.equal(c.agrees, true);
    assert.equal(c.skipped.providerDefault, 1);
    assert.equal(c.skipped.unknown, 1);
  });

  it("a property the offline plan sets and the real preview lacks is a difference", () => {
    const c = compareStack(base, real({ vpcId: "vpc-0fffffffffffffff1" }));
    assert.deepEqual(c.differingInputs, [{ urn: base.resources[1].urn, path: "cidrBlock", offline: "10.0.0.0/18", real: undefined }]);
  });

  it("markdown: one line when they agree, the differences collapsed when not", () => {
    const ok = renderMarkdown(buildReport([compareStack(base, real({ vpcId: "vpc-0fffffffffffffff1", cidrBlock: "10.0.0.0/18" }))], ["qa", "prod"]));
    assert.equal(ok, "✅ offline plan agrees with the real preview: 2/2 resources, 0 differing inputs (qa)\n");
    const bad = renderMarkdown(buildReport([compareStack(base, real({ vpcId: "vpc-0fffffffffffffff1", cidrBlock: "10.`1" }))], ["qa", "prod"]));
    assert.match(bad, /^⚠️ offline plan differs from the real preview: 2\/2 resources in both, 0 only in the real preview, 0 only offline, 1 differing inputs \(qa\)\n\n<details>/);
    assert.ok(bad.includes('`` "10.`1" ``'), bad);
    assert.ok(bad.includes("Not compared (no real preview): prod"));
  });
});

describe("compare-preview: bad input", () => {
  const bad = (text: string) => () => parsePreview(text, "p.json", "qa");
  it("names the file and the field", () => {
    assert.throws(bad("{"), /^Error: p\.json: not JSON \(/);
    assert.throws(bad("[]"), { message: "p.json: expected the JSON object 'pulumi preview --json' writes" });
    assert.throws(bad("{}"), { message: "p.json: steps is missing: expected the output of 'pulumi preview --json'" });
    assert.throws(bad('{"steps":{}}'), { message: "p.json: steps must be an array" });
    assert.throws(bad('{"steps":[{"urn":"urn:pulumi:qa::p::t::n","newState":{"urn":"u","type":"t"}}]}'), { message: "p.json: steps[0].op must be a non-empty string" });
    assert.throws(bad('{"steps":[{"op":"same","urn":"urn:pulumi:prod::p::t::n","newState":{"urn":"u","type":"t"}}]}'), { message: "p.json: steps[0].urn belongs to stack 'prod', not 'qa'" });
    assert.throws(bad('{"steps":[{"op":"same","urn":"x"}]}'), { message: "p.json: steps[0].urn is not a Pulumi URN: 'x'" });
    assert.throws(bad('{"steps":[{"op":"same","urn":"urn:pulumi:qa::p::t::n"}]}'), { message: "p.json: steps[0] has neither newState nor oldState" });
    assert.throws(bad('{"steps":[{"op":"same","urn":"urn:pulumi:qa::p::t::n","newState":{"urn":"u","type":"t","inputs":[]}}]}'), { message: "p.json: steps[0].newState.inputs must be an object" });
    assert.throws(bad('{"steps":[],"changeSummary":{"same":-1}}'), { message: "p.json: changeSummary must map operations to counts" });
  });

  it("the CLI refuses missing and wrong arguments, naming them", () => {
    const err = (argv: string[]) => {
      try {
        run(argv);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    assert.equal(err([]), "--plan <dir> is required: the folder written by 'npm run plan -- --out <dir>'");
    assert.equal(err(["--plan", PLAN_DIR]), "at least one --preview <stack>=<file> is required");
    assert.equal(err(["--plan", PLAN_DIR, "--preview", "qa"]), "--preview must be <stack>=<file>; got 'qa'");
    assert.equal(err(["--plan", "/nonexistent-mlz", "--preview", "qa=x.json"]), "--plan /nonexistent-mlz: no such folder");
    assert.equal(err(["--plan", PLAN_DIR, "--preview", "prod=x.json"]), `--preview prod=x.json: the offline plan in ${PLAN_DIR} has no stack 'prod' (${path.join(PLAN_DIR, "prod.json")} is missing)`);
    assert.equal(err(["--plan", PLAN_DIR, "--preview", "qa=/nonexistent-mlz.json"]), "/nonexistent-mlz.json: no such file");
    assert.equal(err(["--plan", PLAN_DIR, "--preview", "qa=a", "--preview", "qa=b"]), "--preview: stack 'qa' given twice");
    assert.equal(err(["--plan", PLAN_DIR, "--preview", "qa=a", "--format", "yaml"]), "--format must be text, json or markdown; got 'yaml'");
    assert.match(err(["--bogus"]), /^Unknown option '--bogus'.* \(see --help\)$/);
    assert.equal(run(["--help"]).stdout, HELP);
  });

  it("the CLI reads the plan folder and discounts ids other stacks simulated (the organization id)", () => {
    const r = run(["--plan", PLAN_DIR, "--preview", `qa=${path.join(FIX, "clean.json")}`, "--format", "json"]);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.agrees, true);
    assert.deepEqual(doc.notCompared, ["management"]);
    assert.equal(doc.summary, `offline plan agrees with the real preview: ${N}/${N} resources, 0 differing inputs (qa)`);
    // Without the management stack's tokens, the organization id in the endpoint policies differs.
    const alone = compareStack(offlineQa, preview("clean"), simulatedTokens(offlineQa.resources));
    assert.ok(alone.differingInputs.length > 0);
    assert.ok(alone.differingInputs.every((d) => d.path.includes("aws:PrincipalOrgID") || d.path.includes("aws:ResourceOrgID")), JSON.stringify(alone.differingInputs));
  });
});

describe("compare-preview: the command", function () {
  this.timeout(180000);
  const tmp: string[] = [];
  after(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("exit codes and streams as a subprocess: 1 on a difference, 2 with one line on bad input", () => {
    const cli = (args: string[]) => spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "delivery", "compare-preview-cli.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
    const differ = cli(["--plan", PLAN_DIR, "--preview", `qa=${path.join(FIX, "changed-input.json")}`]);
    assert.equal(differ.status, 1);
    assert.match(differ.stdout, /\noffline plan differs from the real preview: 37\/37 resources in both, 0 only in the real preview, 0 only offline, 2 differing inputs \(qa\)\n$/);
    assert.equal(differ.stderr, "");
    const broken = cli(["--plan", PLAN_DIR, "--preview", `qa=${path.join(FIX, "offline", "qa.json")}`]);
    assert.equal(broken.status, 2);
    assert.equal(broken.stdout, "");
    assert.equal(broken.stderr.trim().split("\n").length, 1);
    assert.match(broken.stderr, /^compare-preview: .*offline\/qa\.json: steps is missing: expected the output of 'pulumi preview --json'\n$/);
  });

  it("agrees with a preview that echoes the real plan --out files (the format the plan writes today)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-compare-"));
    tmp.push(dir);
    const out = path.join(dir, "plan");
    // The plan command in process (its real-process behaviour is tested in test/plan/cli.test.ts).
    const r = await planCli(["--out", out, "--format", "json"]);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const args = ["--plan", out];
    for (const f of fs.readdirSync(out)) {
      const stack = f.replace(/\.json$/, "");
      const plan = parseOfflineStack(read(path.join(out, f)), f);
      const steps = plan.resources.map((res) => ({ op: "same", urn: res.urn, newState: { urn: res.urn, type: res.type, custom: true, inputs: res.inputs } }));
      const file = path.join(dir, `${stack}.preview.json`);
      fs.writeFileSync(file, JSON.stringify({ steps, changeSummary: { same: steps.length } }));
      args.push("--preview", `${stack}=${file}`);
    }
    const res = run(args);
    assert.equal(res.code, 0, res.stdout);
    assert.match(res.stdout, /\noffline plan agrees with the real preview: (\d+)\/\1 resources, 0 differing inputs \(/);
  });
});
