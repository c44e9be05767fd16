/**
 * Lambda adapter for real-time translation with profanity masking. Applications in the same
 * account call it with `lambda:Invoke` (RequestResponse):
 *
 *   { "text": "…", "targetLanguage": "de", "sourceLanguage": "auto", "formality": "FORMAL" }
 *
 * and get `{ translatedText, sourceLanguage, targetLanguage, profanity: "MASK", chunks }`. A refused
 * or failed request fails the invocation with `errorType` set to the reason (`InvalidRequest`,
 * `UnknownLanguage`, `ProfanityMaskingUnsupported`, `SameLanguage`, `UnsupportedLanguagePair`,
 * `LanguageNotDetected`, `Throttled`, `TranslateFailed`) and a message saying what to change.
 *
 * Environment (read once, at cold start):
 *   AWS_REGION          set by Lambda; Translate is called there
 *   MAX_CONCURRENCY     optional, default 4: TranslateText requests in flight per invocation
 *   MAX_ATTEMPTS        optional, default 6: attempts per chunk when throttled
 *
 * Logs: one JSON line per invocation with languages, sizes and the outcome; never the text.
 */
import { TranslateClient } from "@aws-sdk/client-translate";
import { optionalEnv, requireEnv } from "../shared/env";
import { parseRequest, translateMasked, TranslateError, type TranslateOptions, type TranslateResult } from "./core";

export interface HandlerConfig {
  region: string;
  concurrency: number;
  maxAttempts: number;
}

function wholeNumber(name: string, fallback: string, min: number, max: number, env: NodeJS.ProcessEnv): number {
  const raw = optionalEnv(name, fallback, env);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`environment variable ${name} must be a whole number from ${min} to ${max}; got '${raw}'`);
  return n;
}

/** Reads and checks the configuration; throws naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
  return {
    region: requireEnv("AWS_REGION", env),
    concurrency: wholeNumber("MAX_CONCURRENCY", "4", 1, 32, env),
    maxAttempts: wholeNumber("MAX_ATTEMPTS", "6", 1, 20, env),
  };
}

function log(level: "info" | "error", message: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

export function createHandler(config: HandlerConfig, client: Pick<TranslateClient, "send">, options: TranslateOptions = {}) {
  return async (event: unknown): Promise<TranslateResult> => {
    const text = (event as { text?: unknown } | null)?.text;
    const fields = {
      targetLanguage: (event as { targetLanguage?: unknown } | null)?.targetLanguage,
      sourceLanguage: (event as { sourceLanguage?: unknown } | null)?.sourceLanguage ?? "auto",
      bytes: typeof text === "string" ? Buffer.byteLength(text, "utf8") : undefined,
    };
    try {
      const request = parseRequest(event);
      const result = await translateMasked(request, client, { concurrency: config.concurrency, maxAttempts: config.maxAttempts, ...options });
      log("info", "translated", { ...fields, sourceLanguage: result.sourceLanguage, chunks: result.chunks });
      return result;
    } catch (err) {
      const code = err instanceof TranslateError ? err.code : "Unexpected";
      log("error", "translation refused or failed", { ...fields, code, error: (err as Error).message });
      if (err instanceof TranslateError) {
        // Lambda reports `name` as the invocation's errorType.
        const out = new Error(err.message);
        out.name = err.code;
        throw out;
      }
      throw err;
    }
  };
}

const config = loadConfig();
// Retries are this function's own (backoff per chunk), not the SDK's on top of them.
export const handler = createHandler(config, new TranslateClient({ region: config.region, maxAttempts: 1 }));
