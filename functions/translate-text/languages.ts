/**
 * Amazon Translate's language codes and the targets for which it cannot mask profanity.
 * Pure data shared by the translate function, the batch starter, the `translate` command and the
 * stack config schema.
 *
 * Sources (Amazon Translate Developer Guide):
 * - "Supported languages and language codes" (what-is-languages): the 75 codes below.
 * - "Masking profane words and phrases", section "Unsupported languages": profanity masking works
 *   for every supported target except Bengali, Hindi, Malayalam, Punjabi, Sinhala and Vietnamese.
 *   The same page: Translate does not mask profanity when source and target are the same language.
 *   If a later revision of that page changes the list, change `PROFANITY_UNSUPPORTED_TARGETS`.
 */

export const TRANSLATE_LANGUAGES: Readonly<Record<string, string>> = {
  af: "Afrikaans", sq: "Albanian", am: "Amharic", ar: "Arabic", hy: "Armenian", az: "Azerbaijani",
  bn: "Bengali", bs: "Bosnian", bg: "Bulgarian", ca: "Catalan", zh: "Chinese (Simplified)",
  "zh-TW": "Chinese (Traditional)", hr: "Croatian", cs: "Czech", da: "Danish", "fa-AF": "Dari",
  nl: "Dutch", en: "English", et: "Estonian", fa: "Farsi (Persian)", tl: "Filipino, Tagalog",
  fi: "Finnish", fr: "French", "fr-CA": "French (Canada)", ka: "Georgian", de: "German", el: "Greek",
  gu: "Gujarati", ht: "Haitian Creole", ha: "Hausa", he: "Hebrew", hi: "Hindi", hu: "Hungarian",
  is: "Icelandic", id: "Indonesian", ga: "Irish", it: "Italian", ja: "Japanese", kn: "Kannada",
  kk: "Kazakh", ko: "Korean", lv: "Latvian", lt: "Lithuanian", mk: "Macedonian", ms: "Malay",
  ml: "Malayalam", mt: "Maltese", mr: "Marathi", mn: "Mongolian", no: "Norwegian (Bokmål)",
  ps: "Pashto", pl: "Polish", pt: "Portuguese (Brazil)", "pt-PT": "Portuguese (Portugal)",
  pa: "Punjabi", ro: "Romanian", ru: "Russian", sr: "Serbian", si: "Sinhala", sk: "Slovak",
  sl: "Slovenian", so: "Somali", es: "Spanish", "es-MX": "Spanish (Mexico)", sw: "Swahili",
  sv: "Swedish", ta: "Tamil", te: "Telugu", th: "Thai", tr: "Turkish", uk: "Ukrainian", ur: "Urdu",
  uz: "Uzbek", vi: "Vietnamese", cy: "Welsh",
};

/** Targets for which Translate does not detect (so cannot mask) profanity. */
export const PROFANITY_UNSUPPORTED_TARGETS: readonly string[] = ["bn", "hi", "ml", "pa", "si", "vi"];

/** A language request the platform refuses; `code` says why. */
export class LanguageError extends Error {
  constructor(public readonly code: "UnknownLanguage" | "ProfanityMaskingUnsupported" | "SameLanguage", message: string) {
    super(message);
    this.name = "LanguageError";
  }
}

/** The code as Translate spells it (`zh-tw` → `zh-TW`), or undefined when Translate has no such language. */
export function canonicalLanguage(code: string): string | undefined {
  const lower = code.toLowerCase();
  return Object.keys(TRANSLATE_LANGUAGES).find((c) => c.toLowerCase() === lower);
}

/**
 * Checks a target language: known to Translate, and one Translate can mask profanity in.
 * Returns the canonical code; throws a `LanguageError` saying what is wrong.
 */
export function checkTargetLanguage(code: unknown, what = "target language"): string {
  if (typeof code !== "string" || code.trim() === "") throw new LanguageError("UnknownLanguage", `${what} is required (a language code such as 'de')`);
  const canonical = canonicalLanguage(code.trim());
  if (!canonical) {
    throw new LanguageError("UnknownLanguage", `${what} '${code}' is not a language Amazon Translate supports; expected one of ${Object.keys(TRANSLATE_LANGUAGES).join(", ")}`);
  }
  if (PROFANITY_UNSUPPORTED_TARGETS.includes(canonical)) {
    throw new LanguageError("ProfanityMaskingUnsupported",
      `${what} '${canonical}' (${TRANSLATE_LANGUAGES[canonical]}) is refused: Amazon Translate cannot mask profanity in it ` +
      `(unsupported for masking: ${PROFANITY_UNSUPPORTED_TARGETS.join(", ")}), and this platform never translates unmasked`);
  }
  return canonical;
}

/** Checks a source language: `auto` or a code Translate knows. Returns `auto` or the canonical code. */
export function checkSourceLanguage(code: unknown, what = "source language"): string {
  if (code === undefined || code === null || code === "" || code === "auto") return "auto";
  if (typeof code !== "string") throw new LanguageError("UnknownLanguage", `${what} must be a language code or 'auto'; got ${JSON.stringify(code)}`);
  const canonical = canonicalLanguage(code.trim());
  if (!canonical) {
    throw new LanguageError("UnknownLanguage", `${what} '${code}' is not a language Amazon Translate supports; expected 'auto' or one of ${Object.keys(TRANSLATE_LANGUAGES).join(", ")}`);
  }
  return canonical;
}

/** Refuses a pair whose source and target are the same language: Translate does not mask then. */
export function checkDistinct(source: string, target: string): void {
  if (source !== "auto" && source === target) {
    throw new LanguageError("SameLanguage",
      `source and target language are both '${target}': Amazon Translate does not mask profanity when they are the same, so the text is refused`);
  }
}
