import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { chunkText, TRANSLATE_MAX_BYTES, utf8Bytes } from "../../../functions/translate-text/chunk";

const DIR = path.resolve(__dirname, "..", "..", "fixtures", "articles");
const DE = fs.readFileSync(path.join(DIR, "de_grimm_khm-026_rothkaeppchen_1857.md"), "utf8");
const EN = fs.readFileSync(path.join(DIR, "en_grimm_khm-026_little_red-cap_1884_hunt.md"), "utf8");
const HOLLE = fs.readFileSync(path.join(DIR, "en_gutenberg11027_mother_holle.txt"), "utf8");

/** Sentence segments of `text` as the platform's segmenter sees them. */
function sentences(text: string, locale: string): string[] {
  return Array.from(new Intl.Segmenter(locale, { granularity: "sentence" }).segment(text), (s) => s.segment);
}

/** Offsets where sentences end (exclusive), i.e. where a chunk may end. */
function sentenceEnds(text: string, locale: string): Set<number> {
  const ends = new Set<number>();
  let at = 0;
  for (const s of sentences(text, locale)) ends.add((at += s.length));
  return ends;
}

describe("translate-text chunker", () => {
  it("the joined articles (over 10,000 bytes) give chunks under the limit that join back exactly, split at sentence ends", () => {
    const text = [DE, EN, HOLLE].join("\n\n");
    assert.ok(utf8Bytes(text) > TRANSLATE_MAX_BYTES);
    const chunks = chunkText(text, { locale: "de" });
    assert.ok(chunks.length >= 3, `expected at least 3 chunks, got ${chunks.length}`);
    assert.equal(chunks.map((c) => c.text).join(""), text);
    const ends = sentenceEnds(text, "de");
    let at = 0;
    chunks.forEach((c, i) => {
      assert.equal(c.index, i);
      assert.equal(c.bytes, Buffer.byteLength(c.text, "utf8"));
      assert.ok(c.bytes <= TRANSLATE_MAX_BYTES, `chunk ${i} has ${c.bytes} bytes`);
      at += c.text.length;
      assert.ok(ends.has(at), `chunk ${i} ends at offset ${at}, not at a sentence end`);
    });
  });

  it("packs whole sentences greedily: adding the next sentence would pass the limit", () => {
    const max = 1500;
    const chunks = chunkText(DE, { maxBytes: max, locale: "de" });
    const segs = sentences(DE, "de");
    let s = 0;
    for (const [i, c] of chunks.entries()) {
      let bytes = 0;
      while (bytes < c.bytes) bytes += utf8Bytes(segs[s++]);
      assert.equal(bytes, c.bytes, `chunk ${i} is not made of whole sentences`);
      if (i < chunks.length - 1) assert.ok(c.bytes + utf8Bytes(segs[s]) > max, `chunk ${i} could have taken the next sentence`);
    }
    assert.equal(s, segs.length);
  });

  it("counts bytes, not characters: German umlauts and ß take two bytes each", () => {
    const chunks = chunkText(DE, { maxBytes: 800, locale: "de" });
    assert.ok(chunks.some((c) => c.bytes > c.text.length), "expected multi-byte characters in some chunk");
    for (const c of chunks) assert.ok(c.bytes <= 800);
    assert.equal(chunks.map((c) => c.text).join(""), DE);
  });

  it("splits a single sentence over the limit at word boundaries", () => {
    const sentence = "Rotkäppchen ging mit dem Kuchen und dem Wein durch den großen dunklen Wald zur Großmutter. ";
    const chunks = chunkText(sentence, { maxBytes: 30, locale: "de" });
    assert.equal(chunks.map((c) => c.text).join(""), sentence);
    const words = new Set(Array.from(new Intl.Segmenter("de", { granularity: "word" }).segment(sentence), (s) => s.index));
    let at = 0;
    for (const c of chunks.slice(0, -1)) {
      at += c.text.length;
      assert.ok(words.has(at), `a chunk ends inside a word at offset ${at}: '${c.text}'`);
      assert.ok(c.bytes <= 30);
    }
  });

  it("cuts a word longer than the limit at grapheme clusters, never inside a character", () => {
    const word = "ä".repeat(10) + "👍🏽".repeat(3);
    const chunks = chunkText(word, { maxBytes: 8 });
    assert.equal(chunks.map((c) => c.text).join(""), word);
    for (const c of chunks) {
      assert.ok(c.bytes <= 8);
      assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(c.text, "utf8")));
      assert.ok(!/[\uD800-\uDBFF]$/.test(c.text), "a chunk ends with a lone high surrogate");
    }
  });

  it("gives no chunks for an empty text and one chunk for a short one", () => {
    assert.deepEqual(chunkText(""), []);
    assert.deepEqual(chunkText("Es war einmal."), [{ index: 0, bytes: 14, text: "Es war einmal." }]);
  });

  it("refuses a limit under 4 bytes or not a whole number", () => {
    assert.throws(() => chunkText("x", { maxBytes: 3 }), /\[maxBytes\] must be a whole number ≥ 4; got 3/);
    assert.throws(() => chunkText("x", { maxBytes: 10.5 }), /\[maxBytes\]/);
  });
});
