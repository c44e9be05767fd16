import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import sharp from "sharp";
import { mockClient } from "aws-sdk-client-mock";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from "@aws-sdk/client-s3";
import { createOnUploadHandler, decodeEventKey, derivedKey, type S3Event } from "../../../functions/image-normalizer/on-upload";
import { normalizeImage } from "../../../functions/image-normalizer/core";

const ROCKET = fs.readFileSync(path.resolve(__dirname, "..", "..", "fixtures", "images", "rocket.jpg"));
const BUCKET = "mlz-raw-images-222222222222";
const CONFIG = {
  sourceBucket: BUCKET,
  rawPrefix: "raw/",
  derivedBucket: BUCKET,
  derivedPrefix: "normalized/",
  limits: { maxInputBytes: 1_000_000, maxInputPixels: 40_000_000 },
};
const SRC = { Bucket: BUCKET, Key: "raw/launch pad/rocket 1.jpg" };
const DST = { Bucket: BUCKET, Key: "normalized/launch pad/rocket 1.jpg" };

const sdkStreamMixin = new S3Client({ region: "us-east-1" }).config.sdkStreamMixin;
const body = (bytes: Uint8Array) => ({
  Body: sdkStreamMixin(Readable.from([bytes])) as NonNullable<GetObjectCommandOutput["Body"]>,
  ContentLength: bytes.byteLength,
});
const notFound = () => new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } });

function created(versionId: string, size = ROCKET.length): S3Event {
  return { Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: BUCKET }, object: { key: "raw/launch+pad/rocket+1.jpg", size, eTag: "e1", versionId } } }] };
}
function removed(eventName = "ObjectRemoved:DeleteMarkerCreated"): S3Event {
  return { Records: [{ eventName, s3: { bucket: { name: BUCKET }, object: { key: "raw/launch+pad/rocket+1.jpg", versionId: "dm1" } } }] };
}

const s3 = mockClient(S3Client);
const { log: origLog, error: origError } = console;
const logs: any[] = [];
const handler = () => createOnUploadHandler(CONFIG, new S3Client({ region: "us-east-1" }));

/** Every S3 call as [command, input], in order. */
const calls = () => s3.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);

describe("image-normalizer on-upload handler", () => {
  beforeEach(() => {
    s3.reset();
    logs.length = 0;
    const capture = (pass: (...a: unknown[]) => void) => (s: unknown, ...rest: unknown[]) =>
      typeof s === "string" && s.startsWith("(node:") ? pass(s, ...rest) : void logs.push(JSON.parse(String(s)));
    console.log = capture(origLog);
    console.error = capture(origError);
  });
  afterEach(() => {
    console.log = origLog;
    console.error = origError;
  });

  it("normalizes a new upload into the derived prefix, recording the source version", async () => {
    s3.on(HeadObjectCommand, DST).rejects(notFound());
    s3.on(HeadObjectCommand, SRC).resolves({ VersionId: "v2", ContentLength: ROCKET.length });
    s3.on(GetObjectCommand).resolves(body(ROCKET));
    s3.on(PutObjectCommand).resolves({});
    assert.deepEqual(await handler()(created("v2")), { outcomes: ["written"] });
    const all = calls();
    assert.deepEqual(all.map(([c]) => c), ["HeadObjectCommand", "HeadObjectCommand", "GetObjectCommand", "PutObjectCommand"]);
    assert.deepEqual(all[0][1], DST);
    assert.deepEqual(all[1][1], SRC);
    assert.deepEqual(all[2][1], { ...SRC, VersionId: "v2" });
    const { Body, ...put } = all[3][1] as any;
    assert.deepEqual(put, { ...DST, ContentType: "image/jpeg", Metadata: { "source-version": "v2" } });
    assert.ok((await normalizeImage(ROCKET)).equals(Body));
    const meta = await sharp(Body).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [256, 256, 1]);
    assert.deepEqual(logs, [{ level: "info", message: "written", event: "ObjectCreated:Put", bucket: BUCKET, key: SRC.Key, versionId: "v2" }]);
  });

  it("is idempotent per source version: a redelivered event reads and writes nothing", async () => {
    s3.on(HeadObjectCommand, DST).resolves({ Metadata: { "source-version": "v2" } });
    assert.deepEqual(await handler()(created("v2")), { outcomes: ["unchanged"] });
    assert.deepEqual(calls(), [["HeadObjectCommand", DST]]);
  });

  it("skips a version that is no longer current (a late event never overwrites a newer copy)", async () => {
    s3.on(HeadObjectCommand, DST).resolves({ Metadata: { "source-version": "v3" } });
    s3.on(HeadObjectCommand, SRC).resolves({ VersionId: "v3" });
    assert.deepEqual(await handler()(created("v2")), { outcomes: ["superseded"] });
    assert.deepEqual(calls(), [["HeadObjectCommand", DST], ["HeadObjectCommand", SRC]]);
  });

  it("a non-image upload leaves no derived copy (the stale one is deleted) and does not fail", async () => {
    s3.on(HeadObjectCommand, DST).resolves({ Metadata: { "source-version": "v1" } });
    s3.on(HeadObjectCommand, SRC).resolves({ VersionId: "v2" });
    s3.on(GetObjectCommand).resolves(body(Buffer.from("plain text")));
    s3.on(DeleteObjectCommand).resolves({});
    assert.deepEqual(await handler()(created("v2", 10)), { outcomes: ["refused"] });
    assert.deepEqual(calls().map(([c]) => c), ["HeadObjectCommand", "HeadObjectCommand", "GetObjectCommand", "DeleteObjectCommand"]);
    assert.deepEqual(calls()[3][1], DST);
    assert.deepEqual(logs[0], { level: "warn", message: "refused", key: SRC.Key, version: "v2", code: "NotAnImage", error: "input is not an image in a known format" });
  });

  it("an upload over the byte limit is refused without reading it", async () => {
    s3.on(HeadObjectCommand, DST).rejects(notFound());
    s3.on(HeadObjectCommand, SRC).resolves({ VersionId: "v2" });
    assert.deepEqual(await handler()(created("v2", 2_000_000)), { outcomes: ["refused"] });
    assert.deepEqual(calls().map(([c]) => c), ["HeadObjectCommand", "HeadObjectCommand"]);
    assert.equal(logs[0].code, "TooLarge");
    assert.equal(logs[0].error, "object is 2000000 bytes; at most 1000000 are accepted");
  });

  it("deletes the derived copy when the source is deleted", async () => {
    s3.on(HeadObjectCommand, SRC).rejects(notFound());
    s3.on(DeleteObjectCommand).resolves({});
    assert.deepEqual(await handler()(removed()), { outcomes: ["deleted"] });
    assert.deepEqual(calls(), [["HeadObjectCommand", SRC], ["DeleteObjectCommand", DST]]);
  });

  it("keeps the derived copy when only an older version was deleted", async () => {
    s3.on(HeadObjectCommand, SRC).resolves({ VersionId: "v3" });
    assert.deepEqual(await handler()(removed("ObjectRemoved:Delete")), { outcomes: ["kept"] });
    assert.deepEqual(calls(), [["HeadObjectCommand", SRC]]);
  });

  it("ignores keys outside the raw prefix and other buckets", async () => {
    const ev: S3Event = { Records: [
      { eventName: "ObjectCreated:Put", s3: { bucket: { name: BUCKET }, object: { key: "normalized/x.jpg", versionId: "v1" } } },
      { eventName: "ObjectCreated:Put", s3: { bucket: { name: "other" }, object: { key: "raw/x.jpg", versionId: "v1" } } },
    ] };
    assert.deepEqual(await handler()(ev), { outcomes: ["ignored", "ignored"] });
    assert.deepEqual(calls(), []);
  });

  it("an S3 failure fails the invocation (Lambda retries it)", async () => {
    s3.on(HeadObjectCommand).rejects(new Error("SlowDown"));
    await assert.rejects(handler()(created("v2")), /SlowDown/);
  });

  it("decodes event keys and maps raw keys to derived keys", () => {
    assert.equal(decodeEventKey("raw/a+b%2Bc%C3%A9.png"), "raw/a b+cé.png");
    assert.equal(derivedKey("raw/a/b.png", "raw/", "normalized/"), "normalized/a/b.png");
    assert.equal(derivedKey("raw/", "raw/", "normalized/"), undefined);
    assert.equal(derivedKey("other/b.png", "raw/", "normalized/"), undefined);
  });
});
