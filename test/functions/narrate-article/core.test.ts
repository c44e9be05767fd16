import { strict as assert } from "node:assert";
import { mockClient } from "aws-sdk-client-mock";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { PollyClient, StartSpeechSynthesisTaskCommand, ServiceQuotaExceededException } from "@aws-sdk/client-polly";
import { narrateArticle, type NarrateConfig } from "../../../functions/narrate-article/core";
import { KEYS, planVersion, type Article, type Manifest } from "../../../functions/shared/narration";
import { tale, VOICES } from "../../helpers/narration";

const BUCKET = "mlz-qa-narration-fragments";
const CONFIG: NarrateConfig = { fragmentsBucket: BUCKET, voices: VOICES };

function preconditionFailed(): S3ServiceException {
  return new S3ServiceException({ name: "PreconditionFailed", $fault: "client", $metadata: { httpStatusCode: 412 }, message: "At least one of the pre-conditions you specified did not hold" });
}

/** An in-memory fragments bucket behind the S3 mock: objects, ETags, conditional writes. */
function fakeBucket(s3: ReturnType<typeof mockClient>, initial: Record<string, string> = {}) {
  const objects = new Map<string, { body: string; etag: string }>();
  let n = 0;
  const put = (key: string, body: string) => objects.set(key, { body, etag: `"etag-${++n}"` });
  for (const [k, v] of Object.entries(initial)) put(k, v);
  s3.on(GetObjectCommand).callsFake((input) => {
    const o = objects.get(input.Key);
    if (!o) throw new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: "The specified key does not exist." });
    return { ETag: o.etag, Body: { transformToString: async () => o.body } };
  });
  s3.on(ListObjectsV2Command).callsFake((input) => {
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix)).sort().slice(0, input.MaxKeys ?? 1000);
    return { KeyCount: keys.length, Contents: keys.map((Key) => ({ Key })) };
  });
  s3.on(PutObjectCommand).callsFake((input) => {
    const existing = objects.get(input.Key);
    if (input.IfNoneMatch === "*" && existing) throw preconditionFailed();
    if (input.IfMatch !== undefined && existing?.etag !== input.IfMatch) throw preconditionFailed();
    put(input.Key, String(input.Body));
    return { ETag: objects.get(input.Key)!.etag };
  });
  s3.on(DeleteObjectCommand).callsFake((input) => { objects.delete(input.Key); return {}; });
  return { objects, put };
}

function setup(initial: Record<string, string> = {}) {
  const s3 = mockClient(S3Client);
  const polly = mockClient(PollyClient);
  let task = 0;
  polly.on(StartSpeechSynthesisTaskCommand).callsFake(() => ({ SynthesisTask: { TaskId: `task-${++task}`, TaskStatus: "scheduled" } }));
  const bucket = fakeBucket(s3, initial);
  const clients = { s3: new S3Client({ region: "us-east-1" }), polly: new PollyClient({ region: "us-east-1" }) };
  return { s3, polly, bucket, clients };
}

/** Marks every fragment of `a` as synthesized, as Polly's output would. */
function synthesized(a: Article, bucket: { put: (k: string, b: string) => void }) {
  for (const h of planVersion(a, VOICES).fragments.keys()) bucket.put(`${KEYS.fragmentPrefix(h)}done.mp3`, "mp3");
}

describe("narrate-article core", () => {
  const first = tale("redCap", { id: "red-cap" });

  it("first publication: claims and starts one Polly task per distinct fragment with the exact request, then writes the manifest", async () => {
    const { s3, polly, bucket, clients } = setup();
    const plan = planVersion(first, VOICES);
    const r = await narrateArticle(first, CONFIG, clients);
    assert.equal(r.status, "narrated");
    assert.equal(r.started.length, plan.fragments.size);
    const calls = polly.commandCalls(StartSpeechSynthesisTaskCommand).map((c) => c.args[0].input);
    const [hash, f] = [...plan.fragments.entries()][1];
    assert.deepEqual(calls[1], {
      Engine: "neural",
      OutputFormat: "mp3",
      OutputS3BucketName: BUCKET,
      OutputS3KeyPrefix: `fragments/${hash}/`,
      SampleRate: "24000",
      Text: f.request.ssml,
      TextType: "ssml",
      VoiceId: "Joanna",
    });
    assert.deepEqual(s3.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.Key === `claims/${hash}`).map((c) => c.args[0].input), [
      { Bucket: BUCKET, Key: `claims/${hash}`, Body: JSON.stringify({ id: "red-cap", version: 1 }), ContentType: "application/json", IfNoneMatch: "*" },
    ]);
    assert.ok(bucket.objects.has(`waiting/${hash}/red-cap`));
    const latestPut = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input).find((i) => i.Key === "latest/red-cap.json")!;
    assert.equal(latestPut.IfNoneMatch, "*");
    assert.deepEqual(JSON.parse(String(latestPut.Body)) as Manifest, plan.manifest);
    assert.equal(r.billedCharacters, [...plan.fragments.values()].reduce((n, x) => n + x.billedCharacters, 0));
  });

  it("a typo fix starts one task; the manifest replaces the latest only if unchanged (If-Match)", async () => {
    const { polly, s3, bucket, clients } = setup();
    await narrateArticle(first, CONFIG, clients);
    synthesized(first, bucket);
    const etag = bucket.objects.get("latest/red-cap.json")!.etag;
    polly.resetHistory();
    s3.resetHistory();
    const fixed: Article = { ...first, version: 2, paragraphs: first.paragraphs.map((p, i) => (i === 1 ? p.replace(/[A-Za-z]{4,}/, (w) => `${w}s`) : p)) };
    const r = await narrateArticle(fixed, CONFIG, clients);
    assert.equal(r.started.length, 1);
    assert.equal(polly.commandCalls(StartSpeechSynthesisTaskCommand)[0].args[0].input.Text, planVersion(fixed, VOICES).fragments.get(r.started[0].hash)!.request.ssml);
    const latestPut = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input).find((i) => i.Key === "latest/red-cap.json")!;
    assert.equal(latestPut.IfMatch, etag);
    assert.equal(JSON.parse(String(latestPut.Body)).version, 2);
  });

  it("metadata-only, removed and reordered saves synthesize nothing but still publish the manifest", async () => {
    const { polly, bucket, clients } = setup();
    synthesized(first, bucket);
    await narrateArticle(first, CONFIG, clients);
    let v = first;
    for (const change of [
      (a: Article) => ({ ...a, metadata: { seoTitle: "new" } }),
      (a: Article) => ({ ...a, paragraphs: a.paragraphs.slice(1) }),
      (a: Article) => ({ ...a, paragraphs: [...a.paragraphs].reverse() }),
    ]) {
      v = { ...change(v), version: v.version + 1 };
      const r = await narrateArticle(v, CONFIG, clients);
      assert.equal(r.status, "narrated");
      assert.deepEqual(r.started, []);
      assert.equal(JSON.parse(bucket.objects.get("latest/red-cap.json")!.body).version, v.version);
    }
    assert.equal(polly.commandCalls(StartSpeechSynthesisTaskCommand).length, 0);
  });

  it("duplicate delivery and an older version do nothing", async () => {
    const { polly, s3, clients } = setup();
    await narrateArticle({ ...first, version: 5 }, CONFIG, clients);
    polly.resetHistory();
    s3.resetHistory();
    assert.equal((await narrateArticle({ ...first, version: 5 }, CONFIG, clients)).status, "duplicate");
    assert.equal((await narrateArticle({ ...first, version: 4, title: "Old" }, CONFIG, clients)).status, "older");
    assert.equal(polly.commandCalls(StartSpeechSynthesisTaskCommand).length, 0);
    assert.equal(s3.commandCalls(PutObjectCommand).length, 0);
  });

  it("concurrent deliveries: a claimed fragment is not started twice", async () => {
    const { polly, bucket, clients } = setup();
    const plan = planVersion(first, VOICES);
    const claimed = [...plan.fragments.keys()][0];
    bucket.put(`claims/${claimed}`, "{}");
    const r = await narrateArticle(first, CONFIG, clients);
    assert.deepEqual(r.inProgress, [claimed]);
    assert.ok(!polly.commandCalls(StartSpeechSynthesisTaskCommand).some((c) => c.args[0].input.OutputS3KeyPrefix === `fragments/${claimed}/`));
  });

  it("a newer version written meanwhile wins the latest manifest", async () => {
    const { s3, bucket, clients } = setup();
    synthesized(first, bucket);
    // Another invocation writes version 3 between this one's read and its write.
    let raced = false;
    s3.on(PutObjectCommand, { Key: "latest/red-cap.json" }).callsFake(() => {
      if (!raced) {
        raced = true;
        bucket.put("latest/red-cap.json", JSON.stringify({ ...planVersion({ ...first, version: 3 }, VOICES).manifest }));
      }
      throw preconditionFailed();
    });
    const r = await narrateArticle({ ...first, version: 2 }, CONFIG, clients);
    assert.equal(r.status, "older");
    assert.equal(JSON.parse(bucket.objects.get("latest/red-cap.json")!.body).version, 3);
  });

  it("releases the claim when Polly refuses the task, so a redelivery can retry", async () => {
    const { polly, s3, bucket, clients } = setup();
    polly.on(StartSpeechSynthesisTaskCommand).rejects(new ServiceQuotaExceededException({ $metadata: {}, message: "quota", quotaCode: "input-stream-timeout", serviceCode: "polly" }));
    await assert.rejects(narrateArticle(first, CONFIG, clients), /quota/);
    const hash = [...planVersion(first, VOICES).fragments.keys()][0];
    assert.deepEqual(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input), [{ Bucket: BUCKET, Key: `claims/${hash}` }]);
    assert.ok(!bucket.objects.has("latest/red-cap.json"));
  });

  it("premium articles also synthesize the notice in the article's language", async () => {
    const { polly, clients } = setup();
    const de = tale("rotkaeppchen", { id: "rk", premium: true });
    await narrateArticle(de, CONFIG, clients);
    const texts = polly.commandCalls(StartSpeechSynthesisTaskCommand).map((c) => c.args[0].input);
    assert.ok(texts.every((t) => t.VoiceId === "Vicki"));
    assert.equal(texts.filter((t) => String(t.Text).includes("Mit einem Abo hören Sie den ganzen Artikel.")).length, 1);
  });
});
