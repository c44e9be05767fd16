/**
 * Characters Polly bills for narration over a realistic edit stream, against re-synthesizing every
 * saved version in full.
 *
 * The stream: each shared article (test/fixtures/narration, copies of ../shared/data/articles) is
 * published as `ARTICLES_PER_TALE` articles (free and premium), and each is saved `SAVES_PER_ARTICLE`
 * more times with edits drawn from `EDIT_MIX` (tools/narration/articles.ts: typo fixes, metadata-only
 * saves, teaser edits, added, removed and moved paragraphs, unchanged re-saves).
 *
 * Billed incrementally: the characters of every fragment no earlier version of any article produced
 * (what narrate-article sends to Polly: the fragments bucket is the cache). The CLI's per-version
 * figure (against the previous version only) is reported too. The premium notice is fixed audio and
 * not counted in either. Goal: at least 90 % saved, and 0 characters for saves that change nothing spoken.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { planReport, planVersion, type Article, type VoiceSettings } from "../functions/shared/narration";
import { articleFromText, editStream, type EditKind } from "../tools/narration/articles";

const FIXTURES = path.resolve(__dirname, "..", "test", "fixtures", "narration");
export const TALES = [
  { file: "de_grimm_khm-026_rothkaeppchen_1857.md", language: "de" },
  { file: "en_grimm_khm-026_little_red-cap_1884_hunt.md", language: "en" },
  { file: "en_gutenberg11027_mother_holle.txt", language: "en" },
];
export const ARTICLES_PER_TALE = 4;
export const SAVES_PER_ARTICLE = 20;
export const VOICES: Record<string, VoiceSettings> = {
  en: { voiceId: "Joanna", noticeText: "Subscribe to listen to the whole article." },
  de: { voiceId: "Vicki", noticeText: "Mit einem Abonnement hören Sie den ganzen Artikel." },
};

export interface StreamFigures {
  versions: number;
  fullCharacters: number;
  billedCharacters: number;
  billedVsPrevious: number;
  /** Characters billed for saves that change nothing spoken (must be 0). */
  billedForSilentSaves: number;
  silentSaves: number;
  edits: Record<string, number>;
}

/** Runs streams of saved versions through the planner, with one fragment cache for all of them. */
export function simulate(streams: { article: Article; edit?: EditKind }[][]): StreamFigures {
  const synthesized = new Set<string>();
  const f: StreamFigures = { versions: 0, fullCharacters: 0, billedCharacters: 0, billedVsPrevious: 0, billedForSilentSaves: 0, silentSaves: 0, edits: {} };
  for (const stream of streams) {
    let previous: Article | undefined;
    for (const { article, edit } of stream) {
      const plan = planVersion(article, VOICES);
      const spoken = new Set(plan.manifest.units.map((u) => u.hash));
      let billed = 0;
      for (const h of spoken) {
        if (!synthesized.has(h)) {
          synthesized.add(h);
          billed += plan.fragments.get(h)!.billedCharacters;
        }
      }
      const report = planReport(article, previous, VOICES);
      f.versions++;
      f.fullCharacters += report.fullCharacters;
      f.billedCharacters += billed;
      f.billedVsPrevious += report.billedCharacters;
      if (edit) f.edits[edit] = (f.edits[edit] ?? 0) + 1;
      if (edit === "metadata" || edit === "no-change" || edit === "remove-paragraph" || edit === "reorder") {
        f.silentSaves++;
        f.billedForSilentSaves += report.billedCharacters;
      }
      previous = article;
    }
  }
  return f;
}

export function buildStreams(articlesPerTale = ARTICLES_PER_TALE, saves = SAVES_PER_ARTICLE): { article: Article; edit?: EditKind }[][] {
  const streams: { article: Article; edit?: EditKind }[][] = [];
  TALES.forEach((t, ti) => {
    const text = fs.readFileSync(path.join(FIXTURES, t.file), "utf8");
    for (let i = 0; i < articlesPerTale; i++) {
      // Several articles per tale: the same body under another headline (agency copy reused).
      const base = articleFromText(text, { id: `tale-${ti}-${i}`, language: t.language, premium: i % 2 === 1 });
      streams.push(editStream({ ...base, title: i === 0 ? base.title : `${base.title} (${i})` }, saves, 1000 * ti + i + 1));
    }
  });
  return streams;
}

export async function run(): Promise<{ name: string; metrics: Record<string, number | string> }> {
  const streams = buildStreams();
  const t0 = performance.now();
  const f = simulate(streams);
  const ms = performance.now() - t0;
  const pct = (x: number) => Math.round(10000 * (1 - x / f.fullCharacters)) / 100;
  return {
    name: `narration: characters billed over an edit stream (${TALES.length * ARTICLES_PER_TALE} articles × ${SAVES_PER_ARTICLE + 1} versions)`,
    metrics: {
      "versions": f.versions,
      "edits": Object.entries(f.edits).sort().map(([k, v]) => `${k} ${v}`).join(", "),
      "characters, every version in full": f.fullCharacters,
      "characters billed (fragment cache)": f.billedCharacters,
      "saved (fragment cache), %": pct(f.billedCharacters),
      "characters billed (vs previous only)": f.billedVsPrevious,
      "saved (vs previous only), %": pct(f.billedVsPrevious),
      "billed for silent saves (goal 0)": f.billedForSilentSaves,
      "planning, ms per version": Math.round((1000 * ms) / f.versions) / 1000,
    },
  };
}
