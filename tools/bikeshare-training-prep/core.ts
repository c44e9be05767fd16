/**
 * Pure core of the bike-share training-set preparation: reads processed trips (the transform's
 * output, possibly many Firehose records concatenated in one S3 object), rebalances, shuffles with
 * a seed and splits into the Autopilot training CSV and the evaluation holdout.
 *
 * Rules (all deterministic for a given seed and input):
 * - Reading: every input text starts with a header line; a later line whose cells include all the
 *   transform's derived columns (`day_of_week`, `hour_of_day`, `trip_month`, `part_of_day`) is the
 *   header of the next concatenated record. Columns are matched by name; the result keeps the
 *   columns present in every segment, in the order of the first one (the others are reported in
 *   `droppedColumns`: exports differ by month).
 * - Refusals (exact messages, see `TrainingDataError`): no target column; no data rows; a target
 *   value other than `Yes`/`No`; one class only.
 * - Rebalancing: keep `min(No, ⌊Yes × ratio⌋)` `No` rows (ratio 2.1 by default), computed in integer
 *   arithmetic as ⌊Yes × round(ratio × 1000) / 1000⌋ (so 10 × 2.1 is exactly 21, 3 × 2.1 gives 6).
 *   Which `No` rows are kept is chosen by a seeded shuffle; every `Yes` row is kept. No upsampling.
 * - Shuffle: Fisher–Yates driven by mulberry32(seed); first over the `No` rows (choosing the kept
 *   ones), then, continuing the same stream, over the kept rows (`Yes` rows in input order followed
 *   by the kept `No` rows in their chosen order).
 * - Split: holdout = round-half-up(n × holdoutFraction) rows (0.05 by default), at least 1; they are
 *   the LAST rows of the shuffled set; the first n − holdout are the training rows.
 * - Output: two comma-delimited CSVs with the same header line (`\n` line endings). Autopilot reads
 *   the training CSV with `text/csv;header=present`; the evaluation removes the target column from
 *   the holdout by name.
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { ADDED_COLUMNS } from "../../functions/bikeshare-transform/core";

export const TARGET_COLUMN = "bike_share_for_all_trip";
export const POSITIVE_LABEL = "Yes";
export const NEGATIVE_LABEL = "No";
export const DEFAULT_NEGATIVE_RATIO = 2.1;
export const DEFAULT_HOLDOUT_FRACTION = 0.05;

/** Input the preparation refuses; the message says what is wrong. */
export class TrainingDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrainingDataError";
  }
}

import { mulberry32 } from "../random";

export { mulberry32 };

/** In-place Fisher–Yates shuffle driven by `random`; returns the array. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** Number of `No` rows kept for `yes` `Yes` rows: min(no, ⌊yes × ratio⌋) in integer arithmetic. */
export function negativesToKeep(yes: number, no: number, ratio: number = DEFAULT_NEGATIVE_RATIO): number {
  if (!(ratio > 0) || !Number.isFinite(ratio)) throw new TrainingDataError(`[ratio] must be a positive number; got ${ratio}`);
  const milli = Math.round(ratio * 1000);
  return Math.min(no, Math.floor((yes * milli) / 1000));
}

/** round-half-up(n × fraction) in integer arithmetic, at least 1. */
export function holdoutSize(n: number, fraction: number = DEFAULT_HOLDOUT_FRACTION): number {
  if (!(fraction > 0 && fraction < 1)) throw new TrainingDataError(`[holdoutFraction] must be between 0 and 1 (exclusive); got ${fraction}`);
  const tenThousandths = Math.round(fraction * 10_000);
  return Math.max(1, Math.floor((n * tenThousandths + 5_000) / 10_000));
}

export interface Table {
  columns: string[];
  rows: string[][];
  /** Columns present in some inputs but not all (left out). */
  droppedColumns: string[];
}

function isHeader(row: string[]): boolean {
  return ADDED_COLUMNS.every((c) => row.includes(c));
}

/** Reads processed-trip CSV texts (see the module comment) into one table. */
export function readTrips(texts: readonly string[]): Table {
  const segments: { columns: string[]; rows: string[][] }[] = [];
  for (const text of texts) {
    if (text.trim() === "") continue;
    const delimiter = firstLine(text).split(";").length > firstLine(text).split(",").length ? ";" : ",";
    const rows = parse(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
    let current: { columns: string[]; rows: string[][] } | undefined;
    for (const row of rows) {
      if (!current || isHeader(row)) {
        current = { columns: row.map((c) => c.trim()), rows: [] };
        segments.push(current);
        continue;
      }
      if (row.length !== current.columns.length) {
        throw new TrainingDataError(`a data row has ${row.length} fields where its header has ${current.columns.length}`);
      }
      current.rows.push(row);
    }
  }
  if (segments.length === 0) return { columns: [], rows: [], droppedColumns: [] };
  const columns = segments[0].columns.filter((c) => segments.every((s) => s.columns.includes(c)));
  const all = new Set(segments.flatMap((s) => s.columns));
  const droppedColumns = [...all].filter((c) => !columns.includes(c));
  const rows: string[][] = [];
  for (const s of segments) {
    const idx = columns.map((c) => s.columns.indexOf(c));
    for (const r of s.rows) rows.push(idx.map((i) => r[i]));
  }
  return { columns, rows, droppedColumns };
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end === -1 ? text : text.slice(0, end);
}

export interface PrepareOptions {
  /** PRNG seed (an integer). */
  seed: number;
  /** `No` rows kept per `Yes` row. Defaults to 2.1. */
  ratio?: number;
  /** Fraction of the rebalanced rows held out for evaluation. Defaults to 0.05. */
  holdoutFraction?: number;
}

export interface PreparedSets {
  /** Training CSV with header. */
  training: string;
  /** Holdout CSV with header (same columns). */
  holdout: string;
  stats: {
    rowsIn: number;
    yes: number;
    no: number;
    noKept: number;
    trainingRows: number;
    holdoutRows: number;
    trainingYes: number;
    holdoutYes: number;
    columns: string[];
    droppedColumns: string[];
    seed: number;
  };
}

/** Rebalances, shuffles and splits (see the module comment). Throws `TrainingDataError`. */
export function prepareTrainingSet(table: Table, opts: PrepareOptions): PreparedSets {
  if (!Number.isInteger(opts.seed)) throw new TrainingDataError(`[seed] must be an integer; got ${opts.seed}`);
  const target = table.columns.indexOf(TARGET_COLUMN);
  if (target === -1) {
    throw new TrainingDataError(`training data has no '${TARGET_COLUMN}' column (columns: ${table.columns.join(", ") || "none"})`);
  }
  if (table.rows.length === 0) throw new TrainingDataError("training data has no data rows");
  const yesRows: string[][] = [];
  const noRows: string[][] = [];
  table.rows.forEach((row, i) => {
    const label = row[target].trim();
    if (label === POSITIVE_LABEL) yesRows.push(row);
    else if (label === NEGATIVE_LABEL) noRows.push(row);
    else throw new TrainingDataError(`'${TARGET_COLUMN}' must be '${POSITIVE_LABEL}' or '${NEGATIVE_LABEL}'; got '${row[target]}' in data row ${i + 1}`);
  });
  if (yesRows.length === 0 || noRows.length === 0) {
    const only = yesRows.length === 0 ? NEGATIVE_LABEL : POSITIVE_LABEL;
    throw new TrainingDataError(
      `training data holds one class only: all ${table.rows.length} rows have '${TARGET_COLUMN}' = '${only}'; both '${POSITIVE_LABEL}' and '${NEGATIVE_LABEL}' are needed`,
    );
  }

  const random = mulberry32(opts.seed);
  const noKept = negativesToKeep(yesRows.length, noRows.length, opts.ratio ?? DEFAULT_NEGATIVE_RATIO);
  const chosenNo = shuffleInPlace([...noRows], random).slice(0, noKept);
  const rows = shuffleInPlace([...yesRows, ...chosenNo], random);
  const h = holdoutSize(rows.length, opts.holdoutFraction ?? DEFAULT_HOLDOUT_FRACTION);
  const trainingRows = rows.slice(0, rows.length - h);
  const holdoutRows = rows.slice(rows.length - h);
  const countYes = (rs: string[][]) => rs.filter((r) => r[target].trim() === POSITIVE_LABEL).length;
  const csv = (rs: string[][]) => stringify([table.columns, ...rs], { record_delimiter: "\n" });
  return {
    training: csv(trainingRows),
    holdout: csv(holdoutRows),
    stats: {
      rowsIn: table.rows.length,
      yes: yesRows.length,
      no: noRows.length,
      noKept,
      trainingRows: trainingRows.length,
      holdoutRows: holdoutRows.length,
      trainingYes: countYes(trainingRows),
      holdoutYes: countYes(holdoutRows),
      columns: table.columns,
      droppedColumns: table.droppedColumns,
      seed: opts.seed,
    },
  };
}
