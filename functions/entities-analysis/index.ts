/**
 * Lambda adapter of the document analysis starter, invoked by S3 `ObjectCreated` notifications for
 * the input prefix (suffix `.pdf`). Logs each started job and each rejected record as one JSON line;
 * fails the invocation when any record was rejected (error alarm; retries start nothing twice).
 *
 * Environment (read once, at cold start):
 *   AWS_REGION, BUCKET, INPUT_PREFIX, OUTPUT_PREFIX, DATA_ACCESS_ROLE_ARN, ENTITY_RECOGNIZER_ARN,
 *   LANGUAGE_CODE (optional, default en), KMS_KEY_ARN (optional)
 */
import type { S3Event } from "aws-lambda";
import { ComprehendClient } from "@aws-sdk/client-comprehend";
import { optionalEnv, requireEnv } from "../shared/env";
import { checkAnalysisConfig, startAnalyses, type AnalysisConfig, type AnalysisResult } from "./core";

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AnalysisConfig & { region: string } {
  const kms = optionalEnv("KMS_KEY_ARN", "", env);
  return {
    ...checkAnalysisConfig({
      bucket: requireEnv("BUCKET", env),
      inputPrefix: requireEnv("INPUT_PREFIX", env),
      outputPrefix: requireEnv("OUTPUT_PREFIX", env),
      dataAccessRoleArn: requireEnv("DATA_ACCESS_ROLE_ARN", env),
      entityRecognizerArn: requireEnv("ENTITY_RECOGNIZER_ARN", env),
      languageCode: optionalEnv("LANGUAGE_CODE", "en", env),
      ...(kms ? { kmsKeyArn: kms } : {}),
    }),
    region: requireEnv("AWS_REGION", env),
  };
}

export function createHandler(config: AnalysisConfig, client: Pick<ComprehendClient, "send">) {
  return async (event: S3Event): Promise<AnalysisResult> => {
    const records = (event?.Records ?? []).map((r) => ({
      bucket: r.s3?.bucket?.name,
      key: decodeURIComponent((r.s3?.object?.key ?? "").replace(/\+/g, " ")),
      versionId: r.s3?.object?.versionId,
      eTag: r.s3?.object?.eTag,
    }));
    const result = await startAnalyses(records, config, client);
    for (const s of result.started) console.log(JSON.stringify({ level: "info", message: "entities detection job started", ...s }));
    for (const r of result.rejected) console.error(JSON.stringify({ level: "error", message: "document not analysed", ...r }));
    if (result.rejected.length > 0) {
      throw new Error(`${result.rejected.length} document(s) not analysed: ${result.rejected.map((r) => `${r.key} (${r.reason})`).join("; ")}`);
    }
    return result;
  };
}

const config = loadConfig();
export const handler = createHandler(config, new ComprehendClient({ region: config.region }));
