/**
 * Lambda adapter of the results indexer, invoked by S3 `ObjectCreated` notifications for the
 * analysis output prefix (suffix `output.tar.gz`). Reads the archive, builds one index per
 * document (core.ts) and writes `<INDEX_PREFIX><job folder>/<document>.json`, only once every
 * document of the archive is known good: bad or partial output fails the invocation with every
 * problem listed (error alarm) and writes nothing.
 *
 * Environment (read once, at cold start):
 *   AWS_REGION, BUCKET, OUTPUT_PREFIX (where archives land), INDEX_PREFIX, KMS_KEY_ARN (optional)
 */
import type { S3Event } from "aws-lambda";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { optionalEnv, requireEnv } from "../shared/env";
import { indexArchive, indexKeys } from "./core";

export interface IndexConfig {
  bucket: string;
  outputPrefix: string;
  indexPrefix: string;
  kmsKeyArn?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IndexConfig & { region: string } {
  const kms = optionalEnv("KMS_KEY_ARN", "", env);
  const c = {
    region: requireEnv("AWS_REGION", env),
    bucket: requireEnv("BUCKET", env),
    outputPrefix: requireEnv("OUTPUT_PREFIX", env),
    indexPrefix: requireEnv("INDEX_PREFIX", env),
    ...(kms ? { kmsKeyArn: kms } : {}),
  };
  for (const k of ["outputPrefix", "indexPrefix"] as const) {
    if (!/^([^/]+\/)+$/.test(c[k])) throw new Error(`environment variable ${k === "outputPrefix" ? "OUTPUT_PREFIX" : "INDEX_PREFIX"} must be a key prefix ending in '/'; got '${c[k]}'`);
  }
  return c;
}

export function createHandler(config: IndexConfig, s3: Pick<S3Client, "send">) {
  return async (event: S3Event): Promise<{ written: string[] }> => {
    const written: string[] = [];
    for (const r of event?.Records ?? []) {
      const key = decodeURIComponent((r.s3?.object?.key ?? "").replace(/\+/g, " "));
      if (r.s3?.bucket?.name !== config.bucket || !key.startsWith(config.outputPrefix) || !key.endsWith("/output/output.tar.gz")) {
        throw new Error(`s3://${r.s3?.bucket?.name}/${key} is not a job archive under s3://${config.bucket}/${config.outputPrefix}`);
      }
      const obj = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }));
      const archive = Buffer.from(await obj.Body!.transformToByteArray());
      let indexes;
      try {
        indexes = await indexArchive(archive);
      } catch (err) {
        console.error(JSON.stringify({ level: "error", message: "job output not indexed", key, error: (err as Error).message }));
        throw err;
      }
      const keys = indexKeys(key, config.indexPrefix, indexes);
      for (const [i, doc] of indexes.entries()) {
        await s3.send(new PutObjectCommand({
          Bucket: config.bucket,
          Key: keys[i],
          Body: `${JSON.stringify(doc, null, 2)}\n`,
          ContentType: "application/json",
          ...(config.kmsKeyArn ? { ServerSideEncryption: "aws:kms", SSEKMSKeyId: config.kmsKeyArn } : {}),
        }));
        written.push(keys[i]);
      }
      console.log(JSON.stringify({ level: "info", message: "job output indexed", key, documents: indexes.length }));
    }
    return { written };
  };
}

const config = loadConfig();
export const handler = createHandler(config, new S3Client({ region: config.region }));
