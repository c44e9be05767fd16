/**
 * `npm run replay -- <file.csv> --stream <name>`: streams a trips CSV into Firehose. See `--help`.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { FIREHOSE_LIMITS, ReplayError, progressLine, replay, type Progress, type ReplayOptions, type ReplayResult } from "./replay";

export const HELP = `Usage: npm run replay -- <file.csv> --stream <name> [--rate <records/s>] [--rows-per-record <n>] [--from-row <n>]

Splits a CSV into Firehose records of whole rows (the header at the top of each, quoted fields with
commas or line breaks kept whole) and sends them to the delivery stream with PutRecordBatch, within
Firehose's limits (${FIREHOSE_LIMITS.batchRecords} records and 4 MiB per call, 1,000 KiB per record). Only the
records a call reports as failed are sent again, with exponential backoff. Progress (rows, MB,
records/s, ETA) is shown on a terminal and printed as plain lines otherwise; it ends with totals.
Ctrl-C stops after the batch in flight and prints the --from-row to resume from.

Options:
  --stream <name>          Firehose delivery stream (required).
  --rate <records/s>       At most this many records per second. Default: as fast as accepted.
  --rows-per-record <n>    Data rows per record. Default: 500 (as the seed's producer).
  --from-row <n>           First data row to send (1 = the row after the header). Default: 1.
  -h, --help               Show this help.

Credentials and region come from the AWS SDK's usual settings (AWS_ENDPOINT_URL_FIREHOSE for
another endpoint). Exit status: 0 every row sent; 1 records still failing after retries; 2 bad
input; 130 stopped by Ctrl-C.
`;

export class UsageError extends Error {}

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a whole number of at least 1; got '${v}'`);
  return Number(v);
}

export function parseCli(argv: string[]): { help: true } | (ReplayOptions & { help: false }) {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        stream: { type: "string" },
        rate: { type: "string" },
        "rows-per-record": { type: "string" },
        "from-row": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  const v = args.values;
  if (v.help) return { help: true };
  if (args.positionals.length !== 1) throw new UsageError(`expected one CSV file; got ${args.positionals.length} (see --help)`);
  const file = args.positionals[0];
  if (!v.stream) throw new UsageError("--stream <name> is required");
  if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(v.stream)) throw new UsageError(`--stream must be a delivery stream name (1-64 of letters, digits, '_', '.', '-'); got '${v.stream}'`);
  let rate: number | undefined;
  if (v.rate !== undefined) {
    rate = Number(v.rate);
    if (v.rate.trim() === "" || !Number.isFinite(rate) || rate <= 0) throw new UsageError(`--rate must be a number of records per second above 0; got '${v.rate}'`);
  }
  try {
    if (!fs.statSync(file).isFile()) throw new UsageError(`${file}: not a file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  return {
    help: false,
    file,
    stream: v.stream,
    rate,
    rowsPerRecord: positiveInt("rows-per-record", v["rows-per-record"], 500),
    fromRow: positiveInt("from-row", v["from-row"], 1),
  };
}

export function totalsLine(r: ReplayResult): string {
  return `sent ${r.rows} rows in ${r.records} records (${r.batches} batches, ${(r.bytes / 1e6).toFixed(1)} MB) in ${(r.elapsedMs / 1000).toFixed(1)}s${r.retried > 0 ? `; ${r.retried} record sends retried` : ""}`;
}

if (require.main === module) {
  const main = async (): Promise<number> => {
    const o = parseCli(process.argv.slice(2));
    if (o.help) {
      process.stdout.write(HELP);
      return 0;
    }
    let stop = false;
    process.on("SIGINT", () => {
      if (stop) process.exit(130);
      stop = true;
      process.stderr.write("\nstopping after the batch in flight (Ctrl-C again to quit now)\n");
    });
    const tty = process.stderr.isTTY === true;
    let lastLine = 0;
    const onProgress = (p: Progress) => {
      if (tty) process.stderr.write(`\r${progressLine(p)}\x1b[K`);
      else if (p.elapsedMs - lastLine >= 5000) {
        lastLine = p.elapsedMs;
        process.stderr.write(`${progressLine(p)}\n`);
      }
    };
    const client = new FirehoseClient({});
    const r = await replay(o, { client, onProgress, stopRequested: () => stop });
    if (tty) process.stderr.write("\n");
    process.stdout.write(`${totalsLine(r)}\n`);
    if (r.stoppedAt !== undefined) {
      process.stdout.write(`stopped by Ctrl-C: resume with --from-row ${r.stoppedAt}\n`);
      return 130;
    }
    return 0;
  };
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`replay: ${(e as Error).message}\n`);
      process.exitCode = e instanceof ReplayError && e.kind === "delivery" ? 1 : 2;
    },
  );
}
