/**
 * On-upload adapter: S3 event notifications for objects under the raw prefix. A created object is
 * normalized and written to the derived prefix (same relative key, `image/jpeg`), carrying the
 * source's version in its metadata (`source-version`); a removed object's derived copy is deleted
 * once the source key has no current version any more.
 *
 * - Idempotent per source version: S3 delivers events at least once and Lambda retries failed
 *   asynchronous invocations, so a derived copy that already records this source version is left
 *   alone (no read, no write). A version that is no longer the current one (an older event
 *   arriving late) is skipped, so it never overwrites the copy of a newer upload. Without bucket
 *   versioning the ETag stands in for the version.
 * - A non-image, corrupt or oversized upload is logged with its code and leaves NO derived copy
 *   (an earlier copy of the key is deleted, so training never reads a stale image); the
 *   invocation succeeds, since retrying cannot fix the input. S3 errors are thrown, so Lambda retries.
 * - Delete: `ObjectRemoved:*` (a delete marker, or a version deleted) deletes the derived copy when
 *   HEAD of the source key finds no current object; deleting an older version keeps it.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { normalizeImage, NormalizeError, resolveLimits, type NormalizeLimits } from "./core";
import { log } from "./log";

/** Metadata key (`x-amz-meta-source-version`) of a derived copy: the source version (or ETag) it was made from. */
export const SOURCE_VERSION_METADATA = "source-version";

export interface OnUploadConfig {
  /** Bucket of the raw images; events of other buckets are refused. */
  sourceBucket: string;
  /** Prefix of the raw images, e.g. `raw/`. */
  rawPrefix: string;
  /** Bucket of the derived copies (may be the source bucket). */
  derivedBucket: string;
  /** Prefix of the derived copies, e.g. `normalized/`. */
  derivedPrefix: string;
  limits: Required<NormalizeLimits>;
}

/** The part of an S3 event notification record this function reads. */
export interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; versionId?: string } };
}
export interface S3Event { Records?: S3EventRecord[] }

export type Outcome = "written" | "unchanged" | "superseded" | "refused" | "deleted" | "kept" | "ignored";

/** Event keys are URL-encoded with `+` for spaces. */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

/** Derived key of a raw key: the same key relative to the prefixes; undefined outside the raw prefix. */
export function derivedKey(key: string, rawPrefix: string, derivedPrefix: string): string | undefined {
  if (!key.startsWith(rawPrefix) || key.length === rawPrefix.length) return undefined;
  return derivedPrefix + key.slice(rawPrefix.length);
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === "NotFound" || err?.name === "NoSuchKey" || err?.$metadata?.httpStatusCode === 404;
}

async function head(s3: S3Client, Bucket: string, Key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket, Key }));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export function createOnUploadHandler(config: OnUploadConfig, s3: S3Client) {
  const limits = resolveLimits(config.limits);

  async function created(key: string, target: string, object: S3EventRecord["s3"]["object"]): Promise<Outcome> {
    const version = object.versionId ?? object.eTag;
    if (!version) throw new Error(`event for '${key}' carries neither versionId nor eTag`);
    const existing = await head(s3, config.derivedBucket, target);
    if (existing?.Metadata?.[SOURCE_VERSION_METADATA] === version) return "unchanged";
    const current = await head(s3, config.sourceBucket, key);
    const currentVersion = current?.VersionId ?? current?.ETag?.replace(/"/g, "");
    if (!current || currentVersion !== version.replace(/"/g, "")) return "superseded";
    try {
      if ((object.size ?? current.ContentLength ?? 0) > limits.maxInputBytes) {
        throw new NormalizeError("TooLarge", `object is ${object.size ?? current.ContentLength} bytes; at most ${limits.maxInputBytes} are accepted`);
      }
      const got = await s3.send(new GetObjectCommand({ Bucket: config.sourceBucket, Key: key, VersionId: object.versionId }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      const jpeg = await normalizeImage(bytes, limits);
      await s3.send(new PutObjectCommand({
        Bucket: config.derivedBucket,
        Key: target,
        Body: jpeg,
        ContentType: "image/jpeg",
        Metadata: { [SOURCE_VERSION_METADATA]: version },
      }));
      return "written";
    } catch (e) {
      if (!(e instanceof NormalizeError)) throw e;
      log("warn", "refused", { key, version, code: e.code, error: e.message });
      if (existing) await s3.send(new DeleteObjectCommand({ Bucket: config.derivedBucket, Key: target }));
      return "refused";
    }
  }

  async function removed(key: string, target: string): Promise<Outcome> {
    if (await head(s3, config.sourceBucket, key)) return "kept";
    await s3.send(new DeleteObjectCommand({ Bucket: config.derivedBucket, Key: target }));
    return "deleted";
  }

  return async (event: S3Event): Promise<{ outcomes: Outcome[] }> => {
    const outcomes: Outcome[] = [];
    for (const record of event.Records ?? []) {
      const bucket = record.s3?.bucket?.name;
      const key = decodeEventKey(record.s3?.object?.key ?? "");
      const target = derivedKey(key, config.rawPrefix, config.derivedPrefix);
      let outcome: Outcome;
      if (bucket !== config.sourceBucket || target === undefined) {
        outcome = "ignored";
      } else if (record.eventName.startsWith("ObjectCreated:")) {
        outcome = await created(key, target, record.s3.object);
      } else if (record.eventName.startsWith("ObjectRemoved:")) {
        outcome = await removed(key, target);
      } else {
        outcome = "ignored";
      }
      log("info", outcome, { event: record.eventName, bucket, key, versionId: record.s3?.object?.versionId });
      outcomes.push(outcome);
    }
    return { outcomes };
  };
}
