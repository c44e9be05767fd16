/**
 * ML stack: the bike-share classifier pipeline (issue 7). Ingestion (buckets, Firehose, transform),
 * Autopilot training and the serial inference endpoint.
 *
 * Placement: everything lands in the ML account. The pipeline's data-lake buckets are read by the
 * Autopilot job and the model in the ML account and written by a stream that serves only this
 * pipeline; keeping them beside the job avoids cross-account bucket and KMS key policies (and the
 * AWS-managed `aws/s3` key cannot be used across accounts at all). The lakehouse stack keeps the
 * organization's shared lake; this part does not touch it.
 *
 * Two stages, one key: `train: false` (the default) declares only ingestion, so the first apply
 * creates the buckets and the stream; once the training CSV is in
 * `s3://<prefix>-training-sets/autopilot/input/` (see `tools/bikeshare-training-prep/cli.ts`),
 * `train: true` adds the Autopilot job and the SageMaker model of its best candidate. (An Autopilot
 * job started on an empty prefix fails, so training cannot be part of the first apply.)
 *
 * Models and endpoints: every trained model is kept when a later training run replaces it
 * (`retainOnDelete`), because environments may still reference it; the ML stack's SageMaker hosting
 * (sagemaker-hosting.ts) keeps an endpoint `endpointNameForModelArn(arn)` for each referenced
 * version and deletes it when no environment references it any more. With `serveCandidate`
 * (default true) the latest candidate is also served, for evaluation before promotion, by its own
 * endpoint with a fixed name per model, `mlz-<model>-candidate` (`candidateEndpointName`), whose
 * endpoint configuration points at the latest candidate's model: a new training run creates a new
 * endpoint configuration and updates that same endpoint in place. The two kinds of endpoint never
 * share a name, so what is declared does not depend on any deployed value: `pulumi preview` of a
 * new training run shows the candidate endpoint being updated, exactly as `pulumi up` does it.
 */
import * as pulumi from "@pulumi/pulumi";
import { NodeDynamicProvider } from "../../components/models/model-version";
import { z } from "zod";
import type { StackContext } from "../context";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../../components/naming";
import { BikeshareIngestion } from "../../components/pipelines/bikeshare/ingestion";
import { BikeshareAutopilot, DEFAULT_MAX_CANDIDATES, DEFAULT_OUTPUT_PREFIX, DEFAULT_TRAINING_PREFIX } from "../../components/pipelines/bikeshare/autopilot";
import { BikeshareInference, DEFAULT_INSTANCE_COUNT, DEFAULT_INSTANCE_TYPE, modelNameForJob } from "../../components/pipelines/bikeshare/inference";
import { candidateEndpointName, endpointNameForModelArn } from "../../components/models/arns";
import type { SageMakerHostingContext } from "./sagemaker-hosting";
import { roleArn } from "../../components/aws";

/** Config keys of this part (`ml-landing-zone:<key>` in `stacks/Pulumi.ml.yaml`). */
export const bikeshareConfigSchema = z.object({
  /** The bike-share pipeline. Defaults to none (nothing declared). */
  bikeshare: z.strictObject({
    /** Model key in `ml-landing-zone:models` (kind `sagemaker`). Defaults to `bikeshare-classifier`. */
    model: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { error: (i) => `expected a model name; got '${String(i.input)}'` }).default("bikeshare-classifier"),
    /** Start of the bucket names (`<prefix>-raw-trips`, `-training-sets`, `-autopilot`); globally unique. Required. */
    bucketNamePrefix: z.string({ error: "expected a bucket name prefix such as 'example-mlz-ml-bikeshare'" })
      .regex(/^[a-z0-9][a-z0-9-]{1,47}[a-z0-9]$/, { error: (i) => `expected 3-49 lowercase letters, digits or dashes; got '${String(i.input)}'` }),
    /** Firehose stream name. Defaults to `bikeshare-trips`. */
    streamName: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/).default("bikeshare-trips"),
    /** S3 delivery buffer in MB (1–128). Defaults to 64. */
    bufferingSizeMb: z.number().int().min(1).max(128).default(64),
    /** S3 delivery buffer interval in seconds (0–900). Defaults to 300. */
    bufferingIntervalSeconds: z.number().int().min(0).max(900).default(300),
    /** Let `pulumi destroy` empty the buckets. Defaults to false. */
    forceDestroy: z.boolean().default(false),
    /** Run the Autopilot job and serve its best candidate (needs the training CSV in place). Defaults to false. */
    train: z.boolean().default(false),
    /** Label of the training run (e.g. the upload date of train.csv); change it to retrain. Defaults to none. */
    trainingRun: z.string().min(1).max(128).optional(),
    /** Autopilot candidates (CompletionCriteria.MaxCandidates, 1–250). Defaults to 30. */
    maxCandidates: z.number().int().min(1).max(250).default(DEFAULT_MAX_CANDIDATES),
    /** Bound on the Autopilot job in seconds (≥ 3600). Defaults to SageMaker's default. */
    maxRuntimeSeconds: z.number().int().min(3600).optional(),
    /** Autopilot job-name prefix (≤ 17 characters). Defaults to `bikeshare`. */
    jobNamePrefix: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,16}$/).default("bikeshare"),
    /**
     * Keep the candidate endpoint `mlz-<model>-candidate` serving the latest trained candidate (for
     * evaluation before promotion, e.g. with `tools/bikeshare-evaluate/cli.ts --endpoint`);
     * each training run points it at the new candidate. Needs `train: true`. Cost: it is an
     * endpoint of its own, independent of the ones the ML stack's hosting keeps for the versions
     * environments reference (`mlz-<model name>`), so while the candidate is also promoted two
     * endpoints serve it and both are paid for. Set `serveCandidate: false` after promotion (and
     * whenever no candidate is being evaluated) to delete the candidate endpoint and stop paying
     * for it; the promoted version keeps its own endpoint. Defaults to true.
     */
    serveCandidate: z.boolean().default(true),
    /** Instance type of the candidate endpoint. Defaults to `ml.m5.xlarge`. */
    instanceType: z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, { error: (i) => `expected a SageMaker instance type such as 'ml.m5.xlarge'; got '${String(i.input)}'` }).default(DEFAULT_INSTANCE_TYPE),
    /** Instance count of the candidate endpoint. Defaults to 1. */
    instanceCount: z.number().int().min(1).max(10).default(DEFAULT_INSTANCE_COUNT),
    /**
     * Also publish `/mlz/models/<model>/arn` and (with `serveCandidate`) `/mlz/models/<model>/endpoint`,
     * naming the candidate endpoint, in the ML account's SSM (the consumer environments publish
     * their own). Defaults to false: the policy
     * `model-parameters-granted` treats every such parameter as a consumer's and requires an
     * `mlz-model-access-<environment>` grant, which the ML account does not give itself.
     */
    publishParameters: z.boolean().default(false),
  }).optional(),
});

export type BikeshareConfig = z.infer<typeof bikeshareConfigSchema>;

export interface BikeshareOutputs {
  bikeshareStreamName: pulumi.Output<string>;
  bikeshareStreamArn: pulumi.Output<string>;
  bikeshareRawTripsBucket: pulumi.Output<string>;
  bikeshareTrainingSetsBucket: pulumi.Output<string>;
  bikeshareAutopilotOutputBucket: pulumi.Output<string>;
  bikeshareKmsKeyArn: pulumi.Output<string>;
  /** Where the training-set preparation must upload `train.csv`. */
  bikeshareTrainingInputUri: pulumi.Output<string>;
  /** Present with `train: true`. */
  bikeshareAutoMLJobName?: pulumi.Output<string>;
  /** InProgress after the deploy that starts the job; a later deploy records Completed, Failed or Stopped. */
  bikeshareAutoMLJobStatus?: pulumi.Output<string>;
  /** Empty until a deploy has found the job completed. */
  bikeshareBestCandidate?: pulumi.Output<string>;
  bikeshareObjectiveMetric?: pulumi.Output<{ name: string; value: number | null }>;
  /** The latest candidate's model ARN; undefined until a deploy has found the job completed. */
  bikeshareModelArn?: pulumi.Output<string | undefined>;
  /**
   * The candidate endpoint `mlz-<model>-candidate`, serving the latest candidate; present with
   * `train` and `serveCandidate`. (A version an environment references is served by the hosting
   * part's endpoint, listed in `sagemakerEndpoints`.)
   */
  bikeshareEndpointName?: pulumi.Output<string | undefined>;
}

/**
 * Declares the pipeline in the ML stack. `models` is the stack's `ml-landing-zone:models` map:
 * `bikeshare.model` must name a `sagemaker` model there. `hosting` comes from
 * `declareSageMakerHosting` (the hosting key, and the versions it hosts, none of which may be
 * served under the candidate endpoint's name); it is required with `train` and `serveCandidate`.
 * Returns undefined without `bikeshare`.
 */
export function declareBikeshare(
  ctx: StackContext,
  cfg: BikeshareConfig,
  models: Record<string, { kind: string }>,
  deployRoleName: string = DEFAULT_DEPLOY_ROLE_NAME,
  hosting?: SageMakerHostingContext,
): BikeshareOutputs | undefined {
  const b = cfg.bikeshare;
  if (!b) return undefined;
  // `bikeshare.model` names a sagemaker model of `models`: checked with the config (stacks/config.ts, mlSchema).
  if (b.train && b.serveCandidate) {
    if (!hosting) {
      throw new Error(`${ctx.stack}: ml-landing-zone:bikeshare.serveCandidate needs the SageMaker hosting of the ML stack (its KMS key); declareSageMakerHosting must run first`);
    }
    // Endpoint names are case-insensitive in SageMaker (ARNs hold them lowercased).
    const candidateEndpoint = candidateEndpointName(b.model);
    const clash = [...hosting.hostedModelArns].sort().find((arn) => endpointNameForModelArn(arn).toLowerCase() === candidateEndpoint.toLowerCase());
    if (clash) {
      throw new Error(`${ctx.stack}: the version '${clash}' an environment references is hosted on endpoint '${endpointNameForModelArn(clash)}', ` +
        `the name of the bike-share candidate endpoint; rename that model or set ml-landing-zone:bikeshare.serveCandidate to false`);
    }
  }
  const opts = { provider: ctx.provider };

  const ingestion = new BikeshareIngestion("bikeshare", {
    bucketNamePrefix: b.bucketNamePrefix,
    accountId: ctx.accountId,
    region: ctx.region,
    streamName: b.streamName,
    bufferingSizeMb: b.bufferingSizeMb,
    bufferingIntervalSeconds: b.bufferingIntervalSeconds,
    forceDestroy: b.forceDestroy,
  }, opts);

  const outputs: BikeshareOutputs = {
    bikeshareStreamName: ingestion.streamName,
    bikeshareStreamArn: ingestion.streamArn,
    bikeshareRawTripsBucket: ingestion.rawTripsBucket.bucketName,
    bikeshareTrainingSetsBucket: ingestion.trainingSetsBucket.bucketName,
    bikeshareAutopilotOutputBucket: ingestion.autopilotOutputBucket.bucketName,
    bikeshareKmsKeyArn: ingestion.kmsKeyArn,
    bikeshareTrainingInputUri: pulumi.interpolate`s3://${ingestion.trainingSetsBucket.bucketName}/${DEFAULT_TRAINING_PREFIX}`,
  };
  if (!b.train) return outputs;

  const training = new BikeshareAutopilot("bikeshare-training", {
    trainingBucketName: ingestion.trainingSetsBucket.bucketName,
    trainingBucketArn: ingestion.trainingSetsBucket.arn,
    outputBucketName: ingestion.autopilotOutputBucket.bucketName,
    outputBucketArn: ingestion.autopilotOutputBucket.arn,
    kmsKeyArn: ingestion.kmsKeyArn,
    accountId: ctx.accountId,
    region: ctx.region,
    partition: ctx.partition,
    assumeRoleArn: roleArn(ctx.partition, ctx.accountId, deployRoleName),
    jobNamePrefix: b.jobNamePrefix,
    maxCandidates: b.maxCandidates,
    maxRuntimeSeconds: b.maxRuntimeSeconds,
    trainingRun: b.trainingRun,
  }, {
    // The AutoML job is a dynamic resource; default providers are disabled, so it gets an explicit one.
    providers: [ctx.provider, new NodeDynamicProvider("bikeshare-dynamic")],
  });

  // A deploy never waits for training: the deploy that starts the job records it InProgress, and
  // the model and candidate endpoint are declared once a later deploy (the scheduled
  // training-pickup workflow, or any deploy of the ML stack) has found the job Completed. While a
  // new training run is in progress, the previous candidate's endpoint is removed (its model is
  // kept; the versions environments reference keep the hosting part's endpoints).
  const serving = training.status.apply((status) => status !== "Completed" ? undefined : new BikeshareInference("bikeshare-serving", {
    model: b.model,
    modelName: training.jobName.apply((job) => modelNameForJob(b.model, job)),
    containers: training.inferenceContainers,
    modelDataBucketArn: ingestion.autopilotOutputBucket.arn,
    modelDataPrefix: DEFAULT_OUTPUT_PREFIX,
    kmsKeyArn: ingestion.kmsKeyArn,
    accountId: ctx.accountId,
    region: ctx.region,
    partition: ctx.partition,
    publishParameters: b.publishParameters,
    serveCandidate: b.serveCandidate,
    endpointKmsKeyArn: b.serveCandidate ? hosting!.kmsKeyArn : undefined,
    instanceType: b.instanceType,
    instanceCount: b.instanceCount,
  }, opts));

  return {
    ...outputs,
    bikeshareAutoMLJobName: training.jobName,
    bikeshareAutoMLJobStatus: training.status,
    bikeshareBestCandidate: training.bestCandidateName,
    bikeshareObjectiveMetric: pulumi.all([training.objectiveMetricName, training.objectiveMetricValue]).apply(([name, value]) => ({ name, value })),
    bikeshareModelArn: serving.apply((sv): pulumi.Output<string | undefined> => sv ? sv.modelArn : pulumi.output(undefined)),
    ...(b.serveCandidate ? { bikeshareEndpointName: serving.apply((sv): pulumi.Output<string | undefined> => sv?.endpoint ? sv.endpoint.name : pulumi.output(undefined)) } : {}),
  };
}
