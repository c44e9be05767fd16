/**
 * Lambda adapter of the batch translation starter, invoked by S3 `ObjectCreated` notifications for
 * the input prefix. Logs one JSON line per started job and per rejected record; fails the
 * invocation when any record was rejected (the function's error alarm fires; S3's asynchronous
 * invocation retries, and the jobs already started are not started again: ClientToken).
 *
 * Environment (read once, at cold start):
 *   AWS_REGION               set by Lambda
 *   BUCKET                   bucket of input and output
 *   INPUT_PREFIX             e.g. `translate/input/`
 *   OUTPUT_PREFIX            e.g. `translate/output/`
 *   DATA_ACCESS_ROLE_ARN     role Translate assumes (reads exactly the input prefix, writes exactly the output prefix)
 *   SOURCE_LANGUAGE          `auto` or a language code
 *   TARGET_LANGUAGES         comma-separated codes
 *   OUTPUT_KMS_KEY_ARN       optional: KMS key for the output
 */
import type { S3Event } from "aws-lambda";
import { TranslateClient } from "@aws-sdk/client-translate";
import { optionalEnv, requireEnv } from "../shared/env";
import { checkBatchConfig, decodeS3Key, startJobs, type BatchConfig, type BatchResult } from "./core";

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BatchConfig & { region: string } {
  const kms = optionalEnv("OUTPUT_KMS_KEY_ARN", "", env);
  const config = checkBatchConfig({
    bucket: requireEnv("BUCKET", env),
    inputPrefix: requireEnv("INPUT_PREFIX", env),
    outputPrefix: requireEnv("OUTPUT_PREFIX", env),
    dataAccessRoleArn: requireEnv("DATA_ACCESS_ROLE_ARN", env),
    sourceLanguage: optionalEnv("SOURCE_LANGUAGE", "auto", env),
    targetLanguages: requireEnv("TARGET_LANGUAGES", env).split(",").map((s) => s.trim()).filter((s) => s !== ""),
    ...(kms ? { outputKmsKeyArn: kms } : {}),
  });
  return { ...config, region: requireEnv("AWS_REGION", env) };
}

export function createHandler(config: BatchConfig, client: Pick<TranslateClient, "send">) {
  return async (event: S3Event): Promise<BatchResult> => {
    const records = (event?.Records ?? []).map((r) => ({
      bucket: r.s3?.bucket?.name,
      key: decodeS3Key(r.s3?.object?.key ?? ""),
      versionId: r.s3?.object?.versionId,
      eTag: r.s3?.object?.eTag,
    }));
    const result = await startJobs(records, config, client);
    for (const s of result.started) console.log(JSON.stringify({ level: "info", message: "translation job started", ...s }));
    for (const r of result.rejected) console.error(JSON.stringify({ level: "error", message: "document not translated", ...r }));
    if (result.rejected.length > 0) {
      throw new Error(`${result.rejected.length} document(s) not translated: ${result.rejected.map((r) => `${r.key} (${r.reason})`).join("; ")}`);
    }
    return result;
  };
}

const config = loadConfig();
export const handler = createHandler(config, new TranslateClient({ region: config.region }));
