/**
 * Workload stacks (qa, prod): translation with profanity masking (components/pipelines/language/translation.ts).
 * A real-time function applications call by direct invocation (attach `translationInvokePolicyArn`
 * to their roles) and a batch pipeline on a documents bucket.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { StackContext } from "../context";
import { SNS_TOPIC_ARN } from "../../components/aws";
import { DEFAULT_TRANSLATE_INPUT_PREFIX, DEFAULT_TRANSLATE_OUTPUT_PREFIX, TranslationPipeline } from "../../components/pipelines/language/translation";
import { checkSourceLanguage, checkTargetLanguage } from "../../functions/translate-text/languages";

const prefix = z.string().regex(/^([a-zA-Z0-9!_.'()-]+\/)+$/, { error: (i) => `expected an S3 key prefix of path segments ending in '/'; got '${String(i.input)}'` });
const target = z.string().superRefine((v, ctx) => {
  try {
    checkTargetLanguage(v, "target language");
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
  }
});

/** Config keys of this part (`ml-landing-zone:<key>` in `Pulumi.<stack>.yaml`). */
export const translationConfigSchema = z.object({
  /** Translation with profanity masking. Defaults to none (nothing declared). */
  translation: z.strictObject({
    /** Name of the documents bucket (globally unique). Required. */
    bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: (i) => `expected an S3 bucket name; got '${String(i.input)}'` }),
    /** Where documents for batch translation are dropped. Defaults to `translate/input/`. */
    inputPrefix: prefix.default(DEFAULT_TRANSLATE_INPUT_PREFIX),
    /** Where batch results are written. Defaults to `translate/output/`. */
    outputPrefix: prefix.default(DEFAULT_TRANSLATE_OUTPUT_PREFIX),
    /** Source language of batch documents, or `auto`. Defaults to `auto`. */
    sourceLanguage: z.string().default("auto").superRefine((v, ctx) => {
      try {
        checkSourceLanguage(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
    /** Target languages of batch jobs (1–10); refused when Translate cannot mask profanity in one (bn, hi, ml, pa, si, vi). Required. */
    targetLanguages: z.array(target).min(1, { error: "expected at least one target language" }).max(10, { error: "expected at most 10 target languages" }),
    /** TranslateText requests in flight per real-time call (1–32). Defaults to 4. */
    maxConcurrency: z.number().int().min(1).max(32).default(4),
    /** SNS topic ARN the failure alarms notify. Defaults to none. */
    alarmTopicArn: z.string().regex(SNS_TOPIC_ARN, { error: (i) => `expected an SNS topic ARN; got '${String(i.input)}'` }).optional(),
    /** Let `pulumi destroy` empty the bucket. Defaults to false. */
    forceDestroy: z.boolean().default(false),
  }).optional(),
});

export type TranslationConfig = z.infer<typeof translationConfigSchema>;

export interface TranslationOutputs {
  /** Name of the real-time function (invoke it with the Lambda API). */
  translationFunctionName: pulumi.Output<string>;
  /** Managed policy granting lambda:InvokeFunction on it; attach it to application roles. */
  translationInvokePolicyArn: pulumi.Output<string>;
  translationBucketName: pulumi.Output<string>;
  translationFailedJobsLogGroup: pulumi.Output<string>;
}

/** Declares the translation pipeline; undefined without `translation`. */
export function declareTranslation(ctx: StackContext, cfg: TranslationConfig): TranslationOutputs | undefined {
  const t = cfg.translation;
  if (!t) return undefined;
  const pipeline = new TranslationPipeline("translation", {
    accountId: ctx.accountId,
    region: ctx.region,
    bucketName: t.bucketName,
    inputPrefix: t.inputPrefix,
    outputPrefix: t.outputPrefix,
    sourceLanguage: t.sourceLanguage,
    targetLanguages: t.targetLanguages,
    maxConcurrency: t.maxConcurrency,
    alarmTopicArn: t.alarmTopicArn,
    forceDestroy: t.forceDestroy,
  }, { provider: ctx.provider });
  return {
    translationFunctionName: pipeline.functionName,
    translationInvokePolicyArn: pipeline.invokePolicyArn,
    translationBucketName: pipeline.bucketName,
    translationFailedJobsLogGroup: pipeline.failedJobsLogGroupName,
  };
}
