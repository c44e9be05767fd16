import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from "@aws-sdk/client-firehose";
import { mockClient } from "aws-sdk-client-mock";
import { parse } from "csv-parse/sync";
import { FIREHOSE_LIMITS, ReplayError, batches, csvRecords, progressLine, replay } from "../../tools/replay";
import { HELP, UsageError, parseCli, totalsLine } from "../../tools/replay-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const TRIPS = path.join(ROOT, "test", "fixtures", "bikeshare", "fordgobike-201902-rows-1-10000.csv");
const tmp: string[] = [];
after(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function csvFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-replay-"));
  tmp.push(dir);
  const f = path.join(dir, "trips.csv");
  fs.writeFileSync(f, text);
  return f;
}
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * A fake Firehose: remembers every record it accepted; `failFirst(call, i)` decides which records
 * of which call fail (the call number counts from 1).
 */
function fakeFirehose(failFirst: (call: number, index: number) => boolean = () => false) {
  const client = new FirehoseClient({ region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
  const mock = mockClient(client);
  const accepted: Buffer[] = [];
  const calls: PutRecordBatchCommandInput[] = [];
  mock.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
    calls.push(input);
    const responses = input.Records!.map((r, i) => {
      if (failFirst(calls.length, i)) return { ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down." };
      accepted.push(Buffer.from(r.Data as Uint8Array));
      return { RecordId: `rec-${calls.length}-${i}` };
    });
    return { FailedPutCount: responses.filter((r) => "ErrorCode" in r).length, Encrypted: false, RequestResponses: responses };
  });
  return { client, mock, accepted, calls };
}
const noSleep = { sleep: async () => undefined };

describe("replay: records of whole rows", () => {
  it("every record starts with the header; quoted commas and line breaks stay inside one row", async () => {
    const f = csvFile('id,name,note\n1,"Market St, at 4th","two\nlines"\n2,b,c\n\n3,d,e\r\n4,f,g\n');
    const recs = await all(csvRecords(f, { rowsPerRecord: 2 }));
    assert.deepEqual(recs.map((r) => [r.firstRow, r.lastRow, r.data.toString()]), [
      [1, 2, 'id,name,note\n1,"Market St, at 4th","two\nlines"\n2,b,c\n'],
      [3, 4, "id,name,note\n3,d,e\n4,f,g\n"],
    ]);
    assert.deepEqual((await all(csvRecords(f, { rowsPerRecord: 2, fromRow: 2 }))).map((r) => [r.firstRow, r.lastRow]), [[2, 3], [4, 4]]);
  });

  it("a record never exceeds the byte limit; a row that alone would is an error naming it", async () => {
    const f = csvFile(`h\n${"a".repeat(40)}\n${"b".repeat(40)}\n${"c".repeat(40)}\n`);
    const recs = await all(csvRecords(f, { rowsPerRecord: 500, recordBytes: 90 }));
    assert.deepEqual(recs.map((r) => [r.firstRow, r.lastRow, r.data.length]), [[1, 2, 84], [3, 3, 43]]);
    await assert.rejects(all(csvRecords(f, { rowsPerRecord: 500, recordBytes: 40 })), (e: ReplayError) => e.kind === "input" && e.message === `${f}: row 1 is 41 bytes: with the header it exceeds Firehose's 40-byte record limit`);
  });

  it("an unreadable CSV and an empty file are errors naming the file", async () => {
    const bad = csvFile('h\n1\n"open\n');
    await assert.rejects(all(csvRecords(bad, { rowsPerRecord: 1 })), (e: ReplayError) => e.kind === "input" && e.message.startsWith(`${bad}: not readable as CSV after row 1: Quote Not Closed`));
    await assert.rejects(all(csvRecords(csvFile(""), { rowsPerRecord: 1 })), /empty: expected a header row/);
  });

  it("batches stay within 500 records and 4 MiB", async () => {
    const rec = (n: number, size: number) => ({ firstRow: n, lastRow: n, data: Buffer.alloc(size) });
    async function* gen(n: number, size: number) {
      for (let i = 1; i <= n; i++) yield rec(i, size);
    }
    assert.deepEqual((await all(batches(gen(1001, 10)))).map((b) => b.length), [500, 500, 1]);
    const big = await all(batches(gen(10, 1000 * 1024)));
    assert.deepEqual(big.map((b) => b.length), [4, 4, 2]);
    assert.ok(big.every((b) => b.reduce((n, r) => n + r.data.length, 0) <= FIREHOSE_LIMITS.batchBytes));
  });
});

describe("replay: sending to Firehose", () => {
  it("sends the real 10,000-trip file: every data row arrives exactly once, header on each record", async () => {
    const fh = fakeFirehose();
    const r = await replay({ file: TRIPS, stream: "mlz-bikeshare", rowsPerRecord: 500, fromRow: 1 }, { client: fh.client, ...noSleep });
    assert.deepEqual([r.rows, r.records, r.batches, r.retried], [10000, 20, 1, 0]);
    assert.equal(fh.calls[0].DeliveryStreamName, "mlz-bikeshare");
    const header = fs.readFileSync(TRIPS, "utf8").split("\n")[0];
    const rows = fh.accepted.flatMap((b) => {
      const text = b.toString("utf8");
      assert.ok(text.startsWith(`${header}\n`));
      return parse(text, { columns: true }) as Array<Record<string, string>>;
    });
    assert.equal(rows.length, 10000);
    assert.deepEqual(rows.map((x) => x.start_time), (parse(fs.readFileSync(TRIPS), { columns: true }) as Array<Record<string, string>>).map((x) => x.start_time));
  });

  it("retries only the records a batch reports as failed, with growing backoff", async () => {
    // Call 1: records 1 and 3 fail; call 2 (their retry): record 0 (= the old record 3) fails again.
    const fh = fakeFirehose((call, i) => (call === 1 && (i === 1 || i === 3)) || (call === 2 && i === 1));
    const delays: number[] = [];
    const f = csvFile(`h\n${Array.from({ length: 10 }, (_, i) => `row${i + 1}`).join("\n")}\n`);
    const r = await replay({ file: f, stream: "s", rowsPerRecord: 2, fromRow: 1, baseDelayMs: 100 }, { client: fh.client, sleep: async (ms) => void delays.push(ms) });
    assert.deepEqual(fh.calls.map((c) => c.Records!.map((x) => Buffer.from(x.Data as Uint8Array).toString().split("\n")[1])), [
      ["row1", "row3", "row5", "row7", "row9"],
      ["row3", "row7"],
      ["row7"],
    ]);
    assert.deepEqual(delays, [100, 200]);
    assert.equal(r.retried, 3);
    assert.equal(fh.accepted.length, 5);
  });

  it("records still failing after the tries: an error naming the rows and where to resume", async () => {
    // Row 3 fails in the first call and in every retry; rows 1, 2 and 4 are taken at once.
    const fh = fakeFirehose((call, i) => (call === 1 ? i === 2 : true));
    const f = csvFile("h\n1\n2\n3\n4\n");
    await assert.rejects(replay({ file: f, stream: "s", rowsPerRecord: 1, fromRow: 1, maxAttempts: 3 }, { client: fh.client, ...noSleep }), (e: ReplayError) => {
      assert.equal(e.kind, "delivery");
      assert.equal(e.resumeRow, 3);
      assert.equal(e.message, "1 record(s) still failing after 3 tries (rows 3-3); last error ServiceUnavailableException: Slow down.; 0 rows sent in earlier batches; resume with --from-row 3 (rows after it that Firehose already took are sent again)");
      return true;
    });
  });

  it("a stream that does not exist fails at once, not after retries", async () => {
    const fh = fakeFirehose();
    const err = Object.assign(new Error("Firehose mlz-nope under account 1 not found."), { name: "ResourceNotFoundException" });
    fh.mock.on(PutRecordBatchCommand).rejects(err);
    await assert.rejects(replay({ file: csvFile("h\n1\n"), stream: "mlz-nope", rowsPerRecord: 1, fromRow: 1 }, { client: fh.client, ...noSleep }), {
      message: "PutRecordBatch to mlz-nope failed: ResourceNotFoundException: Firehose mlz-nope under account 1 not found.; 0 rows sent in earlier batches; resume with --from-row 1 (rows after it that Firehose already took are sent again)",
    });
    assert.equal(fh.mock.commandCalls(PutRecordBatchCommand).length, 1);
  });

  it("a stop request ends after the batch in flight and says where to resume; the rate is honoured", async () => {
    const fh = fakeFirehose();
    const f = csvFile(`h\n${Array.from({ length: 1200 }, (_, i) => `r${i + 1}`).join("\n")}\n`);
    let batchesSeen = 0;
    let clock = 0;
    const sleeps: number[] = [];
    const r = await replay({ file: f, stream: "s", rowsPerRecord: 1, fromRow: 1, rate: 1000 }, {
      client: fh.client,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      onProgress: () => batchesSeen++,
      stopRequested: () => batchesSeen >= 2,
    });
    assert.deepEqual([r.rows, r.batches, r.stoppedAt], [1000, 2, 1001]);
    assert.deepEqual(sleeps, [500, 500]);
  });

  it("progress and totals lines", () => {
    assert.equal(progressLine({ rows: 5000, records: 10, bytes: 1_500_000, fileBytes: 3_000_000, elapsedMs: 2000, retried: 0 }), "5000 rows, 1.5 MB, 5.0 records/s, ETA 2s");
    assert.equal(totalsLine({ rows: 10000, records: 20, batches: 1, bytes: 2_600_000, retried: 3, elapsedMs: 1234 }), "sent 10000 rows in 20 records (1 batches, 2.6 MB) in 1.2s; 3 record sends retried");
  });
});

describe("replay: the command", () => {
  it("end to end against a loopback Firehose (AWS_ENDPOINT_URL_FIREHOSE): Ctrl-C stops after the batch in flight", async function () {
    this.timeout(60000);
    const http = await import("node:http");
    const bodies: Array<{ target: string; stream: string; records: number }> = [];
    let child: import("node:child_process").ChildProcess | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        bodies.push({ target: String(req.headers["x-amz-target"]), stream: body.DeliveryStreamName, records: body.Records.length });
        // Ctrl-C arrives while the first batch is in flight.
        if (bodies.length === 1) child?.kill("SIGINT");
        setTimeout(() => {
          res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
          res.end(JSON.stringify({ FailedPutCount: 0, Encrypted: false, RequestResponses: body.Records.map((_: unknown, i: number) => ({ RecordId: `r${i}` })) }));
        }, 300);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as import("node:net").AddressInfo).port;
    try {
      const { spawn } = await import("node:child_process");
      child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "tools", "replay-cli.ts"), TRIPS, "--stream", "mlz-bikeshare", "--rows-per-record", "10"], {
        cwd: ROOT,
        env: { ...process.env, AWS_ENDPOINT_URL_FIREHOSE: `http://127.0.0.1:${port}`, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "t", AWS_SECRET_ACCESS_KEY: "t", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      });
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (c) => (stdout += c));
      child.stderr!.on("data", (c) => (stderr += c));
      const code = await new Promise<number | null>((r) => child!.on("close", r));
      assert.equal(code, 130, stderr);
      assert.deepEqual(bodies, [{ target: "Firehose_20150804.PutRecordBatch", stream: "mlz-bikeshare", records: 500 }]);
      assert.match(stdout, /^sent 5000 rows in 500 records \(1 batches, \d+\.\d MB\) in \d+\.\ds\nstopped by Ctrl-C: resume with --from-row 5001\n$/);
      assert.match(stderr, /stopping after the batch in flight/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("refuses bad arguments with one line naming them; exit 2", () => {
    assert.deepEqual(parseCli(["--help"]), { help: true });
    assert.throws(() => parseCli([TRIPS]), { message: "--stream <name> is required" });
    assert.throws(() => parseCli([]), { message: "expected one CSV file; got 0 (see --help)" });
    assert.throws(() => parseCli([TRIPS, "--stream", "s", "--rate", "0"]), { message: "--rate must be a number of records per second above 0; got '0'" });
    assert.throws(() => parseCli([TRIPS, "--stream", "s", "--rows-per-record", "1.5"]), { message: "--rows-per-record must be a whole number of at least 1; got '1.5'" });
    assert.throws(() => parseCli(["/nonexistent.csv", "--stream", "s"]), (e: Error) => e instanceof UsageError && e.message === "/nonexistent.csv: no such file");
    assert.throws(() => parseCli([TRIPS, "--stream", "bad name"]), /--stream must be a delivery stream name/);
    assert.deepEqual(parseCli([TRIPS, "--stream", "s", "--from-row", "501"]), { help: false, file: TRIPS, stream: "s", rate: undefined, rowsPerRecord: 500, fromRow: 501 });
    const r = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "tools", "replay-cli.ts"), TRIPS], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "replay: --stream <name> is required\n");
    assert.ok(HELP.includes("--from-row <n>"));
  });
});
