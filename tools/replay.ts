/**
 * `npm run replay`: streams a trips CSV into a Firehose delivery stream, the way the seed fed the
 * bike-share pipeline, to backfill or test it. The CSV is split into records of whole rows (the
 * header in each, so the transform reads every record alone), sent with PutRecordBatch within
 * Firehose's limits, and only the records a batch reports as failed are sent again, with backoff.
 */
import * as fs from "node:fs";
import { parse } from "csv-parse";
import { type FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";

/** Firehose PutRecordBatch limits (Amazon Data Firehose API reference, PutRecordBatch). */
export const FIREHOSE_LIMITS = {
  /** Records per call. */
  batchRecords: 500,
  /** Bytes per call (4 MiB). */
  batchBytes: 4 * 1024 * 1024,
  /** Bytes per record before base64 (1,000 KiB). */
  recordBytes: 1000 * 1024,
} as const;

export class ReplayError extends Error {
  /**
   * `input`: the CSV or the options are at fault (exit 2); `delivery`: Firehose did not take every
   * record (exit 1). `resumeRow`: the first row not sent.
   */
  constructor(message: string, readonly kind: "input" | "delivery", readonly resumeRow?: number) {
    super(message);
  }
}

export interface CsvRecord {
  /** First and last data row in the record (1 = the first row after the header). */
  firstRow: number;
  lastRow: number;
  data: Buffer;
}

/**
 * Reads the CSV (csv-parse: quoted fields with commas and line breaks stay whole) and yields
 * records of up to `rowsPerRecord` data rows, each starting with the header, never over Firehose's
 * record limit. Rows before `fromRow` are skipped. A row that alone exceeds the limit is an error.
 */
export async function* csvRecords(file: string, opts: { rowsPerRecord: number; fromRow?: number; recordBytes?: number }): AsyncGenerator<CsvRecord> {
  const limit = opts.recordBytes ?? FIREHOSE_LIMITS.recordBytes;
  const fromRow = opts.fromRow ?? 1;
  const parser = fs.createReadStream(file).pipe(parse({ raw: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ["\r\n", "\n"] }));
  let header: string | undefined;
  let rows: string[] = [];
  let bytes = 0;
  let first = 0;
  let last = 0;
  let row = 0;
  const flush = (): CsvRecord => {
    const rec = { firstRow: first, lastRow: last, data: Buffer.from(`${header}\n${rows.join("\n")}\n`, "utf8") };
    rows = [];
    bytes = 0;
    return rec;
  };
  try {
    for await (const { raw } of parser as AsyncIterable<{ raw: string }>) {
      // Empty lines are skipped by the parser but stay in front of the next record's raw text.
      const line = raw.replace(/^[\r\n]+/, "").replace(/\r?\n$/, "").replace(/\r$/, "");
      if (header === undefined) {
        header = line;
        bytes = 0;
        continue;
      }
      row++;
      if (row < fromRow) continue;
      const size = Buffer.byteLength(line, "utf8") + 1;
      const headerSize = Buffer.byteLength(header, "utf8") + 1;
      if (headerSize + size > limit) throw new ReplayError(`${file}: row ${row} is ${size} bytes: with the header it exceeds Firehose's ${limit}-byte record limit`, "input", row);
      if (rows.length > 0 && (rows.length >= opts.rowsPerRecord || headerSize + bytes + size > limit)) {
        const rec = flush();
        yield rec;
      }
      if (rows.length === 0) first = row;
      rows.push(line);
      last = row;
      bytes += size;
    }
  } catch (e) {
    if (e instanceof ReplayError) throw e;
    throw new ReplayError(`${file}: not readable as CSV after row ${row}: ${(e as Error).message}`, "input", rows.length > 0 ? first : row + 1);
  }
  if (header === undefined) throw new ReplayError(`${file}: empty: expected a header row`, "input");
  if (rows.length > 0) yield flush();
}

/** Groups records into PutRecordBatch calls within the call limits. */
export async function* batches(records: AsyncIterable<CsvRecord>, limits = FIREHOSE_LIMITS): AsyncGenerator<CsvRecord[]> {
  let batch: CsvRecord[] = [];
  let bytes = 0;
  for await (const r of records) {
    if (batch.length > 0 && (batch.length >= limits.batchRecords || bytes + r.data.length > limits.batchBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(r);
    bytes += r.data.length;
  }
  if (batch.length > 0) yield batch;
}

export interface Progress {
  rows: number;
  records: number;
  bytes: number;
  /** Bytes of the file read so far and in all, for the ETA. */
  fileBytes: number;
  elapsedMs: number;
  retried: number;
}

export interface ReplayDeps {
  client: FirehoseClient;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Called after every batch. */
  onProgress?: (p: Progress) => void;
  /** Checked before each batch: true stops after the batch in flight. */
  stopRequested?: () => boolean;
}

export interface ReplayOptions {
  file: string;
  stream: string;
  rowsPerRecord: number;
  fromRow: number;
  /** Records per second at most. Defaults to as fast as Firehose takes them. */
  rate?: number;
  /** Tries per batch for failed records. Defaults to 8. */
  maxAttempts?: number;
  /** First backoff in ms, doubled each try (full jitter off: deterministic). Defaults to 200. */
  baseDelayMs?: number;
}

export interface ReplayResult {
  rows: number;
  records: number;
  batches: number;
  bytes: number;
  retried: number;
  elapsedMs: number;
  /** Set when a stop was requested: the first row not sent. */
  stoppedAt?: number;
}

/** Errors Firehose returns when it is only busy: the whole call is tried again. */
const RETRYABLE = new Set(["ServiceUnavailableException", "ThrottlingException", "InternalFailure", "ServiceFailure"]);

/** Sends one batch; retries only the records the answer marks as failed. */
async function sendBatch(batch: CsvRecord[], o: ReplayOptions, d: Required<Pick<ReplayDeps, "client" | "sleep">>): Promise<number> {
  let pending = batch;
  let retried = 0;
  const attempts = o.maxAttempts ?? 8;
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      retried += pending.length;
      await d.sleep((o.baseDelayMs ?? 200) * 2 ** (attempt - 2));
    }
    let failed: CsvRecord[];
    try {
      const out = await d.client.send(new PutRecordBatchCommand({ DeliveryStreamName: o.stream, Records: pending.map((r) => ({ Data: r.data })) }));
      const responses = out.RequestResponses ?? [];
      if (responses.length !== pending.length) throw new ReplayError(`Firehose answered ${responses.length} results for ${pending.length} records`, "delivery", pending[0].firstRow);
      failed = pending.filter((_, i) => responses[i].ErrorCode !== undefined && responses[i].ErrorCode !== null);
      const err = responses.find((r) => r.ErrorCode);
      if (err) lastError = `${err.ErrorCode}: ${err.ErrorMessage ?? ""}`.trim();
    } catch (e) {
      if (e instanceof ReplayError) throw e;
      const name = (e as Error).name;
      if (!RETRYABLE.has(name)) throw new ReplayError(`PutRecordBatch to ${o.stream} failed: ${name}: ${(e as Error).message}`, "delivery", pending[0].firstRow);
      lastError = `${name}: ${(e as Error).message}`;
      failed = pending;
    }
    if (failed.length === 0) return retried;
    pending = failed;
  }
  const rows = pending.map((r) => `${r.firstRow}-${r.lastRow}`).join(", ");
  throw new ReplayError(`${pending.length} record(s) still failing after ${attempts} tries (rows ${rows}); last error ${lastError}`, "delivery", pending[0].firstRow);
}

export async function replay(o: ReplayOptions, deps: ReplayDeps): Promise<ReplayResult> {
  if (!Number.isInteger(o.rowsPerRecord) || o.rowsPerRecord < 1) throw new ReplayError(`--rows-per-record must be a whole number of at least 1; got ${o.rowsPerRecord}`, "input");
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now ?? (() => Date.now());
  const start = now();
  const fileBytes = fs.statSync(o.file).size;
  const result: ReplayResult = { rows: 0, records: 0, batches: 0, bytes: 0, retried: 0, elapsedMs: 0 };
  let next = o.fromRow;
  try {
    for await (const batch of batches(csvRecords(o.file, { rowsPerRecord: o.rowsPerRecord, fromRow: o.fromRow }))) {
      if (deps.stopRequested?.()) {
        result.stoppedAt = next;
        break;
      }
      result.retried += await sendBatch(batch, o, { client: deps.client, sleep });
      result.batches++;
      result.records += batch.length;
      result.rows += batch.reduce((n, r) => n + (r.lastRow - r.firstRow + 1), 0);
      result.bytes += batch.reduce((n, r) => n + r.data.length, 0);
      next = batch[batch.length - 1].lastRow + 1;
      result.elapsedMs = now() - start;
      deps.onProgress?.({ rows: result.rows, records: result.records, bytes: result.bytes, fileBytes, elapsedMs: result.elapsedMs, retried: result.retried });
      if (o.rate !== undefined) {
        const due = (result.records / o.rate) * 1000 - (now() - start);
        if (due > 0) await sleep(due);
      }
    }
  } catch (e) {
    if (!(e instanceof ReplayError)) throw e;
    // A delivery failure resumes at its first failed record (records after it in the same batch
    // that Firehose took are sent again: at-least-once); a CSV error at the first row not sent.
    const resume = e.kind === "delivery" && e.resumeRow !== undefined ? e.resumeRow : next;
    const again = e.kind === "delivery" ? " (rows after it that Firehose already took are sent again)" : "";
    throw new ReplayError(`${e.message}; ${result.rows} rows sent in earlier batches; resume with --from-row ${resume}${again}`, e.kind, resume);
  }
  result.elapsedMs = now() - start;
  return result;
}

/** One progress line: rows, MB, records/s and, from the share of the file sent, the ETA. */
export function progressLine(p: Progress): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.records / secs : 0;
  const share = p.fileBytes > 0 ? Math.min(1, p.bytes / p.fileBytes) : 1;
  const eta = share > 0 && share < 1 && secs > 0 ? Math.round((secs / share) * (1 - share)) : 0;
  return `${p.rows} rows, ${(p.bytes / 1e6).toFixed(1)} MB, ${rate.toFixed(1)} records/s, ETA ${eta}s${p.retried > 0 ? `, ${p.retried} retried` : ""}`;
}
