/**
 * Sends the holdout to a SageMaker endpoint (InvokeEndpoint, text/csv, batched) and reports the
 * metrics. The client is injected (tests use aws-sdk-client-mock).
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { AddTagsCommand, type SageMakerClient } from "@aws-sdk/client-sagemaker";
import { SAGEMAKER_MODEL_ARN, SAGEMAKER_MODEL_ARN_SHAPE } from "../../components/models/arns";
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS, EvaluationError, POSITIVE_LABEL, batchBodies, binaryMetrics, parsePredictions, splitHoldout, type Metrics } from "./core";

export interface EvaluateOptions {
  client: SageMakerRuntimeClient;
  endpointName: string;
  /** Holdout CSV with header (from the training-set preparation). */
  holdoutCsv: string;
  /** Rows per request. Defaults to 100. */
  batchRows?: number;
  /** Bytes per request body. Defaults to 5,000,000. */
  batchBytes?: number;
}

export interface EvaluationReport extends Metrics {
  endpointName: string;
  positiveLabel: string;
  batches: number;
  featureColumns: string[];
}

export async function evaluateEndpoint(opts: EvaluateOptions): Promise<EvaluationReport> {
  const holdout = splitHoldout(opts.holdoutCsv);
  const batches = batchBodies(holdout.features, opts.batchRows ?? DEFAULT_BATCH_ROWS, opts.batchBytes ?? DEFAULT_BATCH_BYTES);
  const predicted: string[] = [];
  for (const [i, batch] of batches.entries()) {
    const res = await opts.client.send(new InvokeEndpointCommand({
      EndpointName: opts.endpointName,
      ContentType: "text/csv",
      Accept: "text/csv",
      Body: batch.body,
    }));
    if (!res.Body) throw new EvaluationError(`endpoint returned no body for batch ${i + 1}`);
    predicted.push(...parsePredictions(new TextDecoder().decode(res.Body), batch.rows));
  }
  return {
    endpointName: opts.endpointName,
    positiveLabel: POSITIVE_LABEL,
    batches: batches.length,
    featureColumns: holdout.featureColumns,
    ...binaryMetrics(holdout.labels, predicted),
  };
}

/**
 * Tag on a SageMaker model holding its evaluation F1 score: the promotion gate reads exactly this
 * tag (`SAGEMAKER_F1_TAG` in promotion/checks.ts, which functions/ may not import).
 */
export const F1_TAG = "mlz:f1";

/** The region of a SageMaker model ARN; throws `EvaluationError` naming the expected shape. */
export function modelArnRegion(modelArn: string): string {
  const m = SAGEMAKER_MODEL_ARN.exec(modelArn);
  if (!m) throw new EvaluationError(`expected a SageMaker model ARN (${SAGEMAKER_MODEL_ARN_SHAPE}); got '${modelArn}'`);
  return m[2];
}

/** The tag value: F1 with 4 decimals (`0.4000`), a number from 0 to 1 as the promotion gate expects. */
export function f1TagValue(f1: number): string {
  if (!(f1 >= 0 && f1 <= 1)) throw new EvaluationError(`F1 must be a number from 0 to 1; got ${f1}`);
  return f1.toFixed(4);
}

/** Writes `mlz:f1` on the model (SageMaker AddTags; replaces an earlier value). Returns the value written. */
export async function tagModelWithF1(client: SageMakerClient, modelArn: string, f1: number): Promise<string> {
  modelArnRegion(modelArn);
  const value = f1TagValue(f1);
  await client.send(new AddTagsCommand({ ResourceArn: modelArn, Tags: [{ Key: F1_TAG, Value: value }] }));
  return value;
}
