/**
 * Lambda adapter of `narrate-article`, subscribed to the CMS's SNS topic. Each record's message is
 * one saved article version (JSON: id, version, premium, language, title, teaser, paragraphs,
 * metadata). A malformed message fails the invocation naming the field (after Lambda's retries it
 * lands in the dead-letter queue); it is never dropped silently.
 *
 * Environment (read once, at cold start):
 *   AWS_REGION         set by Lambda
 *   FRAGMENTS_BUCKET   bucket of fragments, claims, waiting lists and manifests
 *   VOICES             JSON: language → { voiceId, engine?, languageCode?, noticeText }
 */
import type { SNSEvent } from "aws-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { PollyClient } from "@aws-sdk/client-polly";
import { requireEnv } from "../shared/env";
import { ENGINES, parseArticleJson, type VoiceSettings } from "../shared/narration";
import { narrateArticle, type NarrateClients, type NarrateConfig } from "./core";

/** Reads and checks the configuration; throws naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NarrateConfig & { region: string } {
  const raw = requireEnv("VOICES", env);
  let voices: Record<string, VoiceSettings>;
  try {
    voices = JSON.parse(raw);
  } catch {
    throw new Error("environment variable VOICES must be a JSON object of language → voice settings");
  }
  if (voices === null || typeof voices !== "object" || Array.isArray(voices) || Object.keys(voices).length === 0) {
    throw new Error("environment variable VOICES must be a non-empty JSON object of language → voice settings");
  }
  for (const [lang, v] of Object.entries(voices)) {
    if (typeof v?.voiceId !== "string" || typeof v.noticeText !== "string" || (v.engine !== undefined && !(ENGINES as readonly string[]).includes(v.engine))) {
      throw new Error(`environment variable VOICES: '${lang}' must have voiceId, noticeText and an engine of ${ENGINES.join(", ")}`);
    }
  }
  return { region: requireEnv("AWS_REGION", env), fragmentsBucket: requireEnv("FRAGMENTS_BUCKET", env), voices };
}

export function log(level: "info" | "error", message: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

export function createHandler(config: NarrateConfig, clients: NarrateClients) {
  return async (event: SNSEvent): Promise<void> => {
    for (const record of event.Records) {
      const source = `SNS message ${record.Sns.MessageId}`;
      try {
        const article = parseArticleJson(record.Sns.Message, source);
        const r = await narrateArticle(article, config, clients);
        log("info", "article narrated", {
          id: r.id, version: r.version, status: r.status, started: r.started.length,
          inProgress: r.inProgress.length, present: r.present.length, billedCharacters: r.billedCharacters,
        });
      } catch (e) {
        log("error", "narration failed", { messageId: record.Sns.MessageId, error: (e as Error).message });
        throw e;
      }
    }
  };
}

const config = loadConfig();
export const handler = createHandler(config, { s3: new S3Client({ region: config.region }), polly: new PollyClient({ region: config.region }) });
