/**
 * Workload stacks (qa, prod): document entity analysis with this environment's copy of the
 * promoted Comprehend recognizer version (`models.<model>.versionArn`, kind `comprehend`, moved by
 * `npm run promote`). The copy is imported from the ML account (ComprehendModelCopy), whose model
 * policy allows this account once this stack file references the version.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ConsumedModel } from "../config";
import type { StackContext } from "../context";
import { SNS_TOPIC_ARN, roleArn } from "../../components/aws";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../../components/naming";
import { NodeDynamicProvider } from "../../components/models/model-version";
import { ComprehendModelCopy } from "../../components/models/comprehend-model";
import {
  DEFAULT_ANALYSIS_INDEX_PREFIX,
  DEFAULT_ANALYSIS_INPUT_PREFIX,
  DEFAULT_ANALYSIS_OUTPUT_PREFIX,
  DocumentAnalysisPipeline,
} from "../../components/pipelines/language/document-analysis";

const prefix = z.string().regex(/^([a-zA-Z0-9!_.'()-]+\/)+$/, { error: (i) => `expected an S3 key prefix of path segments ending in '/'; got '${String(i.input)}'` });

/** Config keys of this part. */
export const documentAnalysisConfigSchema = z.object({
  /** Document entity analysis. Defaults to none. */
  documentAnalysis: z.strictObject({
    /** The comprehend model of `ml-landing-zone:models` to analyse with. Required. */
    model: z.string(),
    /** Documents bucket name (globally unique). Required. */
    bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: (i) => `expected an S3 bucket name; got '${String(i.input)}'` }),
    /** Where PDFs are dropped. Defaults to `entities/input/`. */
    inputPrefix: prefix.default(DEFAULT_ANALYSIS_INPUT_PREFIX),
    /** Where Comprehend writes job archives. Defaults to `entities/output/`. */
    outputPrefix: prefix.default(DEFAULT_ANALYSIS_OUTPUT_PREFIX),
    /** Where the JSON indexes go. Defaults to `entities/index/`. */
    indexPrefix: prefix.default(DEFAULT_ANALYSIS_INDEX_PREFIX),
    /** SNS topic ARN the alarms notify. Defaults to none. */
    alarmTopicArn: z.string().regex(SNS_TOPIC_ARN, { error: (i) => `expected an SNS topic ARN; got '${String(i.input)}'` }).optional(),
    /** Let `pulumi destroy` empty the bucket. Defaults to false. */
    forceDestroy: z.boolean().default(false),
  }).optional(),
});

export type DocumentAnalysisConfig = z.infer<typeof documentAnalysisConfigSchema>;

export interface DocumentAnalysisOutputs {
  /** Recognizer versions in use here (merged into `modelVersionArns`: the ML stack reads them as live). */
  versions: Record<string, string>;
  documentAnalysisBucket?: pulumi.Output<string>;
  /** This account's copy of the recognizer version. */
  entityRecognizerArn?: pulumi.Output<string>;
}

/** Declares the analysis; returns the comprehend versions in use (empty without `documentAnalysis`). */
export function declareDocumentAnalysis(
  ctx: StackContext,
  cfg: DocumentAnalysisConfig,
  models: Record<string, ConsumedModel>,
  deployRoleName: string = DEFAULT_DEPLOY_ROLE_NAME,
): DocumentAnalysisOutputs {
  const a = cfg.documentAnalysis;
  const comprehendModels = Object.fromEntries(Object.entries(models).filter(([, m]) => m.kind === "comprehend").map(([k, m]) => [k, m.versionArn]));
  if (!a) return { versions: {} };
  const entry = models[a.model];
  if (!entry || entry.kind !== "comprehend") {
    throw new Error(`${ctx.stack}: ml-landing-zone:documentAnalysis.model must name a comprehend model of ml-landing-zone:models; ` +
      `${entry ? `'${a.model}' is ${entry.kind}` : `got '${a.model}' (models: ${Object.keys(models).sort().join(", ") || "none"})`}`);
  }
  const copy = new ComprehendModelCopy(`${a.model}-copy`, {
    sourceVersionArn: entry.versionArn,
    region: ctx.region,
    assumeRoleArn: pulumi.output(roleArn(ctx.partition, ctx.accountId, deployRoleName)),
  }, { providers: [ctx.provider, new NodeDynamicProvider("comprehend-dynamic")] });
  const pipeline = new DocumentAnalysisPipeline("document-analysis", {
    accountId: ctx.accountId,
    region: ctx.region,
    partition: ctx.partition,
    bucketName: a.bucketName,
    recognizerArn: copy.modelArn,
    inputPrefix: a.inputPrefix,
    outputPrefix: a.outputPrefix,
    indexPrefix: a.indexPrefix,
    alarmTopicArn: a.alarmTopicArn,
    forceDestroy: a.forceDestroy,
  }, { provider: ctx.provider });
  return { versions: comprehendModels, documentAnalysisBucket: pipeline.bucketName, entityRecognizerArn: copy.modelArn };
}
