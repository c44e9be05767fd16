/**
 * Merges the fragments of an article's latest manifest into its full audio and, for a premium
 * article, its teaser audio, once every fragment exists; each audio object is written once per
 * version (`If-None-Match: *`), whichever of several racing invocations gets there first.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { KEYS, manifestHashes, type Manifest } from "../shared/narration";
import { isNotFound, isPreconditionFailed, readLatest } from "../shared/narration-store";

export interface MergeConfig {
  fragmentsBucket: string;
  audioBucket: string;
  /** Key of the notice sound in the fragments bucket (MP3, 24 kHz, mono like the fragments). */
  noticeSoundKey: string;
  ffmpegPath: string;
  /** Scratch folder. Defaults to the OS temp folder (`/tmp` on Lambda). */
  workDir?: string;
}

export interface MergeClients {
  s3: S3Client;
  /** Concatenates audio files (FFmpeg). */
  concat: (inputs: string[], output: string) => Promise<void>;
}

export interface MergeResult {
  id: string;
  version?: number;
  status: "merged" | "waiting" | "already-merged" | "no-manifest";
  /** Fragments still missing (status `waiting`). */
  missing?: string[];
  /** Audio objects written by this call. */
  written?: string[];
}

async function firstKey(s3: S3Client, bucket: string, prefix: string): Promise<string | undefined> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
  return out.Contents?.[0]?.Key;
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

async function download(s3: S3Client, bucket: string, key: string, file: string): Promise<void> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await fs.writeFile(file, await out.Body!.transformToByteArray());
}

/** Puts an audio object unless it exists; false when another invocation wrote it first. */
async function putOnce(s3: S3Client, bucket: string, key: string, file: string, manifest: Manifest): Promise<boolean> {
  try {
    await s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: await fs.readFile(file),
      ContentType: "audio/mpeg",
      CacheControl: "public, max-age=31536000, immutable",
      Metadata: { "article-id": manifest.id, "article-version": String(manifest.version) },
      IfNoneMatch: "*",
    }));
    return true;
  } catch (e) {
    if (isPreconditionFailed(e)) return false;
    throw e;
  }
}

/** The fragment of the teaser's spoken part: the first paragraph (the intro when there is none). */
export function teaserUnitHash(manifest: Manifest): string | undefined {
  return (manifest.units.find((u) => u.kind === "paragraph") ?? manifest.units[0])?.hash;
}

/** Merges the latest manifest of one article if it is complete and not merged yet. */
export async function mergeArticle(articleId: string, config: MergeConfig, clients: MergeClients): Promise<MergeResult> {
  const { s3 } = clients;
  const latest = await readLatest(s3, config.fragmentsBucket, articleId);
  if (!latest) return { id: articleId, status: "no-manifest" };
  const m = latest.manifest;
  const fullKey = KEYS.audio(m, "full");
  if (await exists(s3, config.audioBucket, fullKey)) return { id: m.id, version: m.version, status: "already-merged" };

  const keys = new Map<string, string>();
  const missing: string[] = [];
  for (const hash of manifestHashes(m)) {
    const key = await firstKey(s3, config.fragmentsBucket, KEYS.fragmentPrefix(hash));
    if (key) keys.set(hash, key);
    else missing.push(hash);
  }
  if (missing.length > 0) return { id: m.id, version: m.version, status: "waiting", missing };
  if (m.units.length === 0) return { id: m.id, version: m.version, status: "waiting", missing: [] };

  const dir = await fs.mkdtemp(path.join(config.workDir ?? os.tmpdir(), `merge-${crypto.randomUUID()}-`));
  try {
    const local = new Map<string, string>();
    for (const [hash, key] of keys) {
      const file = path.join(dir, `${hash}.mp3`);
      await download(s3, config.fragmentsBucket, key, file);
      local.set(hash, file);
    }
    const written: string[] = [];
    if (m.premium) {
      const sound = path.join(dir, "notice-sound.mp3");
      await download(s3, config.fragmentsBucket, config.noticeSoundKey, sound);
      const teaserFile = path.join(dir, "teaser.mp3");
      await clients.concat([local.get(teaserUnitHash(m)!)!, sound, local.get(m.notice!)!], teaserFile);
      const teaserKey = KEYS.audio(m, "teaser");
      if (await putOnce(s3, config.audioBucket, teaserKey, teaserFile, m)) written.push(teaserKey);
    }
    const fullFile = path.join(dir, "full.mp3");
    await clients.concat(m.units.map((u) => local.get(u.hash)!), fullFile);
    if (await putOnce(s3, config.audioBucket, fullKey, fullFile, m)) written.push(fullKey);
    return { id: m.id, version: m.version, status: written.includes(fullKey) ? "merged" : "already-merged", written };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Articles whose latest manifest waits for a fragment. */
export async function articlesWaitingFor(s3: S3Client, bucket: string, hash: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: KEYS.waitingPrefix(hash), ContinuationToken: token }));
    for (const o of out.Contents ?? []) ids.push(o.Key!.slice(KEYS.waitingPrefix(hash).length));
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return ids;
}
