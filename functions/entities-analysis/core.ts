/**
 * Document analysis starter: every PDF created under the input prefix starts one asynchronous
 * entities-detection job (StartEntitiesDetectionJob) with the environment's copy of the custom
 * entity recognizer, one document per file, text read by Textract (DetectDocumentText), output
 * (`<output prefix><account>-NER-<job id>/output/output.tar.gz`) encrypted with the given KMS key.
 *
 * Idempotent: `ClientRequestToken` is a hash of bucket, key and version/ETag. A record the
 * starter cannot take (outside the prefix, not a PDF, a refused start) is reported with the reason.
 * Pure over an injected client.
 */
import { createHash } from "node:crypto";
import { StartEntitiesDetectionJobCommand, type ComprehendClient } from "@aws-sdk/client-comprehend";

export interface AnalysisConfig {
  bucket: string;
  /** Where PDFs are dropped (ends in `/`). */
  inputPrefix: string;
  /** Where Comprehend writes job output (ends in `/`, not under the input prefix). */
  outputPrefix: string;
  /** Role Comprehend assumes: reads exactly the input prefix, writes exactly the output prefix. */
  dataAccessRoleArn: string;
  /** The recognizer (this environment's imported copy of the promoted version). */
  entityRecognizerArn: string;
  /** Language of the recognizer. Defaults to `en`. */
  languageCode?: string;
  /** KMS key for the output and the job's volume. Defaults to none. */
  kmsKeyArn?: string;
}

export interface S3ObjectRecord {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
}

export interface AnalysisResult {
  started: { key: string; jobId: string; jobName: string }[];
  rejected: { key: string; reason: string }[];
}

export function checkAnalysisConfig(c: AnalysisConfig): AnalysisConfig {
  for (const k of ["inputPrefix", "outputPrefix"] as const) {
    if (!/^([^/]+\/)+$/.test(c[k])) throw new Error(`${k} must be a key prefix of path segments ending in '/'; got '${c[k]}'`);
  }
  if (c.outputPrefix.startsWith(c.inputPrefix) || c.inputPrefix.startsWith(c.outputPrefix)) {
    throw new Error(`outputPrefix '${c.outputPrefix}' and inputPrefix '${c.inputPrefix}' must not contain each other`);
  }
  if (!/^arn:aws(-[a-z]+)*:comprehend:[a-z0-9-]+:\d{12}:entity-recognizer\/[a-zA-Z0-9](-*[a-zA-Z0-9])*(\/version\/[a-zA-Z0-9](-*[a-zA-Z0-9])*)?$/.test(c.entityRecognizerArn)) {
    throw new Error(`entityRecognizerArn must be a Comprehend entity-recognizer ARN; got '${c.entityRecognizerArn}'`);
  }
  return c;
}

export function jobNameFor(key: string): string {
  return `mlz-${key}`.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-%@]/gu, "_").slice(0, 256);
}

export function requestTokenFor(r: S3ObjectRecord): string {
  return createHash("sha256").update(`${r.bucket}\n${r.key}\n${r.versionId ?? r.eTag ?? ""}`).digest("hex").slice(0, 64);
}

export async function startAnalyses(records: readonly S3ObjectRecord[], config: AnalysisConfig, client: Pick<ComprehendClient, "send">): Promise<AnalysisResult> {
  const result: AnalysisResult = { started: [], rejected: [] };
  for (const r of records) {
    if (r.bucket !== config.bucket || !r.key.startsWith(config.inputPrefix)) {
      result.rejected.push({ key: r.key, reason: `not under s3://${config.bucket}/${config.inputPrefix}` });
      continue;
    }
    if (r.key.endsWith("/")) continue;
    if (!/\.pdf$/i.test(r.key)) {
      result.rejected.push({ key: r.key, reason: "not a PDF (.pdf)" });
      continue;
    }
    const jobName = jobNameFor(r.key);
    try {
      const out = await client.send(new StartEntitiesDetectionJobCommand({
        JobName: jobName,
        InputDataConfig: {
          S3Uri: `s3://${r.bucket}/${r.key}`,
          InputFormat: "ONE_DOC_PER_FILE",
          DocumentReaderConfig: { DocumentReadAction: "TEXTRACT_DETECT_DOCUMENT_TEXT", DocumentReadMode: "SERVICE_DEFAULT" },
        },
        OutputDataConfig: { S3Uri: `s3://${config.bucket}/${config.outputPrefix}`, ...(config.kmsKeyArn ? { KmsKeyId: config.kmsKeyArn } : {}) },
        DataAccessRoleArn: config.dataAccessRoleArn,
        EntityRecognizerArn: config.entityRecognizerArn,
        LanguageCode: (config.languageCode ?? "en") as "en",
        ClientRequestToken: requestTokenFor(r),
        ...(config.kmsKeyArn ? { VolumeKmsKeyId: config.kmsKeyArn } : {}),
      }));
      result.started.push({ key: r.key, jobId: out.JobId ?? "", jobName });
    } catch (err) {
      result.rejected.push({ key: r.key, reason: `StartEntitiesDetectionJob failed (${(err as Error).name}): ${(err as Error).message}` });
    }
  }
  return result;
}
