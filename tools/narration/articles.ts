/**
 * Turns plain-text tales (e.g. `../shared/data/articles/*`) into CMS article messages, and
 * generates realistic edit streams of saved versions from them (for tests and `npm run bench`).
 */
import type { Article } from "../../functions/shared/narration";

export interface ArticleOptions {
  id: string;
  language: string;
  premium?: boolean;
  version?: number;
}

/**
 * An article from a text file: `# key: value` header lines are dropped (a `# title:` header gives
 * the title), otherwise the first line is the title; paragraphs are separated by blank lines;
 * separator lines (`----`) are dropped. The teaser is the first sentence of the first paragraph.
 */
export function articleFromText(text: string, opts: ArticleOptions): Article {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let title: string | undefined;
  const body: string[] = [];
  for (const line of lines) {
    const header = /^#\s*([a-z]+):\s*(.*)$/i.exec(line);
    if (header) {
      if (header[1].toLowerCase() === "title") title = header[2].trim();
      continue;
    }
    if (/^\s*-{4,}\s*$/.test(line)) {
      body.push("");
      continue;
    }
    body.push(line);
  }
  const blocks = body.join("\n").split(/\n\s*\n/).map((b) => b.replace(/\s+/g, " ").trim()).filter((b) => b !== "");
  if (title === undefined) title = blocks.shift() ?? "";
  const first = blocks[0] ?? "";
  const teaser = /^.*?[.!?](?=\s|$)/.exec(first)?.[0] ?? first;
  return {
    id: opts.id,
    version: opts.version ?? 1,
    premium: opts.premium ?? false,
    language: opts.language,
    title,
    teaser,
    paragraphs: blocks,
    metadata: { seoTitle: title, keywords: [], section: "culture" },
  };
}

import { mulberry32 as random } from "../random";

/** Deterministic PRNG (mulberry32). */
export { random };

export type EditKind = "typo" | "metadata" | "teaser" | "add-paragraph" | "remove-paragraph" | "reorder" | "no-change";

/**
 * Share of each kind of save in a newsroom's edit stream: most saves fix a typo or touch SEO
 * metadata only; fewer rewrite the teaser or add, remove or move paragraphs.
 */
export const EDIT_MIX: [EditKind, number][] = [
  ["typo", 0.4],
  ["metadata", 0.25],
  ["teaser", 0.1],
  ["add-paragraph", 0.1],
  ["no-change", 0.05],
  ["remove-paragraph", 0.05],
  ["reorder", 0.05],
];

function pick<T>(rand: () => number, items: T[]): T {
  return items[Math.floor(rand() * items.length)];
}

/** Swaps two adjacent letters of one word of `text` (a typo, or its fix). */
function typo(text: string, rand: () => number): string {
  const words = [...text.matchAll(/\p{L}{4,}/gu)];
  if (words.length === 0) return `${text} `;
  const w = pick(rand, words);
  const i = 1 + Math.floor(rand() * (w[0].length - 2));
  const chars = [...w[0]];
  [chars[i - 1], chars[i]] = [chars[i], chars[i - 1]];
  return text.slice(0, w.index!) + chars.join("") + text.slice(w.index! + w[0].length);
}

/** Applies one edit of `kind` to `a`, returning the next version. */
export function applyEdit(a: Article, kind: EditKind, rand: () => number): Article {
  const next: Article = { ...a, version: a.version + 1, paragraphs: [...a.paragraphs], metadata: { ...a.metadata } };
  switch (kind) {
    case "typo": {
      if (next.paragraphs.length === 0) break;
      const i = Math.floor(rand() * next.paragraphs.length);
      next.paragraphs[i] = typo(next.paragraphs[i], rand);
      break;
    }
    case "metadata":
      next.metadata.seoTitle = `${a.title} (${Math.floor(rand() * 1000)})`;
      next.metadata.updatedBy = pick(rand, ["desk", "seo", "editor"]);
      break;
    case "teaser":
      next.teaser = typo(`${a.teaser}`, rand);
      break;
    case "add-paragraph": {
      const source = a.paragraphs.length > 0 ? pick(rand, a.paragraphs) : a.teaser;
      const sentence = /^.*?[.!?](?=\s|$)/.exec(source)?.[0] ?? source;
      next.paragraphs.splice(Math.floor(rand() * (next.paragraphs.length + 1)), 0, `Update ${a.version + 1}: ${sentence}`);
      break;
    }
    case "remove-paragraph":
      if (next.paragraphs.length > 1) next.paragraphs.splice(Math.floor(rand() * next.paragraphs.length), 1);
      break;
    case "reorder":
      if (next.paragraphs.length > 1) {
        const i = Math.floor(rand() * (next.paragraphs.length - 1));
        [next.paragraphs[i], next.paragraphs[i + 1]] = [next.paragraphs[i + 1], next.paragraphs[i]];
      }
      break;
    case "no-change":
      break;
  }
  return next;
}

/** Draws an edit kind from `EDIT_MIX`. */
export function drawEdit(rand: () => number): EditKind {
  let r = rand();
  for (const [kind, share] of EDIT_MIX) {
    if (r < share) return kind;
    r -= share;
  }
  return EDIT_MIX[0][0];
}

/** `saves` versions after `first` (inclusive of `first`), edits drawn from `EDIT_MIX`. */
export function editStream(first: Article, saves: number, seed: number): { article: Article; edit?: EditKind }[] {
  const rand = random(seed);
  const out: { article: Article; edit?: EditKind }[] = [{ article: first }];
  let current = first;
  for (let i = 0; i < saves; i++) {
    const edit = drawEdit(rand);
    current = applyEdit(current, edit, rand);
    out.push({ article: current, edit });
  }
  return out;
}
