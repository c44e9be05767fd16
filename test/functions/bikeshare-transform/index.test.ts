import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleFunction } from "../../../components/lambda/bundle";
import type { FirehoseTransformationEvent } from "aws-lambda";
import { handler, maxResponseBytesFrom } from "../../../functions/bikeshare-transform/index";

const FEB_2019 = fs.readFileSync(path.resolve(__dirname, "..", "..", "fixtures", "bikeshare", "fordgobike-201902-sample.csv"), "utf8");
const b64 = (s: string) => Buffer.from(s).toString("base64");

function event(records: { recordId: string; data: string }[]): FirehoseTransformationEvent {
  return {
    invocationId: "inv-1",
    deliveryStreamArn: "arn:aws:firehose:us-east-1:444444444444:deliverystream/bikeshare-trips",
    region: "us-east-1",
    records: records.map((r) => ({ ...r, approximateArrivalTimestamp: 1_700_000_000_000 })),
  };
}

async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const { info, warn } = console;
  console.info = (msg: string) => lines.push(msg);
  console.warn = (msg: string) => lines.push(msg);
  try {
    return { result: await fn(), lines };
  } finally {
    console.info = info;
    console.warn = warn;
  }
}

describe("bikeshare-transform handler", () => {
  it("answers Firehose with one result per record and logs counts, never row data", async () => {
    const lines = FEB_2019.trimEnd().split("\n");
    const { result, lines: logs } = await captureLogs(() => handler(event([
      { recordId: "a", data: b64(FEB_2019) },
      { recordId: "b", data: b64(`${lines[0]}\n"unterminated\n`) },
      { recordId: "c", data: "" },
    ])));
    assert.deepEqual(result.records.map((r) => [r.recordId, r.result]), [["a", "Ok"], ["b", "ProcessingFailed"], ["c", "Dropped"]]);
    assert.equal(logs.length, 2);
    const [failed, summary] = logs.map((l) => JSON.parse(l));
    assert.deepEqual(failed, { level: "WARN", message: "record failed", invocationId: "inv-1", recordId: "b", reason: failed.reason });
    assert.match(failed.reason, /^CSV does not parse/);
    assert.deepEqual(summary, {
      level: "INFO", message: "batch transformed", invocationId: "inv-1",
      records: 3, ok: 1, dropped: 1, failed: 1, failedResponseSize: 0,
      rowsIn: 41, rowsOut: 37, rowsDroppedMissing: 4,
      responseBytes: Buffer.byteLength(JSON.stringify(result)),
    });
    for (const l of logs) assert.doesNotMatch(l, /Montgomery|Customer|2019-02-28/);
  });

  it("runs from the esbuild bundle that NodeFunction deploys", async () => {
    const bundle = bundleFunction("bikeshare-transform");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bikeshare-bundle-")), "index.js");
    fs.writeFileSync(file, bundle.code);
    const { handler: bundled } = require(file) as { handler: typeof handler };
    const { result } = await captureLogs(() => bundled(event([{ recordId: "a", data: b64(FEB_2019) }])));
    const direct = await captureLogs(() => handler(event([{ recordId: "a", data: b64(FEB_2019) }])));
    assert.deepEqual(result, direct.result);
    assert.ok(bundle.bytes < 1_000_000, `bundle is ${bundle.bytes} bytes`);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it("reads MAX_RESPONSE_BYTES once and refuses values out of range, naming the variable", () => {
    assert.equal(maxResponseBytesFrom({}), 6_000_000);
    assert.equal(maxResponseBytesFrom({ MAX_RESPONSE_BYTES: "5000000" }), 5_000_000);
    assert.throws(() => maxResponseBytesFrom({ MAX_RESPONSE_BYTES: "7000000" }), {
      message: "environment variable MAX_RESPONSE_BYTES must be a whole number of bytes from 1024 to 6291456; got '7000000'",
    });
    assert.throws(() => maxResponseBytesFrom({ MAX_RESPONSE_BYTES: "lots" }), { message: /MAX_RESPONSE_BYTES .* got 'lots'$/ });
  });
});
