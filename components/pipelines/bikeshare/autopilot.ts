import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { policyDocument, policyJson } from "../../iam/policy-document";
import {
  AutoMLJob,
  AutoMLJobProvider,
  MAX_JOB_NAME_PREFIX_LENGTH,
  type InferenceContainer,
} from "./automl-job-provider";
import { autopilotRoleStatements, serviceTrust } from "./policies";

export const DEFAULT_TRAINING_PREFIX = "autopilot/input/";
export const DEFAULT_OUTPUT_PREFIX = "autopilot/output/";
export const DEFAULT_MAX_CANDIDATES = 30;
export const TARGET_ATTRIBUTE = "bike_share_for_all_trip";

export interface BikeshareAutopilotArgs {
  /** Bucket holding the training CSV (`BikeshareIngestion.trainingSetsBucket`). Required. */
  readonly trainingBucketName: pulumi.Input<string>;
  readonly trainingBucketArn: pulumi.Input<string>;
  /** Key prefix of the training CSV (ending in `/`). Defaults to `autopilot/input/`. */
  readonly trainingPrefix?: string;
  /** Bucket for Autopilot's output (`BikeshareIngestion.autopilotOutputBucket`). Required. */
  readonly outputBucketName: pulumi.Input<string>;
  readonly outputBucketArn: pulumi.Input<string>;
  /** Key prefix of Autopilot's output (ending in `/`). Defaults to `autopilot/output/`. */
  readonly outputPrefix?: string;
  /** KMS key of the buckets, also used for Autopilot's output objects and volumes. Defaults to none. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Account the stack deploys into. Required. */
  readonly accountId: pulumi.Input<string>;
  /** Region of the stack. Required. */
  readonly region: string;
  /** Partition of the region. Defaults to `aws`. */
  readonly partition?: string;
  /** Role the dynamic provider assumes for SageMaker calls (the stack's deploy role). Defaults to ambient credentials. */
  readonly assumeRoleArn?: pulumi.Input<string>;
  /** Job names are `<prefix>-<UTC yyyyMMddHHmmss>`; at most 17 characters. Defaults to `bikeshare`. */
  readonly jobNamePrefix?: string;
  /** Candidates Autopilot tries (CompletionCriteria.MaxCandidates). Defaults to 30. */
  readonly maxCandidates?: number;
  /** Bound on the whole job (MaxAutoMLJobRuntimeInSeconds). Defaults to none (SageMaker's default). */
  readonly maxRuntimeSeconds?: number;
  /** Label of the training run; changing it retrains on the data now at the training prefix. Defaults to none. */
  readonly trainingRun?: string;
  /** Tags. Defaults to none. */
  readonly tags?: Record<string, string>;
}

const PREFIX = /^([a-zA-Z0-9!_.*'()-]+\/)+$/;

function validate(args: BikeshareAutopilotArgs): void {
  for (const key of ["trainingPrefix", "outputPrefix"] as const) {
    const v = args[key];
    if (v !== undefined && !PREFIX.test(v)) throw new Error(`[${key}] must be an S3 key prefix of path segments ending in '/'; got '${v}'`);
  }
  if (args.jobNamePrefix !== undefined && (!/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(args.jobNamePrefix) || args.jobNamePrefix.length > MAX_JOB_NAME_PREFIX_LENGTH)) {
    throw new Error(`[jobNamePrefix] must be 1-${MAX_JOB_NAME_PREFIX_LENGTH} letters, digits or inner dashes; got '${args.jobNamePrefix}'`);
  }
  if (args.maxCandidates !== undefined && (!Number.isInteger(args.maxCandidates) || args.maxCandidates < 1 || args.maxCandidates > 250)) {
    throw new Error(`[maxCandidates] must be a whole number from 1 to 250; got ${args.maxCandidates}`);
  }
  if (args.maxRuntimeSeconds !== undefined && (!Number.isInteger(args.maxRuntimeSeconds) || args.maxRuntimeSeconds < 3600)) {
    throw new Error(`[maxRuntimeSeconds] must be a whole number of seconds ≥ 3600; got ${args.maxRuntimeSeconds}`);
  }
}

/**
 * Bike-share training: a SageMaker execution role scoped to the training and output prefixes, and
 * the Autopilot job (dynamic resource `mlz:sagemaker:AutoMLJobV2`): binary classification of
 * `bike_share_for_all_trip`, objective F1. The deploy that creates the job only starts it; a later
 * deploy records its status and, once completed, the best candidate and its inference containers.
 */
export class BikeshareAutopilot extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly job: AutoMLJob;
  public readonly jobName: pulumi.Output<string>;
  /** The job's status as last seen: `InProgress` after the deploy that starts it; a later deploy records `Completed`, `Failed` or `Stopped`. */
  public readonly status: pulumi.Output<string>;
  public readonly bestCandidateName: pulumi.Output<string>;
  public readonly objectiveMetricName: pulumi.Output<string>;
  public readonly objectiveMetricValue: pulumi.Output<number | null>;
  public readonly inferenceContainers: pulumi.Output<InferenceContainer[]>;
  /** `s3://<output bucket>/<output prefix>`: where the candidates' artifacts live. */
  public readonly outputS3Uri: pulumi.Output<string>;

  constructor(name: string, args: BikeshareAutopilotArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:pipelines:BikeshareAutopilot", name, {}, opts);
    validate(args);
    const trainingPrefix = args.trainingPrefix ?? DEFAULT_TRAINING_PREFIX;
    const outputPrefix = args.outputPrefix ?? DEFAULT_OUTPUT_PREFIX;

    this.role = new aws.iam.Role(`${name}-role`, {
      description: "SageMaker execution role of the bike-share Autopilot job",
      assumeRolePolicy: policyJson(policyDocument([serviceTrust("sagemaker.amazonaws.com", args.accountId)])),
      tags: args.tags,
    }, { parent: this });
    const permissions = new aws.iam.RolePolicy(`${name}-permissions`, {
      role: this.role.id,
      policy: policyJson(policyDocument(autopilotRoleStatements({
        roleArn: this.role.arn,
        trainingBucketArn: args.trainingBucketArn,
        trainingPrefix,
        outputBucketArn: args.outputBucketArn,
        outputPrefix,
        region: args.region,
        partition: args.partition ?? "aws",
        accountId: args.accountId,
        kmsKeyArn: args.kmsKeyArn,
      }))),
    }, { parent: this });

    this.outputS3Uri = pulumi.interpolate`s3://${args.outputBucketName}/${outputPrefix}`;
    // The provider starts the job and returns; later deploys pick up its result (no waiting).
    const provider = new AutoMLJobProvider();
    this.job = new AutoMLJob(`${name}-job`, {
      jobNamePrefix: args.jobNamePrefix ?? "bikeshare",
      region: args.region,
      ...(args.assumeRoleArn !== undefined ? { assumeRoleArn: args.assumeRoleArn } : {}),
      roleArn: this.role.arn,
      inputS3Uri: pulumi.interpolate`s3://${args.trainingBucketName}/${trainingPrefix}`,
      outputS3Uri: this.outputS3Uri,
      targetAttributeName: TARGET_ATTRIBUTE,
      maxCandidates: args.maxCandidates ?? DEFAULT_MAX_CANDIDATES,
      ...(args.maxRuntimeSeconds !== undefined ? { maxRuntimeSeconds: args.maxRuntimeSeconds } : {}),
      ...(args.kmsKeyArn !== undefined ? { outputKmsKeyArn: args.kmsKeyArn, volumeKmsKeyArn: args.kmsKeyArn } : {}),
      ...(args.tags !== undefined ? { tags: args.tags } : {}),
      ...(args.trainingRun !== undefined ? { trainingRun: args.trainingRun } : {}),
    }, { parent: this, dependsOn: [permissions] }, provider);

    this.jobName = this.job.jobName;
    this.status = this.job.status;
    this.bestCandidateName = this.job.bestCandidateName;
    this.objectiveMetricName = this.job.objectiveMetricName;
    this.objectiveMetricValue = this.job.objectiveMetricValue;
    this.inferenceContainers = this.job.inferenceContainers;
    this.registerOutputs({
      role: this.role,
      job: this.job,
      jobName: this.jobName,
      status: this.status,
      bestCandidateName: this.bestCandidateName,
      objectiveMetricName: this.objectiveMetricName,
      objectiveMetricValue: this.objectiveMetricValue,
      inferenceContainers: this.inferenceContainers,
      outputS3Uri: this.outputS3Uri,
    });
  }
}
