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
 *    papaparse's core parser, the whole record at once (quoted station names contain commas);
 * 2. drops the columns in `DROPPED_COLUMNS` (`rental_access_method`) by name;
 * 3. drops every row with a missing value in a kept column: an empty field or the `NULL` marker the
 *    exports use for trips without a station, and every row cut short (fewer fields than the
 *    header, e.g. the last row of a record a producer split mid-line), as pandas' `dropna()` does;
 *    it counts them;
 * 4. parses `start_time` and `end_time` (`YYYY-MM-DD HH:MM:SS[.fraction]`, local time without a
 *    zone: no time-zone conversion; fixed-format, read character by character, no `Date` per row)
 *    and adds, from `start_time`:
 *    `day_of_week` (Monday = 0 … Sunday = 6, as pandas' `dayofweek`), `hour_of_day` (0–23),
 *    `trip_month` (1–12) and `part_of_day` (morning [5,12), afternoon [12,18), evening [18,21),
 *    night otherwise);
 * 5. writes a comma-delimited CSV, built once as one string (fields quoted where they hold a comma,
 *    a quote or a line break, as csv-stringify would): a header line, then the rows, each line ending
 *    in `\n` (so records concatenate cleanly in the S3 object). Column order: the input columns in
 *    input order minus the dropped ones, then `ADDED_COLUMNS` in that order. The header is repeated
 *    in every output record (self-describing across months; the training-set preparation splits
 *    concatenated objects on these headers).
 *
 * Outcomes per record:
 * - `Ok`: at least one row survived.
 * - `Dropped`: nothing to deliver (empty payload, header only, or every row had a missing value);
 *   the rows are counted, nothing else is lost.
 * - `ProcessingFailed`: malformed (not base64, not UTF-8, CSV syntax error, more fields than the header,
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
import { isUtf8 } from "node:buffer";
import Papa from "papaparse";

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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Two ASCII digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The fields of the timestamp `scanTimestamp` read last. The transform reads two timestamps per
 * row: the scan leaves its fields here instead of allocating an object each time.
 */
const scanned: LocalTimestamp = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };

/**
 * Reads `YYYY-MM-DD HH:MM:SS[.fraction]` (or `T` between date and time) as local wall-clock time
 * into `scanned`; false when invalid. One pass over the characters, no `Date` and no regular
 * expression. Surrounding spaces are allowed.
 */
function scanTimestamp(value: string): boolean {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 32) start++;
  while (end > start && value.charCodeAt(end - 1) <= 32) end--;
  const n = end - start;
  if (n < 19 || (n > 19 && (value.charCodeAt(start + 19) !== 46 || n === 20 || n > 29))) return false;
  const s = start;
  if (value.charCodeAt(s + 4) !== 45 || value.charCodeAt(s + 7) !== 45 || value.charCodeAt(s + 13) !== 58 || value.charCodeAt(s + 16) !== 58) return false;
  const sep = value.charCodeAt(s + 10);
  if (sep !== 32 && sep !== 84) return false;
  const hi = two(value, s);
  const lo = two(value, s + 2);
  const month = two(value, s + 5);
  const day = two(value, s + 8);
  const hour = two(value, s + 11);
  const minute = two(value, s + 14);
  const second = two(value, s + 17);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  for (let i = s + 20; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const year = hi * 100 + lo;
  const maxDay = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > maxDay) return false;
  scanned.year = year;
  scanned.month = month;
  scanned.day = day;
  scanned.hour = hour;
  scanned.minute = minute;
  scanned.second = second;
  return true;
}

/**
 * Parses `YYYY-MM-DD HH:MM:SS[.fraction]` (or `T` between date and time) as local wall-clock time;
 * returns undefined when invalid. Surrounding spaces are allowed.
 */
export function parseLocalTimestamp(value: string): LocalTimestamp | undefined {
  return scanTimestamp(value) ? { ...scanned } : undefined;
}

/** Monday = 0 … Sunday = 6 (pandas' `dayofweek`), from the calendar date alone (Sakamoto). */
export function dayOfWeek(t: LocalTimestamp): number {
  const offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
  const y = t.month < 3 ? t.year - 1 : t.year;
  const sundayZero = (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + offsets[t.month - 1] + t.day) % 7;
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
  // Whitespace only (a test that stops at the first other character, no copy of the payload).
  if (!/\S/.test(text)) return { csv: undefined, columns: [], rowsIn: 0, rowsOut: 0, rowsDroppedMissing: 0 };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstBreak = body.indexOf("\n");
  // papaparse: the fastest of csv-parse, papaparse, uDSV, d3-dsv and csv-simple-parser on these
  // exports that still reports quoting errors (uDSV and d3-dsv silently mangle an unclosed quote,
  // csv-simple-parser skips text after a closing quote). Its core `Papa.Parser` reads the whole
  // record at once (a record is at most 1,000 KiB): the `Papa.parse` wrapper and a per-row `step`
  // callback add a filter and result objects per row that cost about a fifth of the transform.
  // Field counts, empty lines and the errors of each row are checked here, row by row in order.
  let header: string[] | undefined;
  let kept: number[] = [];
  let columns: string[] = [];
  let width = 0;
  let startIdx = -1;
  let endIdx = -1;
  let out = "";
  let rowsIn = 0;
  let rowsOut = 0;
  let droppedMissing = 0;
  const onHeader = (fields: string[]) => {
    const names = fields.map((h) => h.trim());
    const seen = new Set<string>();
    for (const h of names) {
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
    header = names;
    kept = [];
    names.forEach((h, i) => {
      if (!DROPPED_COLUMNS.includes(h)) kept.push(i);
    });
    columns = [...kept.map((i) => names[i]), ...ADDED_COLUMNS];
    width = names.length;
    startIdx = names.indexOf("start_time");
    endIdx = names.indexOf("end_time");
    // The output is built once, as one string: each kept field written as it is, or quoted when
    // it holds the delimiter, a quote or a line break (as csv-stringify writes it).
    out = columns.map(csvField).join(",") + "\n";
  };
  const onRow = (row: string[]) => {
    const r = ++rowsIn;
    if (row.length > width) throw new MalformedRecordError(`CSV does not parse (TooManyFields, data row ${r}: ${row.length} fields, the header has ${width})`);
    // A row cut short (e.g. the last row of a record a producer split mid-line) lacks values: it
    // is dropped and counted like a row with a missing value, as pandas' dropna() does.
    if (row.length < width) {
      droppedMissing++;
      return;
    }
    for (let k = 0; k < kept.length; k++) {
      if (isMissing(row[kept[k]])) {
        droppedMissing++;
        return;
      }
    }
    if (!scanTimestamp(row[startIdx])) throw new MalformedRecordError(`data row ${r}: start_time is not a 'YYYY-MM-DD HH:MM:SS[.fff]' timestamp`);
    // Taken from start_time's fields before the end_time scan overwrites them.
    const added = ADDED_FIELDS[(dayOfWeek(scanned) * 24 + scanned.hour) * 12 + scanned.month - 1];
    if (!scanTimestamp(row[endIdx])) throw new MalformedRecordError(`data row ${r}: end_time is not a 'YYYY-MM-DD HH:MM:SS[.fff]' timestamp`);
    out += csvFields(row, kept, width) + added;
    rowsOut++;
  };
  const { data: rows, errors } = new Papa.Parser({
    delimiter: detectDelimiter(body),
    newline: firstBreak > 0 && body.charCodeAt(firstBreak - 1) === 13 ? "\r\n" : "\n",
  }).parse(body, 0, false) as { data: string[][]; errors: Papa.ParseError[] };
  // The errors come in row order, each naming the row it was found in.
  let nextError = 0;
  for (let i = 0; i < rows.length; i++) {
    const fields = rows[i];
    while (nextError < errors.length && errors[nextError].row! < i) nextError++;
    let rowHasErrors = false;
    let syntax: Papa.ParseError | undefined;
    for (let e = nextError; e < errors.length && errors[e].row === i; e++) {
      rowHasErrors = true;
      if (!syntax && (errors[e].type === "Quotes" || errors[e].type === "Delimiter")) syntax = errors[e];
    }
    // An empty line (as papaparse's `skipEmptyLines`): skipped, not a row.
    if (!rowHasErrors && fields.length === 1 && fields[0] === "") continue;
    // A quoted field left open at the very end is the last row of a record split mid-line
    // (papaparse reports MissingQuotes only at the end of the input): a row cut short, unless
    // the open quote swallowed line breaks, i.e. whole rows.
    if (syntax?.code === "MissingQuotes" && header !== undefined && !fields[fields.length - 1]?.includes("\n")) {
      rowsIn++;
      droppedMissing++;
      continue;
    }
    if (syntax) throw new MalformedRecordError(`CSV does not parse (${syntax.code}, ${header ? `data row ${rowsIn + 1}` : "header"})`);
    if (header === undefined) onHeader(fields);
    else onRow(fields);
  }
  return { csv: rowsOut > 0 ? out : undefined, columns, rowsIn, rowsOut, rowsDroppedMissing: droppedMissing };
}

const MAX_MARKER_LENGTH = Math.max(...MISSING_VALUE_MARKERS.map((m) => m.length));
/**
 * A field equal to a missing-value marker once surrounding spaces are trimmed. A field without
 * surrounding spaces that is longer than every marker (nearly all of them) is answered by its
 * length alone.
 */
function isMissing(v: string): boolean {
  const n = v.length;
  if (n === 0) return true;
  if (v.charCodeAt(0) > 32 && v.charCodeAt(n - 1) > 32) return n <= MAX_MARKER_LENGTH && MISSING_VALUE_MARKERS.includes(v);
  return MISSING_VALUE_MARKERS.includes(v.trim());
}

/**
 * The values of `ADDED_COLUMNS`, each after a comma, with the line break that ends the row, for every day of week,
 * hour and month (7 × 24 × 12 lines, indexed `(dayOfWeek * 24 + hour) * 12 + month - 1`): the rows
 * append one instead of formatting three numbers and a part of day each.
 */
const ADDED_FIELDS: readonly string[] = Array.from({ length: 7 * 24 * 12 }, (_, i) => {
  const month = (i % 12) + 1;
  const hour = Math.floor(i / 12) % 24;
  return `,${Math.floor(i / (24 * 12))},${hour},${month},${partOfDay(hour)}\n`;
});

/**
 * The kept fields of a row joined by commas, quoted where needed. Most rows keep every column and
 * need no quoting: the row is joined natively (or field by field when a column is dropped) and the
 * line checked once with native `indexOf` (no quote or line break, and exactly one comma between
 * fields, i.e. none inside a field); only a row that fails the check is rebuilt field by field.
 */
function csvFields(row: readonly string[], kept: readonly number[], width: number): string {
  let line = "";
  if (kept.length === width) line = row.join(",");
  else for (let k = 0; k < kept.length; k++) line += k === 0 ? row[kept[k]] : "," + row[kept[k]];
  if (line.indexOf('"') === -1 && line.indexOf("\n") === -1 && line.indexOf("\r") === -1) {
    const separators = kept.length - 1;
    let at = -1;
    let commas = 0;
    while ((at = line.indexOf(",", at + 1)) !== -1 && commas <= separators) commas++;
    if (commas === separators) return line;
  }
  return kept.map((i) => csvField(row[i])).join(",");
}

const QUOTE = /"/g;
/** One CSV field: as it is, or quoted with inner quotes doubled (one pass over its characters). */
function csvField(v: string): string {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    // '"' 34, ',' 44, '\r' 13, '\n' 10
    if (c === 34 || c === 44 || c === 13 || c === 10) return `"${v.replace(QUOTE, '""')}"`;
  }
  return v;
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

/**
 * Decodes a Firehose record's base64 data to text, or throws `MalformedRecordError`. Strict without
 * a regular expression over the whole payload: Node's decoder skips characters outside the base64
 * alphabet, so a payload holding one decodes to fewer bytes than its length promises; the UTF-8
 * check is Node's native `isUtf8`.
 */
export function decodeRecordData(data: string): string {
  if (typeof data !== "string" || data.length % 4 !== 0) throw new MalformedRecordError("data is not base64");
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  const bytes = Buffer.from(data, "base64");
  if (bytes.length !== (data.length / 4) * 3 - padding) throw new MalformedRecordError("data is not base64");
  if (!isUtf8(bytes)) throw new MalformedRecordError("data is not UTF-8 text");
  return bytes.toString("utf8");
}

/** Size of one response entry as JSON.stringify writes it (base64 data needs no escaping). */
function entryBytes(recordId: string, result: RecordResult, data: string): number {
  return Buffer.byteLength(JSON.stringify({ recordId, result, data: "" })) + data.length;
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
