/**
 * Narrates one saved article version: sends Polly only the fragments no version of any article
 * has synthesized yet, and records the version's ordered manifest as the article's latest.
 */
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { StartSpeechSynthesisTaskCommand, type PollyClient } from "@aws-sdk/client-polly";
import { KEYS, planVersion, type Article, type PlannedFragment, type VoiceSettings } from "../shared/narration";
import { isPreconditionFailed, readLatest } from "../shared/narration-store";

export interface NarrateConfig {
  /** Bucket of fragments, claims, waiting lists and manifests (Polly writes here). */
  fragmentsBucket: string;
  /** Voice per language. */
  voices: Record<string, VoiceSettings>;
}

export interface NarrateClients {
  s3: S3Client;
  polly: PollyClient;
}

export interface NarrateResult {
  id: string;
  version: number;
  /** `older`: a newer version was already handled; `duplicate`: this version was. */
  status: "narrated" | "older" | "duplicate";
  /** Fragments sent to Polly by this call, with their task ids. */
  started: { hash: string; taskId: string }[];
  /** Fragments another call is synthesizing (claimed, not yet written). */
  inProgress: string[];
  /** Fragments already in the bucket. */
  present: string[];
  /** Characters billed for the started fragments. */
  billedCharacters: number;
}

/** How many times a lost race on `latest/<id>.json` is retried. */
const LATEST_ATTEMPTS = 5;

async function fragmentExists(s3: S3Client, bucket: string, hash: string): Promise<boolean> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: KEYS.fragmentPrefix(hash), MaxKeys: 1 }));
  return (out.KeyCount ?? 0) > 0;
}

/** Starts Polly for one fragment unless another call holds its claim; returns the task id or undefined. */
async function synthesize(clients: NarrateClients, bucket: string, article: Article, f: PlannedFragment): Promise<string | undefined> {
  try {
    await clients.s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: KEYS.claim(f.hash),
      Body: JSON.stringify({ id: article.id, version: article.version }),
      ContentType: "application/json",
      IfNoneMatch: "*",
    }));
  } catch (e) {
    if (isPreconditionFailed(e)) return undefined;
    throw e;
  }
  try {
    const out = await clients.polly.send(new StartSpeechSynthesisTaskCommand({
      Engine: f.request.engine,
      ...(f.request.languageCode ? { LanguageCode: f.request.languageCode as any } : {}),
      OutputFormat: f.request.outputFormat,
      OutputS3BucketName: bucket,
      OutputS3KeyPrefix: KEYS.fragmentPrefix(f.hash),
      SampleRate: f.request.sampleRate,
      Text: f.request.ssml,
      TextType: "ssml",
      VoiceId: f.request.voiceId as any,
    }));
    return out.SynthesisTask?.TaskId ?? "unknown";
  } catch (e) {
    // Release the claim so a redelivery can try again.
    await clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEYS.claim(f.hash) }));
    throw e;
  }
}

/**
 * Handles one saved version. Older than the latest handled: nothing. Same version again
 * (at-least-once delivery): nothing. Otherwise every missing fragment is registered as awaited by
 * this article, claimed (`If-None-Match: *`, so concurrent deliveries start one task per fragment)
 * and sent to Polly; then the manifest replaces `latest/<id>.json` by a conditional write that a
 * concurrent newer version wins. Writing the manifest triggers the merge.
 */
export async function narrateArticle(article: Article, config: NarrateConfig, clients: NarrateClients): Promise<NarrateResult> {
  const bucket = config.fragmentsBucket;
  const result: NarrateResult = { id: article.id, version: article.version, status: "narrated", started: [], inProgress: [], present: [], billedCharacters: 0 };
  let latest = await readLatest(clients.s3, bucket, article.id);
  const skip = (l: typeof latest) => l === undefined ? undefined : l.manifest.version > article.version ? "older" : l.manifest.version === article.version ? "duplicate" : undefined;
  const first = skip(latest);
  if (first) return { ...result, status: first };

  const plan = planVersion(article, config.voices);
  for (const f of plan.fragments.values()) {
    if (await fragmentExists(clients.s3, bucket, f.hash)) {
      result.present.push(f.hash);
      continue;
    }
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEYS.waiting(f.hash, article.id), Body: String(article.version), ContentType: "text/plain" }));
    const taskId = await synthesize(clients, bucket, article, f);
    if (taskId === undefined) {
      result.inProgress.push(f.hash);
    } else {
      result.started.push({ hash: f.hash, taskId });
      result.billedCharacters += f.billedCharacters;
    }
  }

  const body = JSON.stringify(plan.manifest);
  for (let attempt = 1; ; attempt++) {
    try {
      await clients.s3.send(new PutObjectCommand({
        Bucket: bucket,
        Key: KEYS.latest(article.id),
        Body: body,
        ContentType: "application/json",
        ...(latest ? { IfMatch: latest.etag } : { IfNoneMatch: "*" }),
      }));
      return result;
    } catch (e) {
      if (!isPreconditionFailed(e) || attempt >= LATEST_ATTEMPTS) throw e;
    }
    latest = await readLatest(clients.s3, bucket, article.id);
    const now = skip(latest);
    if (now) return { ...result, status: now };
  }
}
