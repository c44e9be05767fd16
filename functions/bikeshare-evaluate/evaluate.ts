/**
 * Sends the holdout to a SageMaker endpoint (InvokeEndpoint, text/csv, batched) and reports the
 * metrics. The client is injected (tests use aws-sdk-client-mock).
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
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
