/**
 * Pure core of the bike-share Firehose transform. No AWS calls, no environment, no logging: the
 * handler (`index.ts`) adapts Firehose's event to `transformBatch` and logs its summary.
 *
 * Each Firehose record carries ONE CSV payload with its own header line (the exports differ by
 * month, so every record says which columns it has; columns are always handled by name). For each
 * record the transform:
 *
 * 1. decodes base64 → UTF-8 (strictly: invalid UTF-8 fails the record), detects the delimiter from
 *    the header line (`,` for the 2017–2019 exports, `;` for the later ones) and parses with
 *    csv-parse (quoted station names contain commas);
 * 2. drops the columns in `DROPPED_COLUMNS` (`rental_access_method`) by name;
 * 3. drops every row with a missing value in a kept column: an empty field or the `NULL` marker the
 *    exports use for trips without a station; it counts them;
 * 4. parses `start_time` and `end_time` (`YYYY-MM-DD HH:MM:SS[.fraction]`, local time without a
 *    zone: no time-zone conversion) and adds, from `start_time`:
 *    `day_of_week` (Monday = 0 … Sunday = 6, as pandas' `dayofweek`), `hour_of_day` (0–23),
 *    `trip_month` (1–12) and `part_of_day` (morning [5,12), afternoon [12,18), evening [18,21),
 *    night otherwise);
 * 5. writes a comma-delimited CSV with csv-stringify: a header line, then the rows, each line ending
 *    in `\n` (so records concatenate cleanly in the S3 object). Column order: the input columns in
 *    input order minus the dropped ones, then `ADDED_COLUMNS` in that order. The header is repeated
 *    in every output record (self-describing across months; the training-set preparation splits
 *    concatenated objects on these headers).
 *
 * Outcomes per record:
 * - `Ok`: at least one row survived.
 * - `Dropped`: nothing to deliver (empty payload, header only, or every row had a missing value);
 *   the rows are counted, nothing else is lost.
 * - `ProcessingFailed`: malformed (not base64, not UTF-8, CSV syntax error, wrong field count,
 *   missing `start_time`/`end_time` column, duplicate or already-derived column, invalid timestamp),
 *   or its output would push the response over the Lambda response limit. Firehose then writes the
 *   ORIGINAL record to the stream's error prefix (`processing-failed`), so it can be replayed. A
 *   malformed record fails alone; the others in the batch are unaffected.
 *
 * Response size: Lambda's synchronous response limit (which Firehose's transform invocation uses)
 * is 6 MB. The response is measured exactly (as JSON.stringify serializes it) and kept under
 * `maxResponseBytes` (default `DEFAULT_MAX_RESPONSE_BYTES`, 6,000,000 bytes, leaving ~290 KB of the
 * 6 MiB hard limit as margin). Every record first reserves the size of a `ProcessingFailed` entry
 * with empty data (so every recordId is always answered); `Ok` records are then admitted in input
 * order until the first one that does not fit; it and every later `Ok` record fail with reason
 * `response-size-limit` (Firehose writes them to the error prefix for replay).
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

/** Columns removed by name when present. */
export const DROPPED_COLUMNS: readonly string[] = ["rental_access_method"];
/** Columns appended, in this order, to every output row. */
export const ADDED_COLUMNS: readonly string[] = ["day_of_week", "hour_of_day", "trip_month", "part_of_day"];
/** Columns every input record must have. */
export const REQUIRED_COLUMNS: readonly string[] = ["start_time", "end_time"];
/** A field equal to one of these (after trimming spaces) is a missing value. */
export const MISSING_VALUE_MARKERS: readonly string[] = ["", "NULL"];
/** Lambda's synchronous invocation response limit, which bounds a Firehose transform's answer: 6 MB. */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
/** Default budget for the whole JSON response, below the 6 MB limit with margin. */
export const DEFAULT_MAX_RESPONSE_BYTES = 6_000_000;

export type PartOfDay = "morning" | "afternoon" | "evening" | "night";

/** A record that cannot be transformed; its message never holds a whole row. */
export class MalformedRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedRecordError";
  }
}

/** Calendar fields of a local timestamp (no zone). */
export interface LocalTimestamp {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?$/;

/** Parses `YYYY-MM-DD HH:MM:SS[.fraction]` as local wall-clock time; returns undefined when invalid. */
export function parseLocalTimestamp(value: string): LocalTimestamp | undefined {
  const m = TIMESTAMP.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Calendar check only (UTC arithmetic on the wall-clock fields; no zone conversion happens).
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day, hour, minute, second };
}

/** Monday = 0 … Sunday = 6 (pandas' `dayofweek`). */
export function dayOfWeek(t: LocalTimestamp): number {
  const sundayZero = new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay();
  return (sundayZero + 6) % 7;
}

/** morning [5,12), afternoon [12,18), evening [18,21), night otherwise. */
export function partOfDay(hour: number): PartOfDay {
  if (hour >= 5 && hour < 12) return "morning";
  if (hour >= 12 && hour < 18) return "afternoon";
  if (hour >= 18 && hour < 21) return "evening";
  return "night";
}

/** The delimiter of the header line: `;` when it has more semicolons than commas, else `,`. */
export function detectDelimiter(text: string): "," | ";" {
  const end = text.indexOf("\n");
  const header = end === -1 ? text : text.slice(0, end);
  let commas = 0;
  let semicolons = 0;
  for (let i = 0; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c === 44) commas++;
    else if (c === 59) semicolons++;
  }
  return semicolons > commas ? ";" : ",";
}

export interface TransformedCsv {
  /** Output CSV (header + rows), or undefined when no row survived. */
  csv: string | undefined;
  /** Output column names, in order. */
  columns: string[];
  /** Data rows read. */
  rowsIn: number;
  /** Data rows written. */
  rowsOut: number;
  /** Data rows dropped for a missing value. */
  rowsDroppedMissing: number;
}

/**
 * Transforms one CSV payload (header + rows). Throws `MalformedRecordError` when the payload is
 * malformed. An empty payload (only whitespace) gives `rowsIn = 0` and `columns = []`.
 */
export function transformCsv(text: string): TransformedCsv {
  if (text.trim() === "") return { csv: undefined, columns: [], rowsIn: 0, rowsOut: 0, rowsDroppedMissing: 0 };
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter: detectDelimiter(text),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as string[][];
  } catch (err) {
    const code = (err as { code?: string }).code;
    const line = (err as { lines?: number }).lines;
    const where = [code, line !== undefined ? `line ${line}` : undefined].filter((x) => x !== undefined).join(", ");
    throw new MalformedRecordError(`CSV does not parse${where ? ` (${where})` : ""}`);
  }
  if (rows.length === 0) return { csv: undefined, columns: [], rowsIn: 0, rowsOut: 0, rowsDroppedMissing: 0 };

  const header = rows[0].map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (h === "") throw new MalformedRecordError("header has an empty column name");
    if (seen.has(h)) throw new MalformedRecordError(`header names column '${h}' twice`);
    seen.add(h);
  }
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) throw new MalformedRecordError(`header has no '${required}' column`);
  }
  for (const added of ADDED_COLUMNS) {
    if (seen.has(added)) throw new MalformedRecordError(`header already has derived column '${added}' (record transformed twice?)`);
  }

  const kept: number[] = [];
  header.forEach((h, i) => {
    if (!DROPPED_COLUMNS.includes(h)) kept.push(i);
  });
  const columns = [...kept.map((i) => header[i]), ...ADDED_COLUMNS];
  const startIdx = header.indexOf("start_time");
  const endIdx = header.indexOf("end_time");

  const out: string[][] = [columns];
  let droppedMissing = 0;
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    let missing = false;
    for (const i of kept) {
      const v = row[i].trim();
      if (v === "" || v === "NULL") {
        missing = true;
        break;
      }
    }
    if (missing) {
      droppedMissing++;
      continue;
    }
    const start = parseLocalTimestamp(row[startIdx]);
    if (!start) throw new MalformedRecordError(`data row ${r}: start_time is not a 'YYYY-MM-DD HH:MM:SS[.fff]' timestamp`);
    if (!parseLocalTimestamp(row[endIdx])) {
      throw new MalformedRecordError(`data row ${r}: end_time is not a 'YYYY-MM-DD HH:MM:SS[.fff]' timestamp`);
    }
    const values = kept.map((i) => row[i]);
    values.push(String(dayOfWeek(start)), String(start.hour), String(start.month), partOfDay(start.hour));
    out.push(values);
  }
  const rowsIn = rows.length - 1;
  const rowsOut = out.length - 1;
  return {
    csv: rowsOut > 0 ? stringify(out, { record_delimiter: "\n" }) : undefined,
    columns,
    rowsIn,
    rowsOut,
    rowsDroppedMissing: droppedMissing,
  };
}

export interface InputRecord {
  recordId: string;
  /** Base64. */
  data: string;
}

export type RecordResult = "Ok" | "Dropped" | "ProcessingFailed";

export interface OutputRecord {
  recordId: string;
  result: RecordResult;
  /** Base64; empty for `Dropped` and `ProcessingFailed` (Firehose keeps the original of a failed record). */
  data: string;
}

export type DropReason = "empty" | "header-only" | "all-rows-missing-values";

/** What happened to one record (for logs and tests; never holds row data). */
export interface RecordReport {
  recordId: string;
  result: RecordResult;
  /** Why a record was dropped or failed (`response-size-limit` for overflow). */
  reason?: DropReason | string;
  rowsIn: number;
  rowsOut: number;
  rowsDroppedMissing: number;
}

export interface BatchSummary {
  records: number;
  ok: number;
  dropped: number;
  failed: number;
  /** Failed because of the response budget (subset of `failed`). */
  failedResponseSize: number;
  rowsIn: number;
  rowsOut: number;
  rowsDroppedMissing: number;
  /** Exact size of the JSON response. */
  responseBytes: number;
}

export interface BatchResult {
  /** One per input record, same order, every recordId answered. */
  records: OutputRecord[];
  reports: RecordReport[];
  summary: BatchSummary;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes a Firehose record's base64 data to text, or throws `MalformedRecordError`. */
export function decodeRecordData(data: string): string {
  if (typeof data !== "string" || data.length % 4 !== 0 || !BASE64.test(data)) throw new MalformedRecordError("data is not base64");
  try {
    return utf8.decode(Buffer.from(data, "base64"));
  } catch {
    throw new MalformedRecordError("data is not UTF-8 text");
  }
}

function entryBytes(recordId: string, result: RecordResult, data: string): number {
  return Buffer.byteLength(JSON.stringify({ recordId, result, data }));
}

/**
 * Transforms a Firehose batch. Every input recordId appears once in the output, in input order,
 * and the JSON response (`{"records":[…]}`) stays within `maxResponseBytes`.
 */
export function transformBatch(
  input: readonly InputRecord[],
  opts: { maxResponseBytes?: number } = {},
): BatchResult {
  const budget = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const outcomes: { report: RecordReport; data: string }[] = input.map((rec) => {
    const base = { recordId: rec.recordId, rowsIn: 0, rowsOut: 0, rowsDroppedMissing: 0 };
    try {
      const t = transformCsv(decodeRecordData(rec.data));
      const counts = { rowsIn: t.rowsIn, rowsOut: t.rowsOut, rowsDroppedMissing: t.rowsDroppedMissing };
      if (t.csv === undefined) {
        const reason: DropReason = t.columns.length === 0 ? "empty" : t.rowsIn === 0 ? "header-only" : "all-rows-missing-values";
        return { report: { ...base, ...counts, result: "Dropped", reason }, data: "" };
      }
      return { report: { ...base, ...counts, result: "Ok" }, data: Buffer.from(t.csv, "utf8").toString("base64") };
    } catch (err) {
      if (!(err instanceof MalformedRecordError)) throw err;
      return { report: { ...base, result: "ProcessingFailed", reason: err.message }, data: "" };
    }
  });

  // {"records":[ … ]} with entries separated by commas.
  let used = Buffer.byteLength('{"records":[]}') + Math.max(0, input.length - 1);
  for (const o of outcomes) used += entryBytes(o.report.recordId, "ProcessingFailed", "");
  for (const o of outcomes) {
    if (o.report.result === "Dropped") {
      used += entryBytes(o.report.recordId, "Dropped", "") - entryBytes(o.report.recordId, "ProcessingFailed", "");
    }
  }
  let full = false;
  for (const o of outcomes) {
    if (o.report.result !== "Ok") continue;
    const extra = entryBytes(o.report.recordId, "Ok", o.data) - entryBytes(o.report.recordId, "ProcessingFailed", "");
    if (!full && used + extra <= budget) {
      used += extra;
    } else {
      full = true;
      // The whole record goes to the error prefix: none of its rows is delivered or dropped here.
      o.report = { ...o.report, result: "ProcessingFailed", reason: "response-size-limit", rowsOut: 0, rowsDroppedMissing: 0 };
      o.data = "";
    }
  }

  const summary: BatchSummary = {
    records: input.length,
    ok: 0,
    dropped: 0,
    failed: 0,
    failedResponseSize: 0,
    rowsIn: 0,
    rowsOut: 0,
    rowsDroppedMissing: 0,
    responseBytes: used,
  };
  for (const { report } of outcomes) {
    if (report.result === "Ok") summary.ok++;
    else if (report.result === "Dropped") summary.dropped++;
    else summary.failed++;
    if (report.reason === "response-size-limit") summary.failedResponseSize++;
    summary.rowsIn += report.rowsIn;
    summary.rowsOut += report.rowsOut;
    summary.rowsDroppedMissing += report.rowsDroppedMissing;
  }
  return {
    records: outcomes.map((o) => ({ recordId: o.report.recordId, result: o.report.result, data: o.data })),
    reports: outcomes.map((o) => o.report),
    summary,
  };
}
