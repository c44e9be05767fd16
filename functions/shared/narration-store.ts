/** S3 helpers of the narration functions: conditional-write errors and the latest manifest. */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { KEYS, parseManifest, type Manifest } from "./narration";

/** S3 conditional-write and missing-object errors, recognized by name or HTTP status. */
export function isPreconditionFailed(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  // 412: the condition failed; 409 ConditionalRequestConflict: a concurrent conditional write won.
  return err?.name === "PreconditionFailed" || err?.name === "ConditionalRequestConflict" ||
    err?.$metadata?.httpStatusCode === 412 || err?.$metadata?.httpStatusCode === 409;
}

export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === "NoSuchKey" || err?.name === "NotFound" || err?.$metadata?.httpStatusCode === 404;
}

/** The manifest in `latest/<id>.json` with its ETag (for a conditional replace), or undefined. */
export async function readLatest(s3: S3Client, bucket: string, id: string): Promise<{ manifest: Manifest; etag: string } | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: KEYS.latest(id) }));
    const text = await out.Body!.transformToString();
    return { manifest: parseManifest(JSON.parse(text), `s3://${bucket}/${KEYS.latest(id)}`), etag: out.ETag! };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

