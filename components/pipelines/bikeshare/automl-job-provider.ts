import * as pulumi from "@pulumi/pulumi";

/**
 * A SageMaker Autopilot job (CreateAutoMLJobV2, tabular binary classification) as a Pulumi dynamic
 * resource: @pulumi/aws has no resource for AutoML jobs.
 *
 * A deploy never waits for training (hours; a deploy's credentials last about an hour):
 * - create: CreateAutoMLJobV2 named `<jobNamePrefix>-<UTC yyyyMMddHHmmss>` (AutoML job names are at
 *   most 32 characters and unique per account forever, so every (re)creation gets a new name), and
 *   returns at once with `status: "InProgress"` and no candidate.
 * - diff (every later `pulumi up`/`preview`, e.g. the scheduled `training-pickup` workflow): a job
 *   recorded as not finished is described; once it has finished, the resource is updated in place.
 * - update / read: describe the job and record its status, and for a `Completed` job its best
 *   candidate (name, objective metric, inference containers); a `Failed`/`Stopped` job records its
 *   `FailureReason`. Any input change still replaces the job (a started job cannot be changed): to
 *   retrain on new data at the same S3 prefix, change `trainingRun`.
 * - delete: AutoML jobs cannot be deleted; a job still running is stopped (StopAutoMLJob), a
 *   finished one is left in SageMaker's history.
 * - check: during a real preview an input that depends on a resource not yet created (the
 *   execution role's ARN) arrives as the placeholder `PREVIEW_UNKNOWN`; only known values are validated.
 *
 * Credentials: dynamic providers do not use the stack's AWS provider. When `assumeRoleArn` is set
 * (the stack passes the deploy role of the account its provider targets), every provider call
 * assumes it afresh with STS (no call outlives its credentials); otherwise the default credential
 * chain is used.
 *
 * The AWS SDK is imported inside each method (PITFALLS: a client class captured at module top
 * level cannot be serialized). The input `kind: "mlz:sagemaker:AutoMLJobV2"` tells the offline
 * plan what to simulate (under mocks every dynamic resource is `pulumi-nodejs:dynamic:Resource`).
 */
export const AUTOML_JOB_KIND = "mlz:sagemaker:AutoMLJobV2";
/** What the engine sends a dynamic provider's `check` for a value unknown during preview. */
export const PREVIEW_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Job statuses after which nothing changes any more. */
export const FINISHED_STATUSES = ["Completed", "Failed", "Stopped"] as const;
/** `YYYYMMDDhhmmss` suffix plus the dash. */
const NAME_SUFFIX_LENGTH = 15;
/** AutoMLJobName: 1–32 characters, `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}`. */
export const MAX_JOB_NAME_PREFIX_LENGTH = 32 - NAME_SUFFIX_LENGTH;

/** Inputs, fully resolved (what the provider sees). */
export interface AutoMLJobInputs {
  kind: typeof AUTOML_JOB_KIND;
  /** Job names are `<prefix>-<yyyyMMddHHmmss>`; at most 17 characters of [a-zA-Z0-9-]. */
  jobNamePrefix: string;
  /** Region of the job. */
  region: string;
  /** Role the provider assumes to call SageMaker; default credential chain when absent. */
  assumeRoleArn?: string;
  /** SageMaker execution role (reads input, writes output). */
  roleArn: string;
  /** S3 prefix holding the training CSV (with header). */
  inputS3Uri: string;
  /** S3 prefix for Autopilot's output. */
  outputS3Uri: string;
  /** Column to predict. */
  targetAttributeName: string;
  /** CompletionCriteria.MaxCandidates. */
  maxCandidates: number;
  /** CompletionCriteria.MaxAutoMLJobRuntimeInSeconds, when set. */
  maxRuntimeSeconds?: number;
  /** KMS key for Autopilot's output objects, when set. */
  outputKmsKeyArn?: string;
  /** KMS key for the training volumes, when set. */
  volumeKmsKeyArn?: string;
  /** Tags of the job. */
  tags?: Record<string, string>;
  /**
   * Free label of the training run (e.g. the date the training CSV was uploaded). Not sent to
   * SageMaker; changing it retrains (replaces the job) with otherwise unchanged inputs.
   */
  trainingRun?: string;
}

export interface InferenceContainer {
  image: string;
  modelDataUrl: string;
  environment: Record<string, string>;
}

export interface AutoMLJobOutputs extends AutoMLJobInputs {
  jobName: string;
  jobArn: string;
  /** AutoMLJobStatus as last seen: InProgress, Stopping, Completed, Failed or Stopped. */
  status: string;
  /** FailureReason of a Failed or Stopped job; empty otherwise. */
  failureReason: string;
  /** The best candidate once the job has completed; empty before. */
  bestCandidateName: string;
  objectiveMetricName: string;
  /** The best candidate's objective metric; null before the job has completed. */
  objectiveMetricValue: number | null;
  /** In serving order: data transform, algorithm, inverse label transform. Empty before the job has completed. */
  inferenceContainers: InferenceContainer[];
}

export interface AutoMLJobProviderOptions {
  /** Clock for the job-name suffix. Defaults to `new Date()`. */
  now?: () => Date;
}

const JOB_NAME_PREFIX = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;

/**
 * Validation failures of the inputs (empty when valid). A value still unknown in a preview (the
 * placeholder `PREVIEW_UNKNOWN`) is not validated: it is checked again when known.
 */
export function validateAutoMLJobInputs(i: Partial<AutoMLJobInputs>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const unknown = (v: unknown) => v === PREVIEW_UNKNOWN || (typeof v === "string" && v.includes(PREVIEW_UNKNOWN));
  const fail = (property: string, reason: string) => {
    if (!unknown((i as Record<string, unknown>)[property])) failures.push({ property, reason });
  };
  if (i.kind !== AUTOML_JOB_KIND) fail("kind", `must be '${AUTOML_JOB_KIND}'; got '${i.kind}'`);
  if (typeof i.jobNamePrefix !== "string" || !JOB_NAME_PREFIX.test(i.jobNamePrefix) || i.jobNamePrefix.length > MAX_JOB_NAME_PREFIX_LENGTH) {
    fail("jobNamePrefix", `must be 1-${MAX_JOB_NAME_PREFIX_LENGTH} letters, digits or inner dashes; got '${i.jobNamePrefix}'`);
  }
  if (typeof i.roleArn !== "string" || !ROLE_ARN.test(i.roleArn)) fail("roleArn", `must be an IAM role ARN; got '${i.roleArn}'`);
  if (i.assumeRoleArn !== undefined && !ROLE_ARN.test(i.assumeRoleArn)) fail("assumeRoleArn", `must be an IAM role ARN; got '${i.assumeRoleArn}'`);
  for (const k of ["inputS3Uri", "outputS3Uri"] as const) {
    if (typeof i[k] !== "string" || !S3_URI.test(i[k]!)) fail(k, `must be an s3://bucket/prefix URI; got '${i[k]}'`);
  }
  if (typeof i.targetAttributeName !== "string" || i.targetAttributeName === "") fail("targetAttributeName", "must name a column");
  if (!Number.isInteger(i.maxCandidates) || i.maxCandidates! < 1) fail("maxCandidates", `must be a whole number ≥ 1; got ${i.maxCandidates}`);
  if (i.maxRuntimeSeconds !== undefined && (!Number.isInteger(i.maxRuntimeSeconds) || i.maxRuntimeSeconds < 1)) {
    fail("maxRuntimeSeconds", `must be a whole number of seconds ≥ 1; got ${i.maxRuntimeSeconds}`);
  }
  if (typeof i.region !== "string" || !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(i.region)) fail("region", `must be an AWS region; got '${i.region}'`);
  return failures;
}

/** `<prefix>-<yyyyMMddHHmmss>` (UTC). */
export function autoMLJobName(prefix: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${prefix}-${stamp}`;
}

/** The CreateAutoMLJobV2 request for `inputs` and a job name (exported for tests and the plan). */
export function createAutoMLJobV2Request(inputs: AutoMLJobInputs, jobName: string) {
  return {
    AutoMLJobName: jobName,
    AutoMLJobInputDataConfig: [{
      ChannelType: "training" as const,
      ContentType: "text/csv;header=present",
      CompressionType: "None" as const,
      DataSource: { S3DataSource: { S3DataType: "S3Prefix" as const, S3Uri: inputs.inputS3Uri } },
    }],
    OutputDataConfig: {
      S3OutputPath: inputs.outputS3Uri,
      ...(inputs.outputKmsKeyArn ? { KmsKeyId: inputs.outputKmsKeyArn } : {}),
    },
    AutoMLProblemTypeConfig: {
      TabularJobConfig: {
        ProblemType: "BinaryClassification" as const,
        TargetAttributeName: inputs.targetAttributeName,
        CompletionCriteria: {
          MaxCandidates: inputs.maxCandidates,
          ...(inputs.maxRuntimeSeconds ? { MaxAutoMLJobRuntimeInSeconds: inputs.maxRuntimeSeconds } : {}),
        },
      },
    },
    AutoMLJobObjective: { MetricName: "F1" as const },
    RoleArn: inputs.roleArn,
    SecurityConfig: {
      EnableInterContainerTrafficEncryption: true,
      ...(inputs.volumeKmsKeyArn ? { VolumeKmsKeyId: inputs.volumeKmsKeyArn } : {}),
    },
    ...(inputs.tags && Object.keys(inputs.tags).length > 0
      ? { Tags: Object.entries(inputs.tags).map(([Key, Value]) => ({ Key, Value })) }
      : {}),
  };
}

/** Inputs compared by `diff`: every one of them forces a new job. */
const INPUT_KEYS: (keyof AutoMLJobInputs)[] = [
  "kind", "jobNamePrefix", "region", "assumeRoleArn", "roleArn", "inputS3Uri", "outputS3Uri",
  "targetAttributeName", "maxCandidates", "maxRuntimeSeconds", "outputKmsKeyArn", "volumeKmsKeyArn", "tags", "trainingRun",
];

/** The outputs a description of the job gives (status, failure and, once completed, the best candidate). */
export function jobState(job: {
  AutoMLJobArn?: string;
  AutoMLJobStatus?: string;
  FailureReason?: string;
  BestCandidate?: { CandidateName?: string; FinalAutoMLJobObjectiveMetric?: { MetricName?: string; Value?: number }; InferenceContainers?: { Image?: string; ModelDataUrl?: string; Environment?: Record<string, string> }[] };
}, jobName: string): Pick<AutoMLJobOutputs, "jobArn" | "status" | "failureReason" | "bestCandidateName" | "objectiveMetricName" | "objectiveMetricValue" | "inferenceContainers"> {
  const status = String(job.AutoMLJobStatus ?? "InProgress");
  const none = { bestCandidateName: "", objectiveMetricName: "F1", objectiveMetricValue: null, inferenceContainers: [] as InferenceContainer[] };
  const base = { jobArn: job.AutoMLJobArn ?? "", status, failureReason: status === "Failed" || status === "Stopped" ? (job.FailureReason ?? "SageMaker gave no failure reason") : "" };
  if (status !== "Completed") return { ...base, ...none };
  const best = job.BestCandidate;
  const metric = best?.FinalAutoMLJobObjectiveMetric;
  const containers = best?.InferenceContainers ?? [];
  if (!best?.CandidateName || containers.length === 0 || metric?.Value === undefined) {
    throw new Error(`AutoML job ${jobName} completed without a best candidate with inference containers`);
  }
  return {
    ...base,
    bestCandidateName: best.CandidateName,
    objectiveMetricName: String(metric.MetricName ?? "F1"),
    objectiveMetricValue: metric.Value,
    inferenceContainers: containers.map((c) => ({ image: c.Image ?? "", modelDataUrl: c.ModelDataUrl ?? "", environment: c.Environment ?? {} })),
  };
}

export class AutoMLJobProvider implements pulumi.dynamic.ResourceProvider {
  private readonly now: () => Date;

  constructor(options: AutoMLJobProviderOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async check(_olds: AutoMLJobInputs, news: AutoMLJobInputs): Promise<pulumi.dynamic.CheckResult> {
    const failures = validateAutoMLJobInputs(news);
    return failures.length > 0 ? { failures } : { inputs: news };
  }

  /**
   * Any input change replaces the job. With unchanged inputs, a job recorded as unfinished is
   * described: when it has finished since, the resource is updated in place (its best candidate
   * picked up).
   */
  async diff(id: string, olds: AutoMLJobOutputs, news: AutoMLJobInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = INPUT_KEYS.filter((k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null));
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
    if ((FINISHED_STATUSES as readonly string[]).includes(olds.status)) return { changes: false };
    const { DescribeAutoMLJobV2Command } = await import("@aws-sdk/client-sagemaker");
    const client = await this.client(olds);
    const job = await client.send(new DescribeAutoMLJobV2Command({ AutoMLJobName: id }));
    const changed = String(job.AutoMLJobStatus ?? "") !== olds.status;
    return changed ? { changes: true, replaces: [], deleteBeforeReplace: false } : { changes: false };
  }

  /** Starts the job and returns at once: training is never waited for. */
  async create(inputs: AutoMLJobInputs): Promise<pulumi.dynamic.CreateResult<AutoMLJobOutputs>> {
    const failures = validateAutoMLJobInputs(inputs);
    if (failures.length > 0) throw new Error(`invalid AutoML job inputs: ${failures.map((f) => `[${f.property}] ${f.reason}`).join("; ")}`);
    const { CreateAutoMLJobV2Command } = await import("@aws-sdk/client-sagemaker");
    const client = await this.client(inputs);
    const jobName = autoMLJobName(inputs.jobNamePrefix, this.now());
    const created = await client.send(new CreateAutoMLJobV2Command(createAutoMLJobV2Request(inputs, jobName)));
    return {
      id: jobName,
      outs: { ...inputs, jobName, ...jobState({ AutoMLJobArn: created.AutoMLJobArn, AutoMLJobStatus: "InProgress" }, jobName) },
    };
  }

  /** Records the job's current status and, once completed, its best candidate. */
  async update(id: string, _olds: AutoMLJobOutputs, news: AutoMLJobInputs): Promise<pulumi.dynamic.UpdateResult<AutoMLJobOutputs>> {
    return { outs: await this.describe(id, news) };
  }

  async read(id: string, props: AutoMLJobOutputs): Promise<pulumi.dynamic.ReadResult<AutoMLJobOutputs>> {
    return { id, props: await this.describe(id, props) };
  }

  async delete(id: string, props: AutoMLJobOutputs): Promise<void> {
    const { DescribeAutoMLJobV2Command, StopAutoMLJobCommand } = await import("@aws-sdk/client-sagemaker");
    const client = await this.client(props);
    const job = await client.send(new DescribeAutoMLJobV2Command({ AutoMLJobName: id }));
    if (job.AutoMLJobStatus === "InProgress") {
      await client.send(new StopAutoMLJobCommand({ AutoMLJobName: id }));
    }
  }

  private async describe(jobName: string, inputs: AutoMLJobInputs): Promise<AutoMLJobOutputs> {
    const { DescribeAutoMLJobV2Command } = await import("@aws-sdk/client-sagemaker");
    const client = await this.client(inputs);
    const job = await client.send(new DescribeAutoMLJobV2Command({ AutoMLJobName: jobName }));
    const picked = Object.fromEntries(INPUT_KEYS.filter((k) => inputs[k] !== undefined).map((k) => [k, inputs[k]])) as unknown as AutoMLJobInputs;
    return { ...picked, jobName, ...jobState(job, jobName) };
  }

  private async client(inputs: Pick<AutoMLJobInputs, "region" | "assumeRoleArn">) {
    const { SageMakerClient } = await import("@aws-sdk/client-sagemaker");
    if (!inputs.assumeRoleArn) return new SageMakerClient({ region: inputs.region });
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const sts = new STSClient({ region: inputs.region });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: inputs.assumeRoleArn, RoleSessionName: "mlz-automl-job" }));
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${inputs.assumeRoleArn} returned no credentials`);
    return new SageMakerClient({
      region: inputs.region,
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
    });
  }
}

/** Resource args: every field may be an Output. */
export type AutoMLJobArgs = { [K in keyof Omit<AutoMLJobInputs, "kind">]: pulumi.Input<Omit<AutoMLJobInputs, "kind">[K]> };

/** The dynamic resource. Use through `BikeshareAutopilot`. */
export class AutoMLJob extends pulumi.dynamic.Resource {
  public declare readonly jobName: pulumi.Output<string>;
  public declare readonly jobArn: pulumi.Output<string>;
  /** AutoMLJobStatus as last seen (InProgress until a later deploy finds the job finished). */
  public declare readonly status: pulumi.Output<string>;
  public declare readonly failureReason: pulumi.Output<string>;
  public declare readonly bestCandidateName: pulumi.Output<string>;
  public declare readonly objectiveMetricName: pulumi.Output<string>;
  public declare readonly objectiveMetricValue: pulumi.Output<number | null>;
  public declare readonly inferenceContainers: pulumi.Output<InferenceContainer[]>;

  constructor(name: string, args: AutoMLJobArgs, opts?: pulumi.CustomResourceOptions, provider: AutoMLJobProvider = new AutoMLJobProvider()) {
    super(provider, name, {
      kind: AUTOML_JOB_KIND,
      ...args,
      jobName: undefined,
      jobArn: undefined,
      status: undefined,
      failureReason: undefined,
      bestCandidateName: undefined,
      objectiveMetricName: undefined,
      objectiveMetricValue: undefined,
      inferenceContainers: undefined,
    }, opts);
  }
}
