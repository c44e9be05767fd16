/**
 * Lambda adapter of `merge-narration`. Triggered by the fragments bucket's notifications:
 * `latest/<id>.json` written (a new version's manifest, also when it needs no new fragment) and
 * `fragments/<hash>/<task>.mp3` written by Polly (every article waiting for it). Can also be
 * invoked with `{ "articleId": "<id>" }`.
 *
 * Environment (read once, at cold start):
 *   AWS_REGION         set by Lambda
 *   FRAGMENTS_BUCKET   bucket of fragments and manifests
 *   AUDIO_BUCKET       bucket CloudFront serves
 *   NOTICE_SOUND_KEY   key of the notice sound in the fragments bucket
 *   FFMPEG_PATH        optional, default /opt/bin/ffmpeg (the FFmpeg layer)
 */
import type { S3Event } from "aws-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { optionalEnv, requireEnv } from "../shared/env";
import { mergeArticle, type MergeClients, type MergeConfig, type MergeResult } from "./core";
import { articlesOf } from "./events";
import { concatAudio } from "./ffmpeg";

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MergeConfig & { region: string } {
  return {
    region: requireEnv("AWS_REGION", env),
    fragmentsBucket: requireEnv("FRAGMENTS_BUCKET", env),
    audioBucket: requireEnv("AUDIO_BUCKET", env),
    noticeSoundKey: requireEnv("NOTICE_SOUND_KEY", env),
    ffmpegPath: optionalEnv("FFMPEG_PATH", "/opt/bin/ffmpeg", env),
  };
}

export function createHandler(config: MergeConfig, clients: MergeClients) {
  return async (event: S3Event | { articleId?: unknown }): Promise<MergeResult[]> => {
    const results: MergeResult[] = [];
    for (const id of await articlesOf(event, config, clients)) {
      const r = await mergeArticle(id, config, clients);
      console.log(JSON.stringify({ level: "info", message: "merge", ...r, missing: r.missing?.length }));
      results.push(r);
    }
    return results;
  };
}

const config = loadConfig();
export const handler = createHandler(config, {
  s3: new S3Client({ region: config.region }),
  concat: (inputs, output) => concatAudio(config.ffmpegPath, inputs, output),
});
