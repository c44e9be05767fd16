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
 * `s3://<prefix>-training-sets/autopilot/input/` (see `functions/bikeshare-training-prep/cli.ts`),
 * `train: true` adds the Autopilot job and the SageMaker model of its best candidate. (An Autopilot
 * job started on an empty prefix fails, so training cannot be part of the first apply.)
 *
 * Models and endpoints: every trained model is kept when a later training run replaces it
 * (`retainOnDelete`), because environments may still reference it; the ML stack's SageMaker hosting
 * (sagemaker-hosting.ts) keeps an endpoint for each referenced version and deletes it when no
 * environment references it any more. With `serveCandidate` (default true) the latest candidate
 * also gets its endpoint, for evaluation before promotion; once an environment references it, the
 * hosting part declares that same endpoint (same logical name) instead, so it is declared once.
 * Which one applies is decided from the candidate's model ARN, known when the training run is
 * unchanged; in a preview of a new training run it is not known yet, and the candidate's endpoint
 * appears only in the update (the model name comes from the job, which runs during the update).
 */
import * as pulumi from "@pulumi/pulumi";
import { NodeDynamicProvider } from "../../components/models/model-version";
import { z } from "zod";
import type { StackContext } from "../context";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../../components/naming";
import { BikeshareIngestion } from "../../components/pipelines/bikeshare/ingestion";
import { BikeshareAutopilot, DEFAULT_MAX_CANDIDATES, DEFAULT_OUTPUT_PREFIX, DEFAULT_TRAINING_PREFIX } from "../../components/pipelines/bikeshare/autopilot";
import { BikeshareInference, DEFAULT_INSTANCE_COUNT, DEFAULT_INSTANCE_TYPE, modelNameForJob } from "../../components/pipelines/bikeshare/inference";
import { SageMakerModelHosting } from "../../components/models/sagemaker-model-hosting";
import { sagemakerHostingName, type SageMakerHostingContext } from "./sagemaker-hosting";

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
     * Keep an endpoint serving the latest trained candidate (for evaluation before promotion) while
     * no environment references it; once one does, the ML stack's hosting serves it with the
     * model's sizing. Set false to stop paying for an unpromoted candidate. Defaults to true.
     */
    serveCandidate: z.boolean().default(true),
    /** Instance type of the candidate's endpoint. Defaults to `ml.m5.xlarge`. */
    instanceType: z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, { error: (i) => `expected a SageMaker instance type such as 'ml.m5.xlarge'; got '${String(i.input)}'` }).default(DEFAULT_INSTANCE_TYPE),
    /** Instance count of the candidate's endpoint. Defaults to 1. */
    instanceCount: z.number().int().min(1).max(10).default(DEFAULT_INSTANCE_COUNT),
    /**
     * Also publish `/mlz/models/<model>/arn` and `/mlz/models/<model>/endpoint` in the ML account's
     * SSM (the consumer environments publish their own). Defaults to false: the policy
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
  bikeshareBestCandidate?: pulumi.Output<string>;
  bikeshareObjectiveMetric?: pulumi.Output<{ name: string; value: number }>;
  /** The latest candidate's model ARN. */
  bikeshareModelArn?: pulumi.Output<string>;
  /**
   * The endpoint serving the latest candidate: present when it is served, by its own endpoint
   * (`serveCandidate`) or because an environment references it.
   */
  bikeshareEndpointName?: pulumi.Output<string>;
}

/**
 * The value of an Output, or undefined when the engine reports it unknown (a preview in which its
 * resource is about to be created or replaced). Reads the `isKnown` promise every Output of
 * @pulumi/pulumi 3 carries (not in its public typings); fails loudly if an SDK drops it.
 */
export async function knownValue<T>(output: pulumi.Output<T>): Promise<T | undefined> {
  const isKnown = (output as unknown as { isKnown?: unknown }).isKnown;
  if (!(isKnown instanceof Promise)) {
    throw new Error("@pulumi/pulumi Output has no isKnown promise: the bike-share candidate's endpoint cannot be decided (check the SDK version)");
  }
  if (!(await isKnown)) return undefined;
  return new Promise<T>((resolve) => output.apply((v) => {
    resolve(v);
    return v;
  }));
}

/**
 * Declares the pipeline in the ML stack. `models` is the stack's `ml-landing-zone:models` map:
 * `bikeshare.model` must name a `sagemaker` model there. `hosting` comes from
 * `declareSageMakerHosting` (the hosting key and the versions it already serves); it is required
 * with `train` and `serveCandidate`. Returns undefined without `bikeshare`. Async: with
 * `serveCandidate` it waits for the candidate's model ARN (see the module comment).
 */
export async function declareBikeshare(
  ctx: StackContext,
  cfg: BikeshareConfig,
  models: Record<string, { kind: string }>,
  deployRoleName: string = DEFAULT_DEPLOY_ROLE_NAME,
  hosting?: SageMakerHostingContext,
): Promise<BikeshareOutputs | undefined> {
  const b = cfg.bikeshare;
  if (!b) return undefined;
  const hosted = models[b.model];
  if (!hosted || hosted.kind !== "sagemaker") {
    throw new Error(`${ctx.stack}: ml-landing-zone:bikeshare.model must name a sagemaker model of ml-landing-zone:models; ` +
      `${hosted ? `'${b.model}' is ${hosted.kind}` : `got '${b.model}' (models: ${Object.keys(models).sort().join(", ") || "none"})`}`);
  }
  if (b.train && b.serveCandidate && !hosting) {
    throw new Error(`${ctx.stack}: ml-landing-zone:bikeshare.serveCandidate needs the SageMaker hosting of the ML stack (its KMS key); declareSageMakerHosting must run first`);
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
    assumeRoleArn: pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:role/${deployRoleName}`,
    jobNamePrefix: b.jobNamePrefix,
    maxCandidates: b.maxCandidates,
    maxRuntimeSeconds: b.maxRuntimeSeconds,
    trainingRun: b.trainingRun,
  }, {
    // The AutoML job is a dynamic resource; default providers are disabled, so it gets an explicit one.
    providers: [ctx.provider, new NodeDynamicProvider("bikeshare-dynamic")],
  });

  const serving = new BikeshareInference("bikeshare-serving", {
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
  }, opts);

  // The candidate's endpoint: declared here unless the hosting part already serves the version
  // (same logical name either way, so the endpoint survives the hand-over).
  let endpointName: pulumi.Output<string> | undefined;
  const candidateArn = await knownValue(serving.modelArn);
  if (candidateArn === undefined) {
    if (b.serveCandidate) {
      pulumi.log.info(`bike-share: the new training run's model name is not known before the job has run; its endpoint is declared during the update`);
    }
  } else if (hosting?.hostedModelArns.has(candidateArn)) {
    endpointName = serving.endpointName;
  } else if (b.serveCandidate) {
    const candidate = new SageMakerModelHosting(sagemakerHostingName(candidateArn), {
      modelArn: candidateArn,
      kmsKeyArn: hosting!.kmsKeyArn,
      instanceType: b.instanceType,
      instanceCount: b.instanceCount,
      region: ctx.region,
      accountId: ctx.accountId,
    }, { ...opts, dependsOn: [serving.sagemakerModel] });
    endpointName = candidate.endpoint.name;
  }

  return {
    ...outputs,
    bikeshareAutoMLJobName: training.jobName,
    bikeshareBestCandidate: training.bestCandidateName,
    bikeshareObjectiveMetric: pulumi.all([training.objectiveMetricName, training.objectiveMetricValue]).apply(([name, value]) => ({ name, value })),
    bikeshareModelArn: serving.modelArn,
    ...(endpointName ? { bikeshareEndpointName: endpointName } : {}),
  };
}
