/**
 * Pure core of the bike-share endpoint evaluation: holdout parsing (the target column is removed
 * BY NAME), request batching, prediction parsing and binary-classification metrics.
 *
 * Metric conventions (positive class `Yes`): precision = TP / (TP + FP), recall = TP / (TP + FN),
 * F1 = 2·TP / (2·TP + FP + FN), accuracy = (TP + TN) / n; a ratio whose denominator is 0 is 0
 * (e.g. a model that never predicts `Yes` has precision 0 and F1 0).
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

export const TARGET_COLUMN = "bike_share_for_all_trip";
export const POSITIVE_LABEL = "Yes";
export const NEGATIVE_LABEL = "No";
/** Rows per InvokeEndpoint request by default. */
export const DEFAULT_BATCH_ROWS = 100;
/** Request body budget: InvokeEndpoint accepts at most 6 MB; stay well below. */
export const DEFAULT_BATCH_BYTES = 5_000_000;

export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvaluationError";
  }
}

export interface ConfusionMatrix {
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
  trueNegative: number;
}

export interface Metrics {
  rows: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusionMatrix: ConfusionMatrix;
}

const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

/** Metrics of `predicted` against `actual` (both `Yes`/`No`, same length). */
export function binaryMetrics(actual: readonly string[], predicted: readonly string[]): Metrics {
  if (actual.length !== predicted.length) {
    throw new EvaluationError(`got ${predicted.length} predictions for ${actual.length} rows`);
  }
  const m: ConfusionMatrix = { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };
  actual.forEach((a, i) => {
    const p = predicted[i];
    for (const [what, v] of [["label", a], ["prediction", p]] as const) {
      if (v !== POSITIVE_LABEL && v !== NEGATIVE_LABEL) {
        throw new EvaluationError(`${what} of row ${i + 1} must be '${POSITIVE_LABEL}' or '${NEGATIVE_LABEL}'; got '${v}'`);
      }
    }
    if (a === POSITIVE_LABEL) {
      if (p === POSITIVE_LABEL) m.truePositive++;
      else m.falseNegative++;
    } else if (p === POSITIVE_LABEL) m.falsePositive++;
    else m.trueNegative++;
  });
  const n = actual.length;
  return {
    rows: n,
    accuracy: ratio(m.truePositive + m.trueNegative, n),
    precision: ratio(m.truePositive, m.truePositive + m.falsePositive),
    recall: ratio(m.truePositive, m.truePositive + m.falseNegative),
    f1: ratio(2 * m.truePositive, 2 * m.truePositive + m.falsePositive + m.falseNegative),
    confusionMatrix: m,
  };
}

export interface Holdout {
  /** Feature columns, in holdout order, without the target. */
  featureColumns: string[];
  /** Feature values per row (target removed by name). */
  features: string[][];
  /** True labels per row. */
  labels: string[];
}

/** Parses a holdout CSV with header and removes the target column by name. */
export function splitHoldout(csv: string, target: string = TARGET_COLUMN): Holdout {
  const rows = parse(csv, { bom: true, skip_empty_lines: true }) as string[][];
  if (rows.length === 0) throw new EvaluationError("holdout is empty (no header)");
  const header = rows[0].map((h) => h.trim());
  const t = header.indexOf(target);
  if (t === -1) throw new EvaluationError(`holdout has no '${target}' column (columns: ${header.join(", ")})`);
  if (rows.length === 1) throw new EvaluationError("holdout has no data rows");
  const data = rows.slice(1);
  return {
    featureColumns: header.filter((_, i) => i !== t),
    features: data.map((r) => r.filter((_, i) => i !== t)),
    labels: data.map((r) => r[t].trim()),
  };
}

/**
 * Splits feature rows into request bodies: CSV without header, at most `maxRows` rows and
 * `maxBytes` bytes each (a single row larger than `maxBytes` is refused).
 */
export function batchBodies(features: readonly string[][], maxRows = DEFAULT_BATCH_ROWS, maxBytes = DEFAULT_BATCH_BYTES): { body: string; rows: number }[] {
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new EvaluationError(`[maxRows] must be a whole number ≥ 1; got ${maxRows}`);
  const batches: { body: string; rows: number }[] = [];
  let lines: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (lines.length > 0) batches.push({ body: lines.join(""), rows: lines.length });
    lines = [];
    bytes = 0;
  };
  features.forEach((row, i) => {
    const line = stringify([row], { record_delimiter: "\n" });
    const size = Buffer.byteLength(line);
    if (size > maxBytes) throw new EvaluationError(`holdout row ${i + 1} is ${size} bytes, more than a request may hold (${maxBytes})`);
    if (lines.length >= maxRows || bytes + size > maxBytes) flush();
    lines.push(line);
    bytes += size;
  });
  flush();
  return batches;
}

/**
 * Parses an endpoint's text/csv answer: one line per row, the predicted label in the first field
 * (Autopilot's inverse-label-transform container may add probability columns after it).
 */
export function parsePredictions(body: string, expectedRows: number): string[] {
  const rows = parse(body, { skip_empty_lines: true, relax_column_count: true }) as string[][];
  if (rows.length !== expectedRows) {
    throw new EvaluationError(`endpoint answered ${rows.length} predictions for ${expectedRows} rows`);
  }
  return rows.map((r) => r[0].trim());
}
