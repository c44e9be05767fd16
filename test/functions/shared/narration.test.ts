import { strict as assert } from "node:assert";
import { SaxesParser } from "saxes";
import {
  billedCharacters,
  escapeXml,
  fragmentHash,
  fragmentRequest,
  hashOfFragmentKey,
  articleOfLatestKey,
  noticeSsml,
  parseArticle,
  parseArticleJson,
  planReport,
  planVersion,
  spokenUnits,
  KEYS,
  type Article,
} from "../../../functions/shared/narration";
import { tale, VOICES } from "../../helpers/narration";

/** Text content of an SSML document as an XML parser reads it (throws when not well-formed). */
function xmlText(ssml: string): string {
  const p = new SaxesParser();
  let text = "";
  let err: Error | undefined;
  p.on("text", (t) => { text += t; });
  p.on("error", (e) => { err = e; });
  p.write(ssml).close();
  if (err) throw err;
  return text;
}

const next = (a: Article, change: (b: Article) => void): Article => {
  const b: Article = structuredClone(a);
  b.version = a.version + 1;
  change(b);
  return b;
};

describe("narration: SSML", () => {
  it("builds one well-formed document per spoken unit that keeps &, < and quotes", () => {
    const a: Article = { ...tale("redCap"), title: `Tom & Jerry <live> "quoted" 'single'`, teaser: "A < B && C > D", paragraphs: ["Fish & chips", "", "  x\n y  "] };
    const units = spokenUnits(a);
    assert.deepEqual(units.map((u) => u.kind), ["intro", "paragraph", "paragraph"]);
    assert.deepEqual(units.map((u) => u.index), [undefined, 0, 2]);
    assert.equal(xmlText(units[0].ssml), `Tom & Jerry <live> "quoted" 'single'A < B && C > D`);
    assert.equal(xmlText(units[1].ssml), "Fish & chips");
    assert.equal(xmlText(units[2].ssml), "x y");
    assert.equal(units[1].ssml, `<speak><p>Fish &amp; chips</p><break time="600ms"/></speak>`);
    for (const u of spokenUnits(tale("rotkaeppchen"))) assert.doesNotThrow(() => xmlText(u.ssml));
    assert.equal(xmlText(noticeSsml({ voiceId: "Joanna", noticeText: "Subscribe & <listen>" })), "Subscribe & <listen>");
  });

  it("escapes the five XML specials", () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  });

  it("counts billed characters as Polly does: decoded text, tags not counted", () => {
    assert.equal(billedCharacters(`<speak><p>Fish &amp; chips</p><break time="600ms"/></speak>`), "Fish & chips".length);
    assert.equal(billedCharacters(`<speak>Größe</speak>`), 5);
    assert.throws(() => billedCharacters("<speak>a & b</speak>"), /not well-formed XML/);
  });

  it("hashes everything Polly is asked: SSML, voice, engine, language code, format", () => {
    const ssml = spokenUnits(tale("redCap"))[1].ssml;
    const base = fragmentHash(fragmentRequest(ssml, { voiceId: "Joanna", noticeText: "n" }));
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(fragmentHash(fragmentRequest(ssml, { voiceId: "Joanna", engine: "neural", noticeText: "other" })), base);
    assert.notEqual(fragmentHash(fragmentRequest(ssml, { voiceId: "Matthew", noticeText: "n" })), base);
    assert.notEqual(fragmentHash(fragmentRequest(ssml, { voiceId: "Joanna", engine: "standard", noticeText: "n" })), base);
    assert.notEqual(fragmentHash(fragmentRequest(ssml, { voiceId: "Joanna", languageCode: "en-GB", noticeText: "n" })), base);
    assert.notEqual(fragmentHash(fragmentRequest(ssml.replace("</p>", " </p>"), { voiceId: "Joanna", noticeText: "n" })), base);
  });
});

describe("narration: incremental plan on the shared articles", () => {
  const first = tale("rotkaeppchen", { id: "rk-1" });
  const full = planReport(first, undefined, VOICES);

  it("first publication synthesizes every distinct fragment", () => {
    assert.equal(full.fragments, 1 + first.paragraphs.length);
    assert.deepEqual(full.toSynthesize, [...new Set(full.manifest)]);
    assert.equal(full.billedCharacters, full.fullCharacters);
    const text = [first.title, first.teaser, ...first.paragraphs].map((s) => s.replace(/\s+/g, " ").trim()).join("");
    assert.equal(full.fullCharacters, [...text].length);
  });

  it("a typo fix synthesizes only its paragraph", () => {
    const fixed = next(first, (b) => { b.paragraphs[2] = b.paragraphs[2].replace("Rothkäppchen", "Rotkäppchen"); });
    const r = planReport(fixed, first, VOICES);
    assert.equal(r.toSynthesize.length, 1);
    assert.equal(r.toSynthesize[0], r.manifest[3]);
    assert.equal(r.billedCharacters, [...fixed.paragraphs[2].replace(/\s+/g, " ").trim()].length);
    assert.equal(r.fullCharacters, full.fullCharacters - 1);
  });

  it("an added paragraph synthesizes that paragraph only", () => {
    const added = next(first, (b) => { b.paragraphs.splice(1, 0, "Nachtrag: Der Jäger erzählte es später im Dorf."); });
    const r = planReport(added, first, VOICES);
    assert.deepEqual(r.toSynthesize, [r.manifest[2]]);
    assert.equal(r.fragments, full.fragments + 1);
    assert.equal(r.billedCharacters, "Nachtrag: Der Jäger erzählte es später im Dorf.".length);
  });

  it("a changed teaser synthesizes the intro only", () => {
    const r = planReport(next(first, (b) => { b.teaser = "Ein Wolf, eine Großmutter & ein Jäger."; }), first, VOICES);
    assert.deepEqual(r.toSynthesize, [r.manifest[0]]);
    assert.equal(r.billedCharacters, [...`${first.title}Ein Wolf, eine Großmutter & ein Jäger.`].length);
  });

  it("metadata-only, removal, reordering and whitespace saves synthesize nothing", () => {
    const saves = [
      next(first, (b) => { b.metadata = { seoTitle: "Rotkäppchen – das Original", keywords: ["wolf"] }; }),
      next(first, (b) => { b.paragraphs.splice(3, 1); }),
      next(first, (b) => { [b.paragraphs[0], b.paragraphs[1]] = [b.paragraphs[1], b.paragraphs[0]]; }),
      next(first, (b) => { b.paragraphs[0] = `  ${b.paragraphs[0].replace(/ /g, "\n")} `; }),
    ];
    for (const s of saves) {
      const r = planReport(s, first, VOICES);
      assert.deepEqual(r.toSynthesize, []);
      assert.equal(r.billedCharacters, 0);
    }
    const reordered = planReport(saves[2], first, VOICES);
    assert.deepEqual(reordered.manifest.slice(1, 3), [full.manifest[2], full.manifest[1]]);
  });

  it("does not count the premium notice, but the function's plan includes it", () => {
    const premium = { ...first, premium: true };
    assert.equal(planReport(premium, undefined, VOICES).fullCharacters, full.fullCharacters);
    const plan = planVersion(premium, VOICES);
    assert.ok(plan.manifest.notice && plan.fragments.has(plan.manifest.notice));
    assert.equal(plan.fragments.size, new Set(full.manifest).size + 1);
  });

  it("refuses a version that is not newer, another article, and a language without voice", () => {
    assert.throws(() => planReport(first, first, VOICES), /version 1 is not newer than the previous version 1/);
    assert.throws(() => planReport({ ...first, version: 2 }, { ...first, id: "other" }, VOICES), /previous version is of article 'other', not 'rk-1'/);
    assert.throws(() => planReport({ ...first, language: "fr" }, undefined, VOICES), /no voice configured for language 'fr' \(configured: de, en\)/);
    assert.equal(planReport({ ...first, language: "de-AT" }, undefined, VOICES).manifest[0], full.manifest[0]);
  });
});

describe("narration: messages and keys", () => {
  it("names the source and the field of a bad message", () => {
    const good = tale("motherHolle");
    assert.throws(() => parseArticleJson("{", "a.json"), /^ArticleError: a\.json: \(json\): is not valid JSON/);
    assert.throws(() => parseArticle([], "a.json"), /a\.json: \(message\): expected a JSON object/);
    const { version: _v, ...noVersion } = good;
    assert.throws(() => parseArticle(noVersion, "a.json"), /a\.json: version: is required/);
    assert.throws(() => parseArticle({ ...good, version: 1.5 }, "a.json"), /a\.json: version: expected a whole number/);
    assert.throws(() => parseArticle({ ...good, paragraphs: ["x", 3] }, "a.json"), /a\.json: paragraphs\.1: expected a string/);
    assert.throws(() => parseArticle({ ...good, id: "../etc" }, "a.json"), /a\.json: id: expected letters/);
    assert.throws(() => parseArticle({ ...good, premium: "yes" }, "a.json"), /a\.json: premium: expected true or false/);
    assert.equal(parseArticle(good, "a.json").id, "motherHolle");
  });

  it("maps keys both ways", () => {
    const h = "a".repeat(64);
    assert.equal(hashOfFragmentKey(`${KEYS.fragmentPrefix(h)}0f1e2d3c-task.mp3`), h);
    assert.equal(hashOfFragmentKey(`fragments/${h}/x/y.mp3`), undefined);
    assert.equal(articleOfLatestKey(KEYS.latest("rk-1")), "rk-1");
    assert.equal(articleOfLatestKey("latest/../x.json"), undefined);
    assert.equal(KEYS.audio({ id: "rk-1", version: 7, premium: true }, "teaser"), "premium/rk-1/7/teaser.mp3");
    assert.equal(KEYS.audio({ id: "rk-1", version: 7, premium: false }, "full"), "free/rk-1/7/full.mp3");
  });
});
