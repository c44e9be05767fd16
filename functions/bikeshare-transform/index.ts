/**
 * Firehose data-transformation handler for Bay Wheels trip CSV (see `core.ts` for the rules).
 * Thin adapter: event → `transformBatch` → response, plus one structured JSON log line with the
 * batch counts and one per failed record (recordId and reason only, never record data).
 *
 * Environment (read once at cold start):
 * - `MAX_RESPONSE_BYTES` (optional): response budget in bytes; defaults to 6,000,000, must be at
 *   most 6 MiB (Lambda's synchronous response limit).
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import { optionalEnv } from "../shared/env";
import { log } from "../shared/log";
import { DEFAULT_MAX_RESPONSE_BYTES, LAMBDA_RESPONSE_LIMIT_BYTES, transformBatch } from "./core";

/** Parses `MAX_RESPONSE_BYTES`; throws naming the variable when it is not a whole number in range. */
export function maxResponseBytesFrom(env: NodeJS.ProcessEnv): number {
  const raw = optionalEnv("MAX_RESPONSE_BYTES", String(DEFAULT_MAX_RESPONSE_BYTES), env);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024 || n > LAMBDA_RESPONSE_LIMIT_BYTES) {
    throw new Error(`environment variable MAX_RESPONSE_BYTES must be a whole number of bytes from 1024 to ${LAMBDA_RESPONSE_LIMIT_BYTES}; got '${raw}'`);
  }
  return n;
}

const MAX_RESPONSE_BYTES = maxResponseBytesFrom(process.env);

export async function handler(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  const { records, reports, summary } = transformBatch(event.records, { maxResponseBytes: MAX_RESPONSE_BYTES });
  for (const r of reports) {
    if (r.result === "ProcessingFailed") {
      log("WARN", "record failed", { invocationId: event.invocationId, recordId: r.recordId, reason: r.reason });
    }
  }
  log("INFO", "batch transformed", { invocationId: event.invocationId, ...summary });
  return { records };
}
