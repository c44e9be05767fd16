import { strict as assert } from "node:assert";
import { mockClient } from "aws-sdk-client-mock";
import { TranslateClient, TranslateTextCommand } from "@aws-sdk/client-translate";
import type * as Index from "../../../functions/translate-text/index";

describe("translate-text handler", () => {
  let mod: typeof Index;
  const translate = mockClient(TranslateClient);
  const saved = process.env.AWS_REGION;
  before(() => {
    process.env.AWS_REGION = "us-east-1";
    mod = require("../../../functions/translate-text/index") as typeof Index;
  });
  after(() => {
    if (saved === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved;
  });
  beforeEach(() => translate.reset());

  it("reads its configuration, naming a bad variable", () => {
    assert.deepEqual(mod.loadConfig({ AWS_REGION: "eu-west-1" }), { region: "eu-west-1", concurrency: 4, maxAttempts: 6 });
    assert.throws(() => mod.loadConfig({ AWS_REGION: "eu-west-1", MAX_CONCURRENCY: "0" }), /environment variable MAX_CONCURRENCY must be a whole number from 1 to 32; got '0'/);
    assert.throws(() => mod.loadConfig({}), /environment variable AWS_REGION is required/);
  });

  it("returns the masked translation and fails refusals with the reason as errorType", async () => {
    translate.on(TranslateTextCommand).resolves({ TranslatedText: "Hallo.", SourceLanguageCode: "en", TargetLanguageCode: "de" });
    const handler = mod.createHandler({ region: "us-east-1", concurrency: 2, maxAttempts: 2 }, new TranslateClient({ region: "us-east-1" }));
    assert.deepEqual(await handler({ text: "Hello.", targetLanguage: "de", sourceLanguage: "en" }),
      { translatedText: "Hallo.", sourceLanguage: "en", targetLanguage: "de", profanity: "MASK", chunks: 1 });
    await assert.rejects(handler({ text: "Hello.", targetLanguage: "hi" }), (e: Error) => e.name === "ProfanityMaskingUnsupported" && /cannot mask profanity/.test(e.message));
    await assert.rejects(handler({ text: "Hello.", targetLanguage: "de", profanity: "NONE" }), (e: Error) => e.name === "InvalidRequest");
    assert.equal(translate.commandCalls(TranslateTextCommand).length, 1);
  });
});
