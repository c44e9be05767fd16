/** Which articles a merge-narration invocation concerns. */
import type { S3Event } from "aws-lambda";
import { articleOfLatestKey, hashOfFragmentKey } from "../shared/narration";
import { articlesWaitingFor, type MergeClients, type MergeConfig } from "./core";

/** The articles an event concerns: `{ articleId }`, or S3 records of manifests and fragments. */
export async function articlesOf(event: S3Event | { articleId?: unknown }, config: MergeConfig, clients: MergeClients): Promise<string[]> {
  if ("articleId" in event) {
    if (typeof event.articleId !== "string") throw new Error("invocation: articleId must be a string");
    return [event.articleId];
  }
  if (!Array.isArray((event as S3Event).Records)) throw new Error("invocation: expected an S3 event or { articleId }");
  const ids = new Set<string>();
  for (const r of (event as S3Event).Records) {
    // S3 event keys are URL-encoded with '+' for spaces.
    const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, " "));
    const article = articleOfLatestKey(key);
    const hash = hashOfFragmentKey(key);
    if (article) ids.add(article);
    else if (hash) for (const id of await articlesWaitingFor(clients.s3, config.fragmentsBucket, hash)) ids.add(id);
    else throw new Error(`S3 event for an unexpected key '${key}' (expected latest/<id>.json or fragments/<hash>/<task>.mp3)`);
  }
  return [...ids].sort();
}

