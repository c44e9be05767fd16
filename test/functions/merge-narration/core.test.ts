import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import ffmpeg from "@ffmpeg-installer/ffmpeg";
import ffprobe from "@ffprobe-installer/ffprobe";
import { mergeArticle, teaserUnitHash, type MergeConfig } from "../../../functions/merge-narration/core";
import { articlesOf } from "../../../functions/merge-narration/events";
import { concatAudio } from "../../../functions/merge-narration/ffmpeg";
import { KEYS, planVersion, type Manifest } from "../../../functions/shared/narration";
import { tale, VOICES } from "../../helpers/narration";

const FRAGMENTS = "mlz-qa-narration-fragments";
const AUDIO = "mlz-qa-narration-audio";
const NOTICE_SOUND = path.resolve(__dirname, "..", "..", "..", "assets", "narration", "notice.mp3");

/** Duration in seconds, as FFmpeg's own probe reads it. */
function probe(file: string): number {
  const out = execFileSync(ffprobe.path, ["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", file]).toString();
  return Number(out.trim());
}

/** A fragment like Polly's: MP3, 24 kHz, mono, `seconds` long (FFmpeg's sine test source). */
function tone(file: string, seconds: number, hz: number): void {
  execFileSync(ffmpeg.path, ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", `sine=frequency=${hz}:duration=${seconds}:sample_rate=24000`,
    "-ac", "1", "-c:a", "libmp3lame", "-b:a", "48k", "-y", file]);
}

describe("merge-narration: FFmpeg concatenation (real FFmpeg)", function () {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-merge-test-")); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("copies frames without re-encoding; the merged duration is the sum of the parts", async () => {
    const parts = [1.2, 0.7, 2.05].map((s, i) => { const f = path.join(dir, `p${i}.mp3`); tone(f, s, 300 + 100 * i); return f; });
    const out = path.join(dir, "out.mp3");
    await concatAudio(ffmpeg.path, parts, out);
    const sum = parts.reduce((n, f) => n + probe(f), 0);
    assert.ok(Math.abs(probe(out) - sum) < 0.1, `merged ${probe(out)} s, parts ${sum} s`);
    assert.ok(!fs.existsSync(`${out}.txt`), "list file removed");
  });

  it("fails with FFmpeg's message on a broken input", async () => {
    const bad = path.join(dir, "bad.mp3");
    fs.writeFileSync(bad, "not audio");
    await assert.rejects(concatAudio(ffmpeg.path, [bad], path.join(dir, "x.mp3")), /^Error: ffmpeg failed/);
  });
});

describe("merge-narration core", function () {
  let dir: string;
  let work: string;
  const fragmentFiles = new Map<string, string>();
  const article = tale("motherHolle", { id: "mother-holle", premium: true, version: 4 });
  const plan = planVersion(article, VOICES);
  const config = (): MergeConfig => ({ fragmentsBucket: FRAGMENTS, audioBucket: AUDIO, noticeSoundKey: "assets/notice-sound.mp3", ffmpegPath: ffmpeg.path, workDir: work });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-merge-frag-"));
    work = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-merge-work-"));
    [...plan.fragments.keys()].forEach((h, i) => {
      const f = path.join(dir, `${h}.mp3`);
      tone(f, 0.4 + 0.1 * (i % 4), 200 + 40 * i);
      fragmentFiles.set(h, f);
    });
  });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); fs.rmSync(work, { recursive: true, force: true }); });

  /** S3 mock: fragments present (minus `missing`), the manifest, the notice sound; audio bucket empty unless `existing`. */
  function setup(opts: { missing?: string[]; existing?: string[]; manifest?: Manifest } = {}) {
    const s3 = mockClient(S3Client);
    const written = new Map<string, Buffer>();
    const fragmentKey = (h: string) => `${KEYS.fragmentPrefix(h)}task-${h.slice(0, 8)}.mp3`;
    s3.on(GetObjectCommand).callsFake((input) => {
      let bytes: Buffer | undefined;
      if (input.Bucket === FRAGMENTS && input.Key === KEYS.latest(article.id)) bytes = Buffer.from(JSON.stringify(opts.manifest ?? plan.manifest));
      else if (input.Bucket === FRAGMENTS && input.Key === "assets/notice-sound.mp3") bytes = fs.readFileSync(NOTICE_SOUND);
      else {
        const h = [...fragmentFiles.keys()].find((x) => fragmentKey(x) === input.Key);
        if (input.Bucket === FRAGMENTS && h) bytes = fs.readFileSync(fragmentFiles.get(h)!);
      }
      if (!bytes) throw new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: "no such key" });
      const b = bytes;
      return { ETag: '"e1"', Body: { transformToString: async () => b.toString("utf8"), transformToByteArray: async () => new Uint8Array(b) } };
    });
    s3.on(ListObjectsV2Command).callsFake((input) => {
      const h = /^fragments\/([0-9a-f]{64})\/$/.exec(input.Prefix)?.[1];
      const present = h && fragmentFiles.has(h) && !(opts.missing ?? []).includes(h);
      return present ? { KeyCount: 1, Contents: [{ Key: fragmentKey(h) }] } : { KeyCount: 0 };
    });
    s3.on(HeadObjectCommand).callsFake((input) => {
      if ((opts.existing ?? []).includes(input.Key)) return {};
      throw new NotFound({ $metadata: { httpStatusCode: 404 }, message: "Not Found" });
    });
    s3.on(PutObjectCommand).callsFake((input) => {
      if (input.IfNoneMatch === "*" && (written.has(input.Key) || (opts.existing ?? []).includes(input.Key))) {
        throw new S3ServiceException({ name: "PreconditionFailed", $fault: "client", $metadata: { httpStatusCode: 412 }, message: "precondition" });
      }
      written.set(input.Key, Buffer.from(input.Body as Uint8Array));
      return {};
    });
    const clients = { s3: new S3Client({ region: "us-east-1" }), concat: (i: string[], o: string) => concatAudio(ffmpeg.path, i, o) };
    return { s3, written, clients };
  }

  it("merges the full audio and the premium teaser once every fragment exists, written with If-None-Match", async () => {
    const { s3, written, clients } = setup();
    const r = await mergeArticle(article.id, config(), clients);
    assert.equal(r.status, "merged");
    assert.deepEqual(r.written, ["premium/mother-holle/4/teaser.mp3", "premium/mother-holle/4/full.mp3"]);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    for (const p of puts) {
      assert.equal(p.Bucket, AUDIO);
      assert.equal(p.IfNoneMatch, "*");
      assert.equal(p.ContentType, "audio/mpeg");
      assert.deepEqual(p.Metadata, { "article-id": "mother-holle", "article-version": "4" });
    }
    const full = path.join(dir, "full-out.mp3");
    fs.writeFileSync(full, written.get("premium/mother-holle/4/full.mp3")!);
    const expectedFull = plan.manifest.units.reduce((n, u) => n + probe(fragmentFiles.get(u.hash)!), 0);
    assert.ok(Math.abs(probe(full) - expectedFull) < 0.15, `full ${probe(full)} s vs ${expectedFull} s`);
    const teaser = path.join(dir, "teaser-out.mp3");
    fs.writeFileSync(teaser, written.get("premium/mother-holle/4/teaser.mp3")!);
    const expectedTeaser = probe(fragmentFiles.get(teaserUnitHash(plan.manifest)!)!) + probe(NOTICE_SOUND) + probe(fragmentFiles.get(plan.manifest.notice!)!);
    assert.ok(Math.abs(probe(teaser) - expectedTeaser) < 0.15, `teaser ${probe(teaser)} s vs ${expectedTeaser} s`);
    assert.equal(teaserUnitHash(plan.manifest), plan.manifest.units[1].hash);
    assert.deepEqual(fs.readdirSync(work), [], "scratch folder cleaned");
  });

  it("waits while a fragment is missing, and writes nothing", async () => {
    const missing = plan.manifest.units[2].hash;
    const { s3, clients } = setup({ missing: [missing] });
    const r = await mergeArticle(article.id, config(), clients);
    assert.deepEqual(r, { id: "mother-holle", version: 4, status: "waiting", missing: [missing] });
    assert.equal(s3.commandCalls(PutObjectCommand).length, 0);
  });

  it("does nothing when the version is already merged, and loses a race without a second write", async () => {
    const done = setup({ existing: ["premium/mother-holle/4/full.mp3"] });
    assert.equal((await mergeArticle(article.id, config(), done.clients)).status, "already-merged");
    assert.equal(done.s3.commandCalls(PutObjectCommand).length, 0);

    const race = setup();
    race.s3.on(HeadObjectCommand).rejects(new NotFound({ $metadata: { httpStatusCode: 404 }, message: "Not Found" }));
    const [a, b] = await Promise.all([mergeArticle(article.id, config(), race.clients), mergeArticle(article.id, config(), race.clients)]);
    assert.deepEqual([a.status, b.status].sort(), ["already-merged", "merged"]);
    assert.equal(race.written.size, 2, "teaser and full written once each");
  });

  it("a free article gets the full audio only", async () => {
    const free = { ...plan.manifest, premium: false, notice: undefined };
    const { written, clients } = setup({ manifest: free });
    const r = await mergeArticle(article.id, config(), clients);
    assert.deepEqual(r.written, ["free/mother-holle/4/full.mp3"]);
    assert.deepEqual([...written.keys()], ["free/mother-holle/4/full.mp3"]);
  });

  it("finds the articles of an event: manifests directly, fragments through the waiting list", async () => {
    const s3 = mockClient(S3Client);
    const h = "b".repeat(64);
    s3.on(ListObjectsV2Command, { Bucket: FRAGMENTS, Prefix: `waiting/${h}/` })
      .resolvesOnce({ Contents: [{ Key: `waiting/${h}/a-1` }], IsTruncated: true, NextContinuationToken: "t" })
      .resolvesOnce({ Contents: [{ Key: `waiting/${h}/b-2` }], IsTruncated: false });
    const event = { Records: [{ s3: { object: { key: `fragments/${h}/task-1.mp3` } } }, { s3: { object: { key: "latest/c-3.json" } } }] } as any;
    const clients = { s3: new S3Client({ region: "us-east-1" }), concat: async () => {} };
    assert.deepEqual(await articlesOf(event, config(), clients), ["a-1", "b-2", "c-3"]);
    assert.deepEqual(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input), [
      { Bucket: FRAGMENTS, Prefix: `waiting/${h}/`, ContinuationToken: undefined },
      { Bucket: FRAGMENTS, Prefix: `waiting/${h}/`, ContinuationToken: "t" },
    ]);
    await assert.rejects(articlesOf({ Records: [{ s3: { object: { key: "claims/x" } } }] } as any, config(), clients), /unexpected key 'claims\/x'/);
    assert.deepEqual(await articlesOf({ articleId: "z-9" }, config(), clients), ["z-9"]);
  });
});
