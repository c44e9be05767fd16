import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { run, runPublish, UsageError, HELP } from "../../tools/narration/cli";
import { planReport } from "../../functions/shared/narration";
import { readStackConfigFile, type WorkloadConfig } from "../../stacks/config";
import { tale } from "../helpers/narration";

const ROOT = path.resolve(__dirname, "..", "..");

describe("npm run narration -- plan", () => {
  let dir: string;
  const write = (name: string, value: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, typeof value === "string" ? value : JSON.stringify(value));
    return f;
  };
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-narration-cli-")); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints the manifest, what to synthesize and the billed characters with the stack's voices", () => {
    const v1 = tale("rotkaeppchen", { id: "rk" });
    const v2 = { ...v1, version: 2, paragraphs: [...v1.paragraphs, "Ein neuer Absatz & mehr."] };
    const out = JSON.parse(run(["plan", "--article", write("v2.json", v2), "--previous", write("v1.json", v1), "--stack", "prod"]));
    const voices = (readStackConfigFile("prod") as WorkloadConfig).narration!.voices;
    const expected = planReport(v2, v1, voices);
    assert.deepEqual(Object.keys(out), ["manifest", "fragments", "toSynthesize", "billedCharacters", "fullCharacters"]);
    assert.deepEqual(out.manifest, expected.manifest);
    assert.equal(out.fragments, v1.paragraphs.length + 2);
    assert.deepEqual(out.toSynthesize, [out.manifest[out.manifest.length - 1]]);
    assert.equal(out.billedCharacters, "Ein neuer Absatz & mehr.".length);
    const first = JSON.parse(run(["plan", "--article", write("v1b.json", v1)]));
    assert.equal(first.billedCharacters, first.fullCharacters);
    assert.equal(first.toSynthesize.length, first.fragments);
  });

  it("names the file and field of bad input", () => {
    const v1 = tale("redCap", { id: "rc", version: 3 });
    assert.throws(() => run(["plan", "--article", write("bad.json", "{nope")]), /bad\.json: \(json\): is not valid JSON/);
    const { teaser: _t, ...noTeaser } = v1;
    assert.throws(() => run(["plan", "--article", write("nt.json", noTeaser)]), /nt\.json: teaser: is required/);
    assert.throws(() => run(["plan", "--article", write("a.json", v1), "--previous", write("b.json", { ...v1, version: 3 })]), /a\.json: version: 3 is not newer than 3 in .*b\.json/);
    assert.throws(() => run(["plan", "--article", write("c.json", v1), "--previous", write("d.json", { ...v1, id: "other", version: 1 })]), /d\.json: id: is 'other', but .*c\.json is article 'rc'/);
    assert.throws(() => run(["plan", "--article", write("e.json", v1), "--stack", "ml"]), UsageError);
    assert.throws(() => run(["plan"]), /--article <file> is required/);
    assert.throws(() => run(["plan", "--bogus"]), /Unknown option '--bogus'/);
    assert.equal(run(["--help"]), HELP);
  });

  it("as a command: JSON on stdout; a user error is one line on stderr and exit 2", () => {
    const ok = spawnSync(process.execPath, ["--require", "tsx/cjs", "tools/narration/cli.ts", "plan", "--article", write("ok.json", tale("motherHolle"))], { cwd: ROOT, encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).fragments, tale("motherHolle").paragraphs.length + 1);
    const bad = spawnSync(process.execPath, ["--require", "tsx/cjs", "tools/narration/cli.ts", "plan", "--article", write("x.json", { ...tale("motherHolle"), version: 0 })], { cwd: ROOT, encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^narration: .*x\.json: version: expected a whole number ≥ 1\n$/);
    assert.equal(bad.stdout, "");
  });
});

describe("npm run narration -- publish", () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-narration-pub-")); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const TOPIC = "arn:aws:sns:eu-central-1:555555555555:narration-articles";

  it("publishes the validated article to the topic with the exact request", async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: "msg-1" });
    const article = tale("redCap", { id: "rc", version: 4, premium: true });
    const file = path.join(dir, "a.json");
    fs.writeFileSync(file, JSON.stringify(article));
    const regions: string[] = [];
    const out = await runPublish(["--article", file, "--topic", TOPIC], (region) => { regions.push(region); return new SNSClient({ region }); });
    assert.deepEqual(JSON.parse(out), { messageId: "msg-1" });
    assert.deepEqual(regions, ["eu-central-1"]);
    assert.deepEqual(sns.commandCalls(PublishCommand).map((c) => c.args[0].input), [{
      TopicArn: TOPIC,
      Message: JSON.stringify(article),
      MessageAttributes: { articleId: { DataType: "String", StringValue: "rc" }, version: { DataType: "Number", StringValue: "4" } },
    }]);
  });

  it("refuses a bad topic or article before calling SNS", async () => {
    const sns = mockClient(SNSClient);
    const file = path.join(dir, "bad.json");
    fs.writeFileSync(file, JSON.stringify({ id: "x" }));
    const client = (region: string) => new SNSClient({ region });
    await assert.rejects(runPublish(["--article", file, "--topic", "arn:aws:sqs:eu-central-1:555555555555:q"], client), /--topic must be an SNS topic ARN/);
    await assert.rejects(runPublish(["--article", file, "--topic", TOPIC], client), /bad\.json: version: is required/);
    await assert.rejects(runPublish(["--topic", TOPIC], client), /--article <file> is required/);
    assert.equal(sns.commandCalls(PublishCommand).length, 0);
  });
});
