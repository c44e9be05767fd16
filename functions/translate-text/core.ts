/**
 * Real-time translation with profanity masking that no caller can turn off.
 *
 * A request names the text, the target language and optionally the source language (`auto` by
 * default) and the formality. The text is cut into chunks under TranslateText's 10,000-byte limit
 * at sentence boundaries (`chunk.ts`); each chunk is sent with `Settings.Profanity = "MASK"`, at most
 * `concurrency` requests at a time, and the translations are joined in input order. The whitespace
 * around each chunk (paragraph breaks between chunks) is kept as it was and not sent, so nothing is
 * lost at the joins. With source `auto`, the first chunk is translated alone and the language
 * Translate detected is used for the others, so one text is never read as two languages.
 *
 * Throttling (`ThrottlingException`, `TooManyRequestsException`) and `ServiceUnavailableException`
 * are retried with exponential backoff and jitter; what still fails, and every refusal, is a
 * `TranslateError` whose `code` says why. Pure: the client, the clock and the randomness are injected.
 */
import { TranslateTextCommand, type TranslateClient } from "@aws-sdk/client-translate";
import { chunkText, TRANSLATE_MAX_BYTES } from "./chunk";
import { checkDistinct, checkSourceLanguage, checkTargetLanguage, LanguageError, TRANSLATE_LANGUAGES } from "./languages";

export type TranslateErrorCode =
  | "InvalidRequest"
  | "UnknownLanguage"
  | "ProfanityMaskingUnsupported"
  | "SameLanguage"
  | "UnsupportedLanguagePair"
  | "LanguageNotDetected"
  | "Throttled"
  | "TranslateFailed";

export class TranslateError extends Error {
  constructor(public readonly code: TranslateErrorCode, message: string) {
    super(message);
    this.name = "TranslateError";
  }
}

export type Formality = "FORMAL" | "INFORMAL";

export interface TranslateRequest {
  /** Text to translate (UTF-8, any length). */
  text: string;
  /** Target language code (must be one Translate can mask profanity in). */
  targetLanguage: string;
  /** Source language code, or `auto`. Defaults to `auto`. */
  sourceLanguage?: string;
  /** Formality of the output, for targets that support it (Translate ignores it elsewhere). Defaults to none. */
  formality?: Formality;
}

export interface TranslateResult {
  translatedText: string;
  /** The source language: as given, or as Translate detected it. */
  sourceLanguage: string;
  targetLanguage: string;
  /** Always `MASK`. */
  profanity: "MASK";
  /** Number of TranslateText requests the text took. */
  chunks: number;
}

export interface TranslateOptions {
  /** Chunk limit in bytes of UTF-8. Defaults to 10,000. */
  maxBytes?: number;
  /** Requests in flight at once. Defaults to 4. */
  concurrency?: number;
  /** Attempts per chunk when throttled (first try included). Defaults to 6. */
  maxAttempts?: number;
  /** First backoff delay in ms; doubles per attempt. Defaults to 200. */
  baseDelayMs?: number;
  /** Cap of one backoff delay in ms. Defaults to 5,000. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1) for jitter. Defaults to Math.random. */
  random?: () => number;
}

const REQUEST_KEYS = new Set(["text", "targetLanguage", "sourceLanguage", "formality", "profanity"]);

/** Validates a caller's request (e.g. a Lambda event); throws `TranslateError` naming the field. */
export function parseRequest(event: unknown): TranslateRequest {
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new TranslateError("InvalidRequest", "request must be a JSON object with text and targetLanguage");
  }
  const e = event as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !REQUEST_KEYS.has(k));
  if (unknown.length > 0) {
    throw new TranslateError("InvalidRequest", `request has unknown field(s) ${unknown.join(", ")}; expected text, targetLanguage, sourceLanguage, formality`);
  }
  if ("profanity" in e && e.profanity !== "MASK") {
    throw new TranslateError("InvalidRequest", `profanity is always MASK and cannot be changed; got ${JSON.stringify(e.profanity)}`);
  }
  if (typeof e.text !== "string" || e.text.trim() === "") {
    throw new TranslateError("InvalidRequest", "text must be a non-empty string");
  }
  if (e.formality !== undefined && e.formality !== "FORMAL" && e.formality !== "INFORMAL") {
    throw new TranslateError("InvalidRequest", `formality must be FORMAL or INFORMAL; got ${JSON.stringify(e.formality)}`);
  }
  return {
    text: e.text,
    targetLanguage: e.targetLanguage as string,
    ...(e.sourceLanguage !== undefined ? { sourceLanguage: e.sourceLanguage as string } : {}),
    ...(e.formality !== undefined ? { formality: e.formality as Formality } : {}),
  };
}

/** Checks the languages of a request; returns canonical codes. Throws `TranslateError`. */
export function checkLanguages(
  req: Pick<TranslateRequest, "targetLanguage" | "sourceLanguage">,
  labels: { target: string; source: string } = { target: "targetLanguage", source: "sourceLanguage" },
): { source: string; target: string } {
  try {
    const target = checkTargetLanguage(req.targetLanguage, labels.target);
    const source = checkSourceLanguage(req.sourceLanguage, labels.source);
    checkDistinct(source, target);
    return { source, target };
  } catch (err) {
    if (err instanceof LanguageError) throw new TranslateError(err.code, err.message);
    throw err;
  }
}

const RETRYABLE = new Set(["ThrottlingException", "TooManyRequestsException", "ServiceUnavailableException"]);

/** Runs `tasks` with at most `limit` in flight; results in task order; the first failure rejects. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function split(text: string): { lead: string; core: string; trail: string } {
  const lead = /^\s*/u.exec(text)![0];
  if (lead.length === text.length) return { lead, core: "", trail: "" };
  const trail = /\s*$/u.exec(text)![0];
  return { lead, core: text.slice(lead.length, text.length - trail.length), trail };
}

/** Translates `req.text` with profanity masked (see the module comment). */
export async function translateMasked(
  req: TranslateRequest,
  client: Pick<TranslateClient, "send">,
  options: TranslateOptions = {},
): Promise<TranslateResult> {
  const { source, target } = checkLanguages(req);
  const concurrency = options.concurrency ?? 4;
  const maxAttempts = options.maxAttempts ?? 6;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`[concurrency] must be a whole number ≥ 1; got ${concurrency}`);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`[maxAttempts] must be a whole number ≥ 1; got ${maxAttempts}`);
  const baseDelay = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;

  const chunks = chunkText(req.text, { maxBytes: options.maxBytes ?? TRANSLATE_MAX_BYTES, locale: source });
  const parts = chunks.map((c) => split(c.text));
  let requests = 0;

  const translate = async (text: string, sourceCode: string, index: number) => {
    for (let attempt = 1; ; attempt++) {
      try {
        requests++;
        const out = await client.send(new TranslateTextCommand({
          Text: text,
          SourceLanguageCode: sourceCode,
          TargetLanguageCode: target,
          Settings: { Profanity: "MASK", ...(req.formality ? { Formality: req.formality } : {}) },
        }));
        return { text: out.TranslatedText ?? "", source: out.SourceLanguageCode ?? sourceCode };
      } catch (err) {
        const name = (err as { name?: string }).name ?? "";
        if (RETRYABLE.has(name) && attempt < maxAttempts) {
          const delay = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
          await sleep(Math.round(delay / 2 + (delay / 2) * random()));
          continue;
        }
        throw mapError(err, name, sourceCode, target, index, attempt);
      }
    }
  };

  const out = new Array<string>(parts.length);
  let detected = source;
  let rest = parts.map((_, i) => i).filter((i) => parts[i].core !== "");
  if (source === "auto" && rest.length > 0) {
    const first = rest[0];
    const r = await translate(parts[first].core, "auto", first);
    detected = r.source;
    if (detected === target) {
      throw new TranslateError("SameLanguage",
        `Translate detected the text as '${detected}', the target language: it does not mask profanity when source and target are the same, so the text is refused`);
    }
    out[first] = r.text;
    rest = rest.slice(1);
  }
  await mapBounded(rest, concurrency, async (i) => {
    out[i] = (await translate(parts[i].core, detected, i)).text;
  });
  const translatedText = parts.map((p, i) => (p.core === "" ? p.lead : `${p.lead}${out[i]}${p.trail}`)).join("");
  return { translatedText, sourceLanguage: detected, targetLanguage: target, profanity: "MASK", chunks: requests };
}

function mapError(err: unknown, name: string, source: string, target: string, index: number, attempts: number): TranslateError {
  const message = (err as Error).message ?? String(err);
  switch (name) {
    case "UnsupportedLanguagePairException":
      return new TranslateError("UnsupportedLanguagePair",
        `Amazon Translate does not translate ${describe(source)} to ${describe(target)} (chunk ${index}): ${message}`);
    case "DetectedLanguageLowConfidenceException":
      return new TranslateError("LanguageNotDetected", `Amazon Translate could not detect the source language with confidence; pass sourceLanguage: ${message}`);
    case "ThrottlingException":
    case "TooManyRequestsException":
    case "ServiceUnavailableException":
      return new TranslateError("Throttled",
        `Amazon Translate throttled chunk ${index} ${attempts} time(s) (${name}); try again later, lower the concurrency or ask for a higher TranslateText quota`);
    default:
      return new TranslateError("TranslateFailed", `Amazon Translate failed on chunk ${index} (${name || "Error"}): ${message}`);
  }
}

function describe(code: string): string {
  return TRANSLATE_LANGUAGES[code] ? `${TRANSLATE_LANGUAGES[code]} (${code})` : `'${code}'`;
}
