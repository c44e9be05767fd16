/**
 * Lambda adapter of the image normalizer; one bundle, two modes chosen by MODE:
 *
 *   MODE               `object-lambda` (GetObject through an S3 Object Lambda access point) or
 *                      `on-upload` (S3 event notifications of the raw prefix)
 *   MAX_INPUT_BYTES    optional, default 52428800 (50 MiB): larger objects are refused (`TooLarge`)
 *   MAX_INPUT_PIXELS   optional, default 40000000: larger images are refused before decoding
 *   on-upload only:
 *   SOURCE_BUCKET      bucket of the raw images
 *   RAW_PREFIX         prefix of the raw images (e.g. `raw/`)
 *   DERIVED_BUCKET     bucket of the normalized copies (may equal SOURCE_BUCKET)
 *   DERIVED_PREFIX     prefix of the normalized copies (e.g. `normalized/`)
 *
 * Read once, at cold start: a missing or malformed variable fails the first invocation naming it.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { optionalEnv, requireEnv } from "../shared/env";
import { resolveLimits, DEFAULT_LIMITS, type NormalizeLimits } from "./core";
import { createObjectLambdaHandler, type ObjectLambdaEvent } from "./object-lambda";
import { createOnUploadHandler, type OnUploadConfig, type S3Event } from "./on-upload";

export const MODES = ["object-lambda", "on-upload"] as const;
export type Mode = (typeof MODES)[number];

function positiveInt(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = optionalEnv(name, String(fallback), env);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`environment variable ${name} must be a whole number ≥ 1; got '${raw}'`);
  return n;
}

export interface NormalizerConfig {
  mode: Mode;
  limits: Required<NormalizeLimits>;
  onUpload?: Omit<OnUploadConfig, "limits">;
}

/** Reads and checks the environment; throws naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NormalizerConfig {
  const mode = requireEnv("MODE", env) as Mode;
  if (!MODES.includes(mode)) throw new Error(`environment variable MODE must be one of ${MODES.join(", ")}; got '${mode}'`);
  const limits = resolveLimits({
    maxInputBytes: positiveInt("MAX_INPUT_BYTES", DEFAULT_LIMITS.maxInputBytes, env),
    maxInputPixels: positiveInt("MAX_INPUT_PIXELS", DEFAULT_LIMITS.maxInputPixels, env),
  });
  if (mode === "object-lambda") return { mode, limits };
  return {
    mode,
    limits,
    onUpload: {
      sourceBucket: requireEnv("SOURCE_BUCKET", env),
      rawPrefix: requireEnv("RAW_PREFIX", env),
      derivedBucket: requireEnv("DERIVED_BUCKET", env),
      derivedPrefix: requireEnv("DERIVED_PREFIX", env),
    },
  };
}

export function createHandler(config: NormalizerConfig, s3: S3Client, fetchImpl: typeof fetch = fetch) {
  if (config.mode === "object-lambda") {
    const h = createObjectLambdaHandler({ limits: config.limits }, s3, fetchImpl);
    return (event: ObjectLambdaEvent | S3Event) => h(event as ObjectLambdaEvent);
  }
  const h = createOnUploadHandler({ ...config.onUpload!, limits: config.limits }, s3);
  return (event: ObjectLambdaEvent | S3Event) => h(event as S3Event);
}

const config = loadConfig();
export const handler = createHandler(config, new S3Client({}));
