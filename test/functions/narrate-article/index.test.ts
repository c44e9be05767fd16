import { strict as assert } from "node:assert";
import { mockClient } from "aws-sdk-client-mock";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PollyClient, StartSpeechSynthesisTaskCommand } from "@aws-sdk/client-polly";
import type { SNSEvent } from "aws-lambda";
import type * as Index from "../../../functions/narrate-article/index";
import { tale, VOICES } from "../../helpers/narration";

const ENV = { AWS_REGION: "eu-central-1", FRAGMENTS_BUCKET: "news-qa-fragments", VOICES: JSON.stringify(VOICES) };

function snsEvent(messages: string[]): SNSEvent {
  return { Records: messages.map((Message, i) => ({ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: "arn:x", Sns: { MessageId: `m-${i}`, Message } as any })) };
}

describe("narrate-article handler", () => {
  let index: typeof Index;
  const saved = { ...process.env };
  before(() => {
    Object.assign(process.env, ENV);
    index = require("../../../functions/narrate-article/index") as typeof Index;
  });
  after(() => { process.env = saved; });

  it("reads its environment once, naming what is missing or malformed", () => {
    assert.deepEqual(index.loadConfig(ENV), { region: "eu-central-1", fragmentsBucket: "news-qa-fragments", voices: VOICES });
    assert.throws(() => index.loadConfig({ ...ENV, FRAGMENTS_BUCKET: "" }), /environment variable FRAGMENTS_BUCKET is required/);
    assert.throws(() => index.loadConfig({ ...ENV, VOICES: "{" }), /VOICES must be a JSON object/);
    assert.throws(() => index.loadConfig({ ...ENV, VOICES: "{}" }), /VOICES must be a non-empty JSON object/);
    assert.throws(() => index.loadConfig({ ...ENV, VOICES: JSON.stringify({ en: { voiceId: "Joanna" } }) }), /VOICES: 'en' must have voiceId, noticeText/);
  });

  it("narrates each SNS record and fails the invocation on a malformed one, naming message and field", async () => {
    const s3 = mockClient(S3Client);
    const polly = mockClient(PollyClient);
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: "no" }));
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    polly.on(StartSpeechSynthesisTaskCommand).resolves({ SynthesisTask: { TaskId: "t-1" } });
    const handler = index.createHandler(index.loadConfig(ENV), { s3: new S3Client({}), polly: new PollyClient({}) });
    const logs: string[] = [];
    const orig = { log: console.log, error: console.error };
    console.log = (l: string) => logs.push(l);
    console.error = (l: string) => logs.push(l);
    try {
      await handler(snsEvent([JSON.stringify(tale("redCap", { id: "rc" }))]));
      assert.equal(polly.commandCalls(StartSpeechSynthesisTaskCommand).length, tale("redCap").paragraphs.length + 1);
      await assert.rejects(handler(snsEvent([JSON.stringify({ ...tale("redCap"), language: 7 })])), /SNS message m-0: language: expected a language code/);
    } finally {
      Object.assign(console, orig);
    }
    const lines = logs.map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(lines[0]).sort(), ["billedCharacters", "id", "inProgress", "level", "message", "present", "started", "status", "version"]);
    assert.equal(lines[1].level, "error");
    assert.ok(!logs.join("").includes("Little Red-Cap"), "never logs the article text");
  });
});
