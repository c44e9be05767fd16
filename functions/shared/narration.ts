/**
 * Article narration, the pure part shared by `narrate-article`, `merge-narration` and the
 * `npm run narration -- plan` command: the CMS message format, one SSML document per spoken unit,
 * fragment names (content hashes), Polly's character count, the incremental plan, and the S3 key
 * layout of the fragments and audio buckets.
 */
import * as crypto from "node:crypto";
import { SaxesParser } from "saxes";
import { z } from "zod";

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

/** Article ids become S3 key segments and URL path segments: no '/', no dots at the start. */
const ARTICLE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** One saved article version as the CMS publishes it to the SNS topic. */
export const articleSchema = z.object({
  /** Stable article id (letters, digits, '_', '-'; at most 128). */
  id: z.string({ error: "expected a string" }).regex(ARTICLE_ID, { error: (i) => `expected letters, digits, '_' or '-' (at most 128, starting with a letter or digit); got '${String(i.input)}'` }),
  /** Monotonic version number of this save. */
  version: z.number({ error: "expected a whole number" }).int({ error: "expected a whole number" }).min(1, { error: "expected a whole number ≥ 1" }),
  /** Premium articles are served in full to subscribers only; others get the teaser audio. */
  premium: z.boolean({ error: "expected true or false" }),
  /** Language of the text (a key of the configured voices, e.g. `en` or `de`). */
  language: z.string({ error: "expected a language code such as 'en'" }).regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { error: (i) => `expected a language code such as 'en' or 'de-DE'; got '${String(i.input)}'` }),
  title: z.string({ error: "expected a string" }),
  teaser: z.string({ error: "expected a string" }),
  /** Body paragraphs, as plain text. */
  paragraphs: z.array(z.string({ error: "expected a string" }), { error: "expected an array of strings" }),
  /** SEO and CMS metadata: never spoken. */
  metadata: z.record(z.string(), z.unknown(), { error: "expected an object" }),
});

export type Article = z.infer<typeof articleSchema>;

/** A bad article: names where it came from and the field at fault. */
export class ArticleError extends Error {
  constructor(public readonly source: string, public readonly field: string, detail: string) {
    super(`${source}: ${field}: ${detail}`);
    this.name = "ArticleError";
  }
}

/** Validates a parsed message; throws an `ArticleError` naming `source` and the first bad field. */
export function parseArticle(value: unknown, source: string): Article {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ArticleError(source, "(message)", "expected a JSON object with id, version, premium, language, title, teaser, paragraphs and metadata");
  }
  const result = articleSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(message)";
    const missing = issue.code === "invalid_type" && (value as Record<string, unknown>)[String(issue.path[0])] === undefined && issue.path.length === 1;
    throw new ArticleError(source, field, missing ? `is required: ${issue.message}` : issue.message);
  }
  return result.data;
}

/** Parses the JSON text of a message. */
export function parseArticleJson(text: string, source: string): Article {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ArticleError(source, "(json)", `is not valid JSON: ${(e as Error).message}`);
  }
  return parseArticle(value, source);
}

// ---------------------------------------------------------------------------------------------
// Voices and SSML
// ---------------------------------------------------------------------------------------------

export const ENGINES = ["neural", "standard", "long-form", "generative"] as const;
export type Engine = (typeof ENGINES)[number];

/** How one language is spoken. */
export interface VoiceSettings {
  /** Polly voice id, e.g. `Joanna`, `Vicki`. */
  voiceId: string;
  /** Polly engine. Defaults to `neural`. */
  engine?: Engine;
  /** Polly LanguageCode (only for bilingual voices). Defaults to the voice's own language. */
  languageCode?: string;
  /** The spoken "subscribe to listen on" notice that ends a premium teaser. */
  noticeText: string;
}

/** Output format of every fragment: MP3 at one sample rate, so fragments concatenate without re-encoding. */
export const OUTPUT_FORMAT = "mp3";
/** Sample rate of every fragment (valid for MP3 with every engine; Polly's default for neural). */
export const SAMPLE_RATE = "24000";

/** Escapes text for an XML text node (Polly requires `&`, `<`, `>`, `"`, `'` escaped in SSML). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** Collapses whitespace (line wrapping in the CMS is not speech) and trims. */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export type UnitKind = "intro" | "paragraph" | "notice";

export interface SpokenUnit {
  kind: UnitKind;
  /** Paragraph index for `paragraph` units. */
  index?: number;
  ssml: string;
}

/** Pause after the title, after the intro, and after each paragraph. */
export const BREAKS = { afterTitle: "700ms", afterIntro: "1s", afterParagraph: "600ms", beforeNotice: "300ms" } as const;

/**
 * The spoken units of an article: title + teaser as one intro, then one unit per non-empty
 * paragraph. Each is a complete SSML document, text escaped, ending with the pause that separates
 * it from the next unit once concatenated.
 */
export function spokenUnits(article: Article): SpokenUnit[] {
  const units: SpokenUnit[] = [];
  const title = normalizeText(article.title);
  const teaser = normalizeText(article.teaser);
  if (title !== "" || teaser !== "") {
    const parts = [
      title !== "" ? `<p>${escapeXml(title)}</p><break time="${BREAKS.afterTitle}"/>` : "",
      teaser !== "" ? `<p>${escapeXml(teaser)}</p>` : "",
    ];
    units.push({ kind: "intro", ssml: `<speak>${parts.join("")}<break time="${BREAKS.afterIntro}"/></speak>` });
  }
  article.paragraphs.forEach((p, index) => {
    const text = normalizeText(p);
    if (text === "") return;
    units.push({ kind: "paragraph", index, ssml: `<speak><p>${escapeXml(text)}</p><break time="${BREAKS.afterParagraph}"/></speak>` });
  });
  return units;
}

/** The SSML of the premium notice in a language. */
export function noticeSsml(voice: VoiceSettings): string {
  return `<speak><break time="${BREAKS.beforeNotice}"/><p>${escapeXml(normalizeText(voice.noticeText))}</p></speak>`;
}

/** Everything Polly is asked for one fragment: the hash covers all of it. */
export interface FragmentRequest {
  ssml: string;
  voiceId: string;
  engine: Engine;
  languageCode?: string;
  outputFormat: typeof OUTPUT_FORMAT;
  sampleRate: typeof SAMPLE_RATE;
}

export function fragmentRequest(ssml: string, voice: VoiceSettings): FragmentRequest {
  return {
    ssml,
    voiceId: voice.voiceId,
    engine: voice.engine ?? "neural",
    ...(voice.languageCode ? { languageCode: voice.languageCode } : {}),
    outputFormat: OUTPUT_FORMAT,
    sampleRate: SAMPLE_RATE,
  };
}

/**
 * Content hash naming a fragment: SHA-256 over the SSML, voice, engine, language code, format and
 * sample rate, so the same request is synthesized once across versions and articles, and any change
 * to what Polly would be asked is a new fragment.
 */
export function fragmentHash(request: FragmentRequest): string {
  const canonical = JSON.stringify([request.ssml, request.voiceId, request.engine, request.languageCode ?? "", request.outputFormat, request.sampleRate]);
  return crypto.createHash("sha256").update(canonical).digest("hex");
}

/**
 * Characters Polly bills for an SSML document: the text content after entity decoding, tags not
 * counted (Amazon Polly pricing: "SSML tags are not counted as billed characters"). Counted in
 * Unicode code points. Throws on a document that is not well-formed XML.
 */
export function billedCharacters(ssml: string): number {
  const parser = new SaxesParser();
  let count = 0;
  let error: Error | undefined;
  parser.on("text", (t) => { count += [...t].length; });
  parser.on("error", (e) => { error ??= e; });
  parser.write(ssml).close();
  if (error) throw new Error(`SSML is not well-formed XML: ${error.message}`);
  return count;
}

// ---------------------------------------------------------------------------------------------
// Manifest and plan
// ---------------------------------------------------------------------------------------------

export interface ManifestUnit {
  kind: UnitKind;
  index?: number;
  hash: string;
}

/** The ordered fragments of one article version (written as `latest/<id>.json`). */
export interface Manifest {
  id: string;
  version: number;
  premium: boolean;
  language: string;
  /** Spoken units in order. */
  units: ManifestUnit[];
  /** Fragment of the premium notice (premium articles only). */
  notice?: string;
}

/** A fragment with the request that produces it. */
export interface PlannedFragment {
  hash: string;
  request: FragmentRequest;
  billedCharacters: number;
}

export interface NarrationPlan {
  manifest: Manifest;
  /** Distinct fragments of the version, spoken units first, then the notice. */
  fragments: Map<string, PlannedFragment>;
}

/** Voices by language: the exact language, then its primary subtag (`de-AT` → `de`). */
export function voiceFor(voices: Record<string, VoiceSettings>, language: string): VoiceSettings {
  const voice = voices[language] ?? voices[language.split("-")[0].toLowerCase()] ?? voices[language.toLowerCase()];
  if (!voice) {
    throw new Error(`no voice configured for language '${language}' (configured: ${Object.keys(voices).sort().join(", ") || "none"})`);
  }
  return voice;
}

/** The manifest of a version and every fragment it needs. */
export function planVersion(article: Article, voices: Record<string, VoiceSettings>): NarrationPlan {
  const voice = voiceFor(voices, article.language);
  const fragments = new Map<string, PlannedFragment>();
  const add = (ssml: string): string => {
    const request = fragmentRequest(ssml, voice);
    const hash = fragmentHash(request);
    if (!fragments.has(hash)) fragments.set(hash, { hash, request, billedCharacters: billedCharacters(ssml) });
    return hash;
  };
  const units = spokenUnits(article).map((u) => ({ kind: u.kind, ...(u.index !== undefined ? { index: u.index } : {}), hash: add(u.ssml) }));
  const manifest: Manifest = { id: article.id, version: article.version, premium: article.premium, language: article.language, units };
  if (article.premium) manifest.notice = add(noticeSsml(voice));
  return { manifest, fragments };
}

/** Every fragment hash a manifest needs (spoken units, and the notice of a premium article). */
export function manifestHashes(manifest: Manifest): string[] {
  return [...new Set([...manifest.units.map((u) => u.hash), ...(manifest.notice ? [manifest.notice] : [])])];
}

/** What `npm run narration -- plan` prints. */
export interface PlanReport {
  id: string;
  version: number;
  manifest: string[];
  fragments: number;
  toSynthesize: string[];
  billedCharacters: number;
  fullCharacters: number;
}

/**
 * The incremental plan of `article` after `previous` (or from nothing): the ordered spoken
 * fragments, the distinct ones the previous version's manifest does not hold, and the characters
 * Polly would bill for those and for all of them. The premium notice is fixed audio: neither
 * listed nor counted.
 */
export function planReport(article: Article, previous: Article | undefined, voices: Record<string, VoiceSettings>): PlanReport {
  if (previous && previous.id !== article.id) {
    throw new Error(`previous version is of article '${previous.id}', not '${article.id}'`);
  }
  if (previous && previous.version >= article.version) {
    throw new Error(`version ${article.version} is not newer than the previous version ${previous.version}`);
  }
  const plan = planVersion(article, voices);
  const held = new Set(previous ? planVersion(previous, voices).manifest.units.map((u) => u.hash) : []);
  const spoken = [...new Set(plan.manifest.units.map((u) => u.hash))];
  const toSynthesize = spoken.filter((h) => !held.has(h));
  const chars = (hashes: string[]) => hashes.reduce((n, h) => n + plan.fragments.get(h)!.billedCharacters, 0);
  return {
    id: article.id,
    version: article.version,
    manifest: plan.manifest.units.map((u) => u.hash),
    fragments: plan.manifest.units.length,
    toSynthesize,
    billedCharacters: chars(toSynthesize),
    fullCharacters: chars(plan.manifest.units.map((u) => u.hash)),
  };
}

// ---------------------------------------------------------------------------------------------
// Key layout
// ---------------------------------------------------------------------------------------------

/**
 * Fragments bucket:
 * - `fragments/<hash>/<taskId>.mp3`: Polly's output (it names the object after the task id; the
 *   prefix per hash makes "does fragment <hash> exist" one ListObjectsV2 with that prefix);
 * - `claims/<hash>`: written with `If-None-Match: *` before a task starts, so one task per hash;
 * - `waiting/<hash>/<articleId>`: articles whose latest manifest waits for that fragment;
 * - `latest/<articleId>.json`: the manifest of the newest version handled (conditional writes);
 * - `assets/…`: fixed audio (the notice sound).
 * Audio bucket: `<free|premium>/<articleId>/<version>/full.mp3` and, premium, `…/teaser.mp3`.
 */
export const KEYS = {
  fragmentPrefix: (hash: string) => `fragments/${hash}/`,
  claim: (hash: string) => `claims/${hash}`,
  waitingPrefix: (hash: string) => `waiting/${hash}/`,
  waiting: (hash: string, articleId: string) => `waiting/${hash}/${articleId}`,
  latest: (articleId: string) => `latest/${articleId}.json`,
  audio: (manifest: Pick<Manifest, "id" | "version" | "premium">, file: "full" | "teaser") =>
    `${manifest.premium ? "premium" : "free"}/${manifest.id}/${manifest.version}/${file}.mp3`,
} as const;

/** The fragment hash of a Polly output key (`fragments/<hash>/<taskId>.mp3`), else undefined. */
export function hashOfFragmentKey(key: string): string | undefined {
  return /^fragments\/([0-9a-f]{64})\/[^/]+$/.exec(key)?.[1];
}

/** The article id of a manifest key (`latest/<id>.json`), else undefined. */
export function articleOfLatestKey(key: string): string | undefined {
  const id = /^latest\/([^/]+)\.json$/.exec(key)?.[1];
  return id !== undefined && ARTICLE_ID.test(id) ? id : undefined;
}

/** Checks a stored manifest (read back from S3). */
export function parseManifest(value: unknown, source: string): Manifest {
  const unit = z.object({ kind: z.enum(["intro", "paragraph", "notice"]), index: z.number().int().min(0).optional(), hash: z.string().regex(/^[0-9a-f]{64}$/) });
  const schema = z.object({
    id: z.string().regex(ARTICLE_ID),
    version: z.number().int().min(1),
    premium: z.boolean(),
    language: z.string(),
    units: z.array(unit),
    notice: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  });
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${source}: ${issue.path.map(String).join(".") || "(manifest)"}: ${issue.message}`);
  }
  return r.data;
}
