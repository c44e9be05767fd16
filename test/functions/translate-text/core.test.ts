import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import {
  DetectedLanguageLowConfidenceException,
  TooManyRequestsException,
  TranslateClient,
  TranslateTextCommand,
  UnsupportedLanguagePairException,
  type TranslateTextCommandInput,
} from "@aws-sdk/client-translate";
import { mapBounded, parseRequest, translateMasked, TranslateError } from "../../../functions/translate-text/core";

const DIR = path.resolve(__dirname, "..", "..", "fixtures", "articles");
const EN = fs.readFileSync(path.join(DIR, "en_grimm_khm-026_little_red-cap_1884_hunt.md"), "utf8");

const translate = mockClient(TranslateClient);
const client = new TranslateClient({ region: "us-east-1" });
const noSleep = async () => {};

/** A fake translation: upper-cases the text, so order and joins can be checked. */
function fakeTranslate(input: TranslateTextCommandInput) {
  return { TranslatedText: `[${input.Text!.toUpperCase()}]`, SourceLanguageCode: input.SourceLanguageCode === "auto" ? "en" : input.SourceLanguageCode, TargetLanguageCode: input.TargetLanguageCode };
}

describe("translate-text core", () => {
  beforeEach(() => translate.reset());

  it("sends every chunk with Profanity MASK, source and target, and joins in input order keeping the whitespace between chunks", async () => {
    translate.on(TranslateTextCommand).callsFake(fakeTranslate);
    const result = await translateMasked({ text: EN, targetLanguage: "de", sourceLanguage: "en", formality: "FORMAL" }, client, { maxBytes: 1000, concurrency: 3, sleep: noSleep });
    const calls = translate.commandCalls(TranslateTextCommand);
    assert.ok(calls.length >= 8, `expected ≥ 8 requests, got ${calls.length}`);
    for (const c of calls) {
      const input = c.args[0].input;
      assert.deepEqual(input.Settings, { Profanity: "MASK", Formality: "FORMAL" });
      assert.equal(input.SourceLanguageCode, "en");
      assert.equal(input.TargetLanguageCode, "de");
      assert.ok(Buffer.byteLength(input.Text!, "utf8") <= 1000);
      assert.equal(input.Text, input.Text!.trim(), "whitespace around a chunk is not sent");
    }
    // Rebuild the expected output from the requests: each sent text in brackets, in input order.
    let expected = EN;
    const sent = calls.map((c) => c.args[0].input.Text!);
    let at = 0;
    let rebuilt = "";
    for (const s of sent) {
      const i = expected.indexOf(s, at);
      assert.ok(i >= 0);
      rebuilt += expected.slice(at, i) + `[${s.toUpperCase()}]`;
      at = i + s.length;
    }
    rebuilt += expected.slice(at);
    assert.equal(result.translatedText, rebuilt);
    assert.deepEqual({ ...result, translatedText: "" }, { translatedText: "", sourceLanguage: "en", targetLanguage: "de", profanity: "MASK", chunks: calls.length });
  });

  it("with source auto, translates the first chunk alone and uses the detected language for the others", async () => {
    translate.on(TranslateTextCommand).callsFake((input: TranslateTextCommandInput) => ({
      TranslatedText: "x", SourceLanguageCode: input.SourceLanguageCode === "auto" ? "en" : input.SourceLanguageCode, TargetLanguageCode: "fr",
    }));
    const result = await translateMasked({ text: EN, targetLanguage: "fr" }, client, { maxBytes: 2000, sleep: noSleep });
    const sources = translate.commandCalls(TranslateTextCommand).map((c) => c.args[0].input.SourceLanguageCode);
    assert.equal(sources[0], "auto");
    assert.ok(sources.length > 2 && sources.slice(1).every((s) => s === "en"));
    assert.equal(result.sourceLanguage, "en");
  });

  it("refuses a text detected as the target language (Translate would not mask it)", async () => {
    translate.on(TranslateTextCommand).resolves({ TranslatedText: "same", SourceLanguageCode: "en", TargetLanguageCode: "en" });
    await assert.rejects(translateMasked({ text: "Hello there.", targetLanguage: "en" }, client), (e: TranslateError) =>
      e.code === "SameLanguage" && /detected the text as 'en', the target language/.test(e.message));
  });

  it("retries throttling with growing backoff, then succeeds", async () => {
    const throttled = new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} });
    translate.on(TranslateTextCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ TranslatedText: "Hallo.", SourceLanguageCode: "en", TargetLanguageCode: "de" });
    const delays: number[] = [];
    const result = await translateMasked({ text: "Hello.", targetLanguage: "de", sourceLanguage: "en" }, client, { sleep: async (ms) => { delays.push(ms); }, random: () => 1, baseDelayMs: 100 });
    assert.equal(result.translatedText, "Hallo.");
    assert.deepEqual(delays, [100, 200]);
    assert.equal(translate.commandCalls(TranslateTextCommand).length, 3);
  });

  it("gives up after maxAttempts with a Throttled error naming the chunk and the attempts", async () => {
    translate.on(TranslateTextCommand).rejects(new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} }));
    await assert.rejects(translateMasked({ text: "Hello.", targetLanguage: "de", sourceLanguage: "en" }, client, { sleep: noSleep, maxAttempts: 3 }),
      (e: TranslateError) => e.code === "Throttled" && /throttled chunk 0 3 time\(s\) \(TooManyRequestsException\)/.test(e.message));
    assert.equal(translate.commandCalls(TranslateTextCommand).length, 3);
  });

  it("maps an unsupported language pair and a low-confidence detection to clear errors, without retrying", async () => {
    translate.on(TranslateTextCommand).rejects(new UnsupportedLanguagePairException({ message: "Unsupported language pair: en to xx", $metadata: {} }));
    await assert.rejects(translateMasked({ text: "Hello.", targetLanguage: "kk", sourceLanguage: "en" }, client, { sleep: noSleep }),
      (e: TranslateError) => e.code === "UnsupportedLanguagePair" && /does not translate English \(en\) to Kazakh \(kk\)/.test(e.message));
    assert.equal(translate.commandCalls(TranslateTextCommand).length, 1);
    translate.reset();
    translate.on(TranslateTextCommand).rejects(new DetectedLanguageLowConfidenceException({ message: "low", $metadata: {} }));
    await assert.rejects(translateMasked({ text: "Hm.", targetLanguage: "de" }, client), (e: TranslateError) => e.code === "LanguageNotDetected");
  });

  it("refuses targets Translate cannot mask profanity in, same languages and unknown codes before calling anything", async () => {
    for (const target of ["hi", "vi", "bn", "ml", "pa", "si"]) {
      await assert.rejects(translateMasked({ text: "Hello.", targetLanguage: target }, client),
        (e: TranslateError) => e.code === "ProfanityMaskingUnsupported" && e.message.includes(`'${target}'`) && /cannot mask profanity/.test(e.message));
    }
    await assert.rejects(translateMasked({ text: "Hello.", targetLanguage: "de", sourceLanguage: "de" }, client), (e: TranslateError) => e.code === "SameLanguage");
    await assert.rejects(translateMasked({ text: "Hello.", targetLanguage: "xx" }, client), (e: TranslateError) => e.code === "UnknownLanguage" && /'xx' is not a language/.test(e.message));
    assert.equal(translate.commandCalls(TranslateTextCommand).length, 0);
  });

  it("accepts codes in any case and sends Translate's spelling", async () => {
    translate.on(TranslateTextCommand).resolves({ TranslatedText: "x", SourceLanguageCode: "en", TargetLanguageCode: "zh-TW" });
    await translateMasked({ text: "Hello.", targetLanguage: "ZH-tw", sourceLanguage: "EN" }, client);
    assert.equal(translate.commandCalls(TranslateTextCommand)[0].args[0].input.TargetLanguageCode, "zh-TW");
  });

  describe("parseRequest", () => {
    it("refuses any attempt to change the profanity setting, unknown fields and bad values", () => {
      assert.throws(() => parseRequest({ text: "a", targetLanguage: "de", profanity: "OFF" }), /profanity is always MASK and cannot be changed; got "OFF"/);
      assert.throws(() => parseRequest({ text: "a", targetLanguage: "de", settings: { Profanity: null } }), /unknown field\(s\) settings/);
      assert.throws(() => parseRequest({ text: "", targetLanguage: "de" }), /text must be a non-empty string/);
      assert.throws(() => parseRequest({ text: "a", targetLanguage: "de", formality: "casual" }), /formality must be FORMAL or INFORMAL/);
      assert.throws(() => parseRequest("text"), /must be a JSON object/);
      assert.deepEqual(parseRequest({ text: "a", targetLanguage: "de", profanity: "MASK" }), { text: "a", targetLanguage: "de" });
    });
  });

  describe("mapBounded", () => {
    it("never has more than the limit in flight and keeps results in order", async () => {
      let inFlight = 0;
      let peak = 0;
      const out = await mapBounded([50, 10, 30, 5, 20, 1], 2, async (ms, i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, ms));
        inFlight--;
        return i;
      });
      assert.deepEqual(out, [0, 1, 2, 3, 4, 5]);
      assert.equal(peak, 2);
    });
  });
});
