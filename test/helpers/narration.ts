/** Articles made from the public-domain tales in test/fixtures/narration, and the voices of the tests. */
import * as fs from "node:fs";
import * as path from "node:path";
import { articleFromText } from "../../tools/narration/articles";
import type { Article, VoiceSettings } from "../../functions/shared/narration";

export const ARTICLES_DIR = path.resolve(__dirname, "..", "fixtures", "narration");

export const TALES = {
  rotkaeppchen: { file: "de_grimm_khm-026_rothkaeppchen_1857.md", language: "de" },
  redCap: { file: "en_grimm_khm-026_little_red-cap_1884_hunt.md", language: "en" },
  motherHolle: { file: "en_gutenberg11027_mother_holle.txt", language: "en" },
} as const;

export function tale(name: keyof typeof TALES, opts: { id?: string; premium?: boolean; version?: number } = {}): Article {
  const t = TALES[name];
  return articleFromText(fs.readFileSync(path.join(ARTICLES_DIR, t.file), "utf8"), {
    id: opts.id ?? name, language: t.language, premium: opts.premium, version: opts.version,
  });
}

export const VOICES: Record<string, VoiceSettings> = {
  en: { voiceId: "Joanna", noticeText: "Subscribe to listen to the whole article." },
  de: { voiceId: "Vicki", engine: "neural", noticeText: "Mit einem Abo hören Sie den ganzen Artikel." },
};
