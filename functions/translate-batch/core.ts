/**
 * Batch translation starter: every document created under the input prefix starts one
 * asynchronous text-translation job (StartTextTranslationJob) with profanity masked.
 *
 * - Input: the object itself (`InputDataConfig.S3Uri` is the object's URI; Translate reads every
 *   object whose key starts with it, so a key that is a prefix of another key would take both:
 *   the README says to drop documents with distinct names). Content type from the extension:
 *   .txt → text/plain, .html/.htm → text/html, .docx, .pptx, .xlsx (Office Open XML), .xlf/.xliff → XLIFF.
 * - Output: the configured output prefix (Translate writes under `<prefix><account>-TranslateText-<job id>/`),
 *   encrypted with the given KMS key.
 * - Settings: `Profanity: "MASK"` always; source language as configured (`auto` allowed); every
 *   target is one Translate can mask profanity in (checked at cold start).
 * - Idempotent: `ClientToken` is a hash of bucket, key and version/ETag, so S3's at-least-once
 *   delivery and Lambda's retries never start a document twice.
 *
 * A record the starter cannot take (outside the input prefix, unsupported type, a refused start) is
 * reported in the result's `rejected` list with the reason; the adapter logs each and fails the
 * invocation so the function's error alarm fires. Pure over an injected client.
 */
import { createHash } from "node:crypto";
import { StartTextTranslationJobCommand, type TranslateClient } from "@aws-sdk/client-translate";
import { checkSourceLanguage, checkTargetLanguage } from "../translate-text/languages";

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  xlf: "application/x-xliff+xml",
  xliff: "application/x-xliff+xml",
};

export interface BatchConfig {
  /** Bucket of input and output. */
  bucket: string;
  /** Key prefix documents are dropped under (ends in `/`). */
  inputPrefix: string;
  /** Key prefix Translate writes results under (ends in `/`, not under the input prefix). */
  outputPrefix: string;
  /** Role Translate assumes to read the input prefix and write the output prefix. */
  dataAccessRoleArn: string;
  /** `auto` or a language code. */
  sourceLanguage: string;
  /** Target languages (each one Translate can mask profanity in). */
  targetLanguages: string[];
  /** KMS key ARN for the output. Defaults to none (S3's default encryption). */
  outputKmsKeyArn?: string;
}

export interface S3ObjectRecord {
  bucket: string;
  /** Decoded key. */
  key: string;
  versionId?: string;
  eTag?: string;
}

export interface BatchResult {
  started: { key: string; jobId: string; jobName: string }[];
  rejected: { key: string; reason: string }[];
}

/** Checks the configuration; throws naming the field. */
export function checkBatchConfig(c: BatchConfig): BatchConfig {
  for (const k of ["inputPrefix", "outputPrefix"] as const) {
    if (!/^([^/]+\/)+$/.test(c[k])) throw new Error(`${k} must be a key prefix of path segments ending in '/'; got '${c[k]}'`);
  }
  if (c.outputPrefix.startsWith(c.inputPrefix) || c.inputPrefix.startsWith(c.outputPrefix)) {
    throw new Error(`outputPrefix '${c.outputPrefix}' and inputPrefix '${c.inputPrefix}' must not contain each other (results would start new jobs)`);
  }
  if (c.targetLanguages.length < 1 || c.targetLanguages.length > 10) throw new Error(`targetLanguages must hold 1 to 10 codes; got ${c.targetLanguages.length}`);
  const targets = c.targetLanguages.map((t) => checkTargetLanguage(t, "targetLanguages"));
  const source = checkSourceLanguage(c.sourceLanguage, "sourceLanguage");
  if (targets.includes(source)) throw new Error(`targetLanguages holds the source language '${source}': Translate does not mask profanity when they are the same`);
  return { ...c, sourceLanguage: source, targetLanguages: targets };
}

/** S3 event keys are URL-encoded with `+` for spaces. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

/** Job names: 1–256 of `[\p{L}\p{Z}\p{N}_.:/=+\-%@]`; other characters become `_`. */
export function jobNameFor(key: string): string {
  return `mlz-${key}`.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-%@]/gu, "_").slice(0, 256);
}

export function clientTokenFor(r: S3ObjectRecord): string {
  return createHash("sha256").update(`${r.bucket}\n${r.key}\n${r.versionId ?? r.eTag ?? ""}`).digest("hex");
}

export async function startJobs(records: readonly S3ObjectRecord[], config: BatchConfig, client: Pick<TranslateClient, "send">): Promise<BatchResult> {
  const result: BatchResult = { started: [], rejected: [] };
  for (const r of records) {
    if (r.bucket !== config.bucket || !r.key.startsWith(config.inputPrefix)) {
      result.rejected.push({ key: r.key, reason: `not under s3://${config.bucket}/${config.inputPrefix}` });
      continue;
    }
    if (r.key.endsWith("/")) continue; // a folder marker, not a document
    const ext = /\.([A-Za-z0-9]+)$/.exec(r.key)?.[1]?.toLowerCase();
    const contentType = ext ? CONTENT_TYPES[ext] : undefined;
    if (!contentType) {
      result.rejected.push({ key: r.key, reason: `unsupported document type '${ext ?? "(none)"}'; expected one of .${Object.keys(CONTENT_TYPES).join(", .")}` });
      continue;
    }
    const jobName = jobNameFor(r.key);
    try {
      const out = await client.send(new StartTextTranslationJobCommand({
        JobName: jobName,
        InputDataConfig: { S3Uri: `s3://${r.bucket}/${r.key}`, ContentType: contentType },
        OutputDataConfig: {
          S3Uri: `s3://${config.bucket}/${config.outputPrefix}`,
          ...(config.outputKmsKeyArn ? { EncryptionKey: { Type: "KMS", Id: config.outputKmsKeyArn } } : {}),
        },
        DataAccessRoleArn: config.dataAccessRoleArn,
        SourceLanguageCode: config.sourceLanguage,
        TargetLanguageCodes: config.targetLanguages,
        Settings: { Profanity: "MASK" },
        ClientToken: clientTokenFor(r),
      }));
      result.started.push({ key: r.key, jobId: out.JobId ?? "", jobName });
    } catch (err) {
      result.rejected.push({ key: r.key, reason: `StartTextTranslationJob failed (${(err as Error).name}): ${(err as Error).message}` });
    }
  }
  return result;
}
