/**
 * IAM statements of the bike-share pipeline's roles, as typed data (pure: no resources), so each
 * role's permissions are tested statement by statement.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../../iam/policy-document";
import { arn } from "../../aws";

type S = pulumi.Input<string>;

/** Trust policy statement for an AWS service, limited to principals acting for `accountId`. */
export function serviceTrust(service: string, accountId: S): PolicyStatement<S> {
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  };
}

/** KMS use of `keyArn` through S3 only (`kms:ViaService`). */
function kmsViaS3(sid: string, keyArn: S, region: string, actions: string[]): PolicyStatement<S> {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: keyArn,
    Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
  };
}

export interface DeliveryRoleInput {
  rawBucketArn: S;
  transformFunctionArn: S;
  logGroupArn: S;
  region: string;
  kmsKeyArn?: S;
}

/**
 * Firehose delivery role: write objects to the raw-trips bucket (the S3 actions Firehose documents
 * for an S3 destination), invoke the transform, write its own error logs, use the key through S3.
 */
export function deliveryRoleStatements(i: DeliveryRoleInput): PolicyStatement<S>[] {
  const statements: PolicyStatement<S>[] = [
    {
      Sid: "WriteRawTrips",
      Effect: "Allow",
      Action: [
        "s3:AbortMultipartUpload",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
        "s3:PutObject",
      ],
      Resource: [i.rawBucketArn, pulumi.interpolate`${i.rawBucketArn}/*`],
    },
    {
      Sid: "InvokeTransform",
      Effect: "Allow",
      Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
      Resource: [i.transformFunctionArn, pulumi.interpolate`${i.transformFunctionArn}:*`],
    },
    {
      Sid: "WriteDeliveryErrorLogs",
      Effect: "Allow",
      Action: "logs:PutLogEvents",
      Resource: pulumi.interpolate`${i.logGroupArn}:log-stream:*`,
    },
  ];
  if (i.kmsKeyArn !== undefined) {
    statements.push(kmsViaS3("EncryptRawTrips", i.kmsKeyArn, i.region, ["kms:GenerateDataKey", "kms:Decrypt"]));
  }
  return statements;
}

export interface AutopilotRoleInput {
  roleArn: S;
  trainingBucketArn: S;
  /** Prefix (`autopilot/input/`) the job reads. */
  trainingPrefix: string;
  outputBucketArn: S;
  /** Prefix (`autopilot/output/`) the job writes. */
  outputPrefix: string;
  region: string;
  partition: string;
  accountId: S;
  kmsKeyArn?: S;
}

/**
 * SageMaker execution role of the Autopilot job. Autopilot runs processing, training, tuning and
 * transform jobs with this role, so it may create and watch SageMaker jobs and models in its own
 * account and region and pass itself to SageMaker; data access is limited to the training prefix
 * (read) and the output prefix (read/write).
 */
export function autopilotRoleStatements(i: AutopilotRoleInput): PolicyStatement<S>[] {
  const sm = (resource: string) => arn(i.partition, "sagemaker", i.region, i.accountId, resource);
  const statements: PolicyStatement<S>[] = [
    {
      Sid: "ListTrainingSets",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: i.trainingBucketArn,
      Condition: { StringLike: { "s3:prefix": `${i.trainingPrefix}*` } },
    },
    {
      Sid: "ReadTrainingSets",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: pulumi.interpolate`${i.trainingBucketArn}/${i.trainingPrefix}*`,
    },
    {
      Sid: "ListAutopilotOutput",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: i.outputBucketArn,
      Condition: { StringLike: { "s3:prefix": `${i.outputPrefix}*` } },
    },
    {
      Sid: "ReadWriteAutopilotOutput",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: pulumi.interpolate`${i.outputBucketArn}/${i.outputPrefix}*`,
    },
    {
      Sid: "RunAutopilotJobs",
      Effect: "Allow",
      Action: [
        "sagemaker:AddTags",
        "sagemaker:CreateHyperParameterTuningJob",
        "sagemaker:CreateModel",
        "sagemaker:CreateProcessingJob",
        "sagemaker:CreateTrainingJob",
        "sagemaker:CreateTransformJob",
        "sagemaker:DeleteModel",
        "sagemaker:DescribeAutoMLJob",
        "sagemaker:DescribeAutoMLJobV2",
        "sagemaker:DescribeHyperParameterTuningJob",
        "sagemaker:DescribeModel",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:DescribeTrainingJob",
        "sagemaker:DescribeTransformJob",
        "sagemaker:ListTags",
        "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
        "sagemaker:StopHyperParameterTuningJob",
        "sagemaker:StopProcessingJob",
        "sagemaker:StopTrainingJob",
        "sagemaker:StopTransformJob",
      ],
      Resource: [
        sm("automl-job/*"),
        sm("hyper-parameter-tuning-job/*"),
        sm("model/*"),
        sm("processing-job/*"),
        sm("training-job/*"),
        sm("transform-job/*"),
      ],
    },
    {
      // No resource types (Service Authorization Reference): a statement naming job ARNs never grants it.
      Sid: "ListAutopilotCandidates",
      Effect: "Allow",
      Action: "sagemaker:ListCandidatesForAutoMLJob",
      Resource: "*",
    },
    {
      Sid: "PassOwnRoleToSageMaker",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: i.roleArn,
      Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    },
    ...sageMakerRuntimeStatements(i.region, i.partition, i.accountId),
  ];
  if (i.kmsKeyArn !== undefined) {
    statements.push(
      kmsViaS3("UseKeyForData", i.kmsKeyArn, i.region, ["kms:GenerateDataKey", "kms:Decrypt"]),
      // `kms:GrantIsForAWSResource` is in the request context of the grant actions only (Service
      // Authorization Reference): on DescribeKey, Decrypt or GenerateDataKey that condition never
      // holds, so those are granted in their own statement, through SageMaker and EC2 (the jobs'
      // ML storage volumes) only.
      {
        Sid: "GrantKeyToVolumes",
        Effect: "Allow",
        Action: "kms:CreateGrant",
        Resource: i.kmsKeyArn,
        Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
      },
      {
        Sid: "UseKeyForVolumes",
        Effect: "Allow",
        Action: ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"],
        Resource: i.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": [`sagemaker.${i.region}.amazonaws.com`, `ec2.${i.region}.amazonaws.com`] } },
      },
    );
  }
  return statements;
}

/** Pull SageMaker's images and write SageMaker logs and metrics (every SageMaker execution role). */
function sageMakerRuntimeStatements(region: string, partition: string, accountId: S): PolicyStatement<S>[] {
  return [
    { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PullSageMakerImages",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: arn(partition, "ecr", region, "*", "repository/sagemaker-*"),
    },
    {
      Sid: "WriteSageMakerLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      Resource: arn(partition, "logs", region, accountId, "log-group:/aws/sagemaker/*"),
    },
    {
      Sid: "PutSageMakerMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } },
    },
  ];
}

export interface ModelRoleInput {
  modelBucketArn: S;
  /** Prefix holding the model artifacts (Autopilot's output prefix). */
  modelPrefix: string;
  region: string;
  partition: string;
  accountId: S;
  kmsKeyArn?: S;
}

/** Execution role of the served model: read its artifacts, pull images, write logs and metrics. */
export function modelRoleStatements(i: ModelRoleInput): PolicyStatement<S>[] {
  const statements: PolicyStatement<S>[] = [
    {
      Sid: "ReadModelArtifacts",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: pulumi.interpolate`${i.modelBucketArn}/${i.modelPrefix}*`,
    },
    ...sageMakerRuntimeStatements(i.region, i.partition, i.accountId),
  ];
  if (i.kmsKeyArn !== undefined) statements.push(kmsViaS3("DecryptModelArtifacts", i.kmsKeyArn, i.region, ["kms:Decrypt"]));
  return statements;
}
