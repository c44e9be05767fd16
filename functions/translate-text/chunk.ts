/**
 * Splits a text into chunks that each fit Amazon Translate's request limit, measured in bytes of
 * UTF-8 (TranslateText: 10,000 bytes). Chunks are contiguous slices of the input: joined in order
 * they give back the input exactly, character for character.
 *
 * Sentences come from the platform's `Intl.Segmenter` (granularity `sentence`, ICU rules for the
 * given locale), so "Dr. Müller" or "z. B." are handled the way ICU handles them, not by a regex.
 * Whole sentences are packed greedily into each chunk up to the limit. A single sentence over the
 * limit is split at word boundaries (`granularity: "word"`); a single word over the limit (no
 * spaces at all, e.g. a long URL) falls back to grapheme clusters, so no character is ever cut in
 * half and no byte is lost.
 */

/** TranslateText's maximum request size: 10,000 bytes of UTF-8 (Amazon Translate quotas). */
export const TRANSLATE_MAX_BYTES = 10_000;

export interface Chunk {
  /** Position from 0. */
  index: number;
  /** Size of `text` in bytes of UTF-8. */
  bytes: number;
  /** The slice of the input. */
  text: string;
}

export interface ChunkOptions {
  /** Upper bound per chunk in bytes of UTF-8. Defaults to 10,000 (TranslateText's limit). */
  maxBytes?: number;
  /** Locale for sentence and word rules (a BCP 47 tag such as `de`), or `auto`. Defaults to the ICU root rules. */
  locale?: string;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, "utf8");

/** Largest UTF-8 size of one code point: the smallest limit that can hold every grapheme's parts. */
const MIN_MAX_BYTES = 4;

function segmenter(locale: string | undefined, granularity: "sentence" | "word" | "grapheme"): Intl.Segmenter {
  const tag = locale && locale !== "auto" ? locale : undefined;
  try {
    return new Intl.Segmenter(tag, { granularity });
  } catch {
    // An unknown or malformed tag: the root rules still find sentence ends.
    return new Intl.Segmenter(undefined, { granularity });
  }
}

/** Packs consecutive pieces into strings of at most `maxBytes`; a piece over the limit goes to `oversize`. */
function pack(pieces: Iterable<string>, maxBytes: number, oversize: (piece: string) => string[]): string[] {
  const out: string[] = [];
  let current = "";
  let currentBytes = 0;
  const flush = () => {
    if (current !== "") out.push(current);
    current = "";
    currentBytes = 0;
  };
  for (const piece of pieces) {
    const bytes = utf8Bytes(piece);
    if (bytes > maxBytes) {
      flush();
      out.push(...oversize(piece));
      continue;
    }
    if (currentBytes + bytes > maxBytes) flush();
    current += piece;
    currentBytes += bytes;
  }
  flush();
  return out;
}

/** Splits by code points when even one grapheme cluster is larger than the limit (e.g. long emoji sequences). */
function splitCodePoints(text: string, maxBytes: number): string[] {
  return pack(Array.from(text), maxBytes, () => {
    throw new Error(`maxBytes ${maxBytes} is smaller than one character`);
  });
}

function splitWords(sentence: string, maxBytes: number, locale?: string): string[] {
  const words = Array.from(segmenter(locale, "word").segment(sentence), (s) => s.segment);
  return pack(words, maxBytes, (word) => {
    const graphemes = Array.from(segmenter(locale, "grapheme").segment(word), (s) => s.segment);
    return pack(graphemes, maxBytes, (g) => splitCodePoints(g, maxBytes));
  });
}

/**
 * Chunks `text` (see the module comment). An empty text gives no chunks. Throws on a `maxBytes`
 * that is not a whole number of at least 4 (one code point can take 4 bytes).
 */
export function chunkText(text: string, options: ChunkOptions = {}): Chunk[] {
  const maxBytes = options.maxBytes ?? TRANSLATE_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < MIN_MAX_BYTES) {
    throw new Error(`[maxBytes] must be a whole number ≥ ${MIN_MAX_BYTES}; got ${maxBytes}`);
  }
  if (typeof text !== "string") throw new Error(`[text] must be a string; got ${typeof text}`);
  const sentences = Array.from(segmenter(options.locale, "sentence").segment(text), (s) => s.segment);
  return pack(sentences, maxBytes, (sentence) => splitWords(sentence, maxBytes, options.locale))
    .map((t, index) => ({ index, bytes: utf8Bytes(t), text: t }));
}
