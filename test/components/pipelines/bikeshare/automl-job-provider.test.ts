import { strict as assert } from "node:assert";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import {
  CreateAutoMLJobV2Command,
  DescribeAutoMLJobV2Command,
  SageMakerClient,
  StopAutoMLJobCommand,
} from "@aws-sdk/client-sagemaker";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  AUTOML_JOB_KIND,
  PREVIEW_UNKNOWN,
  AutoMLJobProvider,
  autoMLJobName,
  validateAutoMLJobInputs,
  type AutoMLJobInputs,
  type AutoMLJobOutputs,
} from "../../../../components/pipelines/bikeshare/automl-job-provider";

const INPUTS: AutoMLJobInputs = {
  kind: AUTOML_JOB_KIND,
  jobNamePrefix: "bikeshare",
  region: "us-east-1",
  roleArn: "arn:aws:iam::444444444444:role/bikeshare-autopilot",
  inputS3Uri: "s3://mlz-ml-bikeshare-training-sets/autopilot/input/",
  outputS3Uri: "s3://mlz-ml-bikeshare-autopilot/output/",
  targetAttributeName: "bike_share_for_all_trip",
  maxCandidates: 30,
};
const NOW = new Date("2026-11-01T10:15:00.000Z");
const JOB = "bikeshare-20261101101500";
const CONTAINERS = [
  { Image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-sklearn-automl:2.5-1-cpu-py3", ModelDataUrl: "s3://mlz-ml-bikeshare-autopilot/output/bikeshare-20261101101500/data-processor-models/dpp0/output/model.tar.gz", Environment: { AUTOML_TRANSFORM_MODE: "feature-transform", SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: "application/x-recordio-protobuf", SAGEMAKER_PROGRAM: "sagemaker_serve", SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code" } },
  { Image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1-cpu-py3", ModelDataUrl: "s3://mlz-ml-bikeshare-autopilot/output/bikeshare-20261101101500/tuning/xgb/model.tar.gz", Environment: { MAX_CONTENT_LENGTH: "20971520", SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: "text/csv", SAGEMAKER_INFERENCE_OUTPUT: "predicted_label" } },
  { Image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-sklearn-automl:2.5-1-cpu-py3", ModelDataUrl: "s3://mlz-ml-bikeshare-autopilot/output/bikeshare-20261101101500/data-processor-models/dpp0/output/model.tar.gz", Environment: { AUTOML_TRANSFORM_MODE: "inverse-label-transform", SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: "text/csv", SAGEMAKER_INFERENCE_INPUT: "predicted_label", SAGEMAKER_INFERENCE_OUTPUT: "predicted_label", SAGEMAKER_PROGRAM: "sagemaker_serve", SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code" } },
];
const JOB_ARN = `arn:aws:sagemaker:us-east-1:444444444444:automl-job/${JOB}`;

function provider() {
  return new AutoMLJobProvider({ now: () => NOW });
}

const BEST = {
  CandidateName: "bikeshare-20261101101500XGB-003-7f1c2a9e",
  FinalAutoMLJobObjectiveMetric: { MetricName: "F1", Value: 0.8125 },
  InferenceContainers: CONTAINERS,
};
/** What the deploy that starts the job records. */
const STARTED = { status: "InProgress", failureReason: "", bestCandidateName: "", objectiveMetricName: "F1", objectiveMetricValue: null, inferenceContainers: [] };

function describe_(status: string, extra: Record<string, unknown> = {}) {
  return { AutoMLJobName: JOB, AutoMLJobArn: JOB_ARN, AutoMLJobStatus: status, AutoMLJobSecondaryStatus: status === "InProgress" ? "Training" : status, ...extra } as any;
}

describe("AutoMLJobProvider (aws-sdk-client-mock)", () => {
  // Created in before() and restored in after(): other test files mock the same clients.
  let sm: AwsClientStub<SageMakerClient>;
  let sts: AwsClientStub<STSClient>;
  before(() => {
    sm = mockClient(SageMakerClient);
    sts = mockClient(STSClient);
  });
  after(() => {
    sm.restore();
    sts.restore();
  });
  afterEach(() => {
    sm.reset();
    sts.reset();
  });

  it("starts the job with the exact CreateAutoMLJobV2 request and returns at once: a deploy never waits for training", async () => {
    sm.on(CreateAutoMLJobV2Command).resolves({ AutoMLJobArn: JOB_ARN });
    const inputs = { ...INPUTS, outputKmsKeyArn: "arn:aws:kms:us-east-1:444444444444:key/k1", volumeKmsKeyArn: "arn:aws:kms:us-east-1:444444444444:key/k1", maxRuntimeSeconds: 14_400, tags: { pipeline: "bikeshare" } };
    const res = await provider().create(inputs);

    assert.deepEqual(sm.commandCalls(CreateAutoMLJobV2Command).map((c) => c.args[0].input), [{
      AutoMLJobName: JOB,
      AutoMLJobInputDataConfig: [{
        ChannelType: "training",
        ContentType: "text/csv;header=present",
        CompressionType: "None",
        DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: "s3://mlz-ml-bikeshare-training-sets/autopilot/input/" } },
      }],
      OutputDataConfig: { S3OutputPath: "s3://mlz-ml-bikeshare-autopilot/output/", KmsKeyId: "arn:aws:kms:us-east-1:444444444444:key/k1" },
      AutoMLProblemTypeConfig: {
        TabularJobConfig: {
          ProblemType: "BinaryClassification",
          TargetAttributeName: "bike_share_for_all_trip",
          CompletionCriteria: { MaxCandidates: 30, MaxAutoMLJobRuntimeInSeconds: 14_400 },
        },
      },
      AutoMLJobObjective: { MetricName: "F1" },
      RoleArn: "arn:aws:iam::444444444444:role/bikeshare-autopilot",
      SecurityConfig: { EnableInterContainerTrafficEncryption: true, VolumeKmsKeyId: "arn:aws:kms:us-east-1:444444444444:key/k1" },
      Tags: [{ Key: "pipeline", Value: "bikeshare" }],
    }]);
    // No status polling at all.
    assert.equal(sm.commandCalls(DescribeAutoMLJobV2Command).length, 0);
    assert.equal(sts.commandCalls(AssumeRoleCommand).length, 0);
    assert.equal(res.id, JOB);
    assert.deepEqual(res.outs, { ...inputs, jobName: JOB, jobArn: JOB_ARN, ...STARTED });
  });

  it("a later deploy picks up the finished job: diff describes an unfinished job, update records the best candidate", async () => {
    const olds = { ...INPUTS, jobName: JOB, jobArn: JOB_ARN, ...STARTED } as AutoMLJobOutputs;
    sm.on(DescribeAutoMLJobV2Command).resolvesOnce(describe_("InProgress"));
    assert.deepEqual(await provider().diff(JOB, olds, { ...INPUTS }), { changes: false });
    sm.reset();
    sm.on(DescribeAutoMLJobV2Command).resolves(describe_("Completed", { BestCandidate: BEST }));
    assert.deepEqual(await provider().diff(JOB, olds, { ...INPUTS }), { changes: true, replaces: [], deleteBeforeReplace: false });
    const updated = await provider().update(JOB, olds, { ...INPUTS });
    assert.deepEqual(sm.commandCalls(DescribeAutoMLJobV2Command).map((c) => c.args[0].input), [{ AutoMLJobName: JOB }, { AutoMLJobName: JOB }]);
    assert.deepEqual(updated.outs, {
      ...INPUTS,
      jobName: JOB,
      jobArn: JOB_ARN,
      status: "Completed",
      failureReason: "",
      bestCandidateName: "bikeshare-20261101101500XGB-003-7f1c2a9e",
      objectiveMetricName: "F1",
      objectiveMetricValue: 0.8125,
      inferenceContainers: CONTAINERS.map((c) => ({ image: c.Image, modelDataUrl: c.ModelDataUrl, environment: c.Environment })),
    });
    // A finished job is never described again.
    sm.reset();
    assert.deepEqual(await provider().diff(JOB, updated.outs as AutoMLJobOutputs, { ...INPUTS }), { changes: false });
    assert.equal(sm.commandCalls(DescribeAutoMLJobV2Command).length, 0);
    // `pulumi refresh` reads the same.
    sm.on(DescribeAutoMLJobV2Command).resolves(describe_("Completed", { BestCandidate: BEST }));
    const read = await provider().read(JOB, olds);
    assert.equal(read.id, JOB);
    assert.equal((read.props as AutoMLJobOutputs).bestCandidateName, "bikeshare-20261101101500XGB-003-7f1c2a9e");
  });

  it("sends the minimal request when optional inputs are absent", async () => {
    sm.on(CreateAutoMLJobV2Command).resolves({ AutoMLJobArn: JOB_ARN });
    await provider().create(INPUTS);
    const req = sm.commandCalls(CreateAutoMLJobV2Command)[0].args[0].input;
    assert.deepEqual(req.OutputDataConfig, { S3OutputPath: "s3://mlz-ml-bikeshare-autopilot/output/" });
    assert.deepEqual(req.AutoMLProblemTypeConfig?.TabularJobConfig?.CompletionCriteria, { MaxCandidates: 30 });
    assert.deepEqual(req.SecurityConfig, { EnableInterContainerTrafficEncryption: true });
    assert.equal("Tags" in req, false);
  });

  it("assumes the given role with STS afresh for each call", async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "AKIA", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date("2026-11-01T11:15:00Z") } });
    sm.on(CreateAutoMLJobV2Command).resolves({ AutoMLJobArn: JOB_ARN });
    sm.on(DescribeAutoMLJobV2Command).resolves(describe_("InProgress"));
    const inputs = { ...INPUTS, assumeRoleArn: "arn:aws:iam::444444444444:role/mlz-deploy" };
    const created = await provider().create(inputs);
    await provider().diff(JOB, created.outs as AutoMLJobOutputs, inputs);
    assert.deepEqual(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input), Array(2).fill({ RoleArn: "arn:aws:iam::444444444444:role/mlz-deploy", RoleSessionName: "mlz-automl-job" }));
    const client = sm.commandCalls(CreateAutoMLJobV2Command)[0].thisValue as SageMakerClient;
    const creds = await (client.config.credentials as () => Promise<{ accessKeyId: string }>)();
    assert.equal(creds.accessKeyId, "AKIA");
  });

  it("records the job's FailureReason when it failed or was stopped, without a candidate", async () => {
    const olds = { ...INPUTS, jobName: JOB, jobArn: JOB_ARN, ...STARTED } as AutoMLJobOutputs;
    sm.on(DescribeAutoMLJobV2Command).resolves(describe_("Failed", { FailureReason: "ClientError: The target attribute bike_share_for_all_trip has only one class." }));
    const failed = (await provider().update(JOB, olds, INPUTS)).outs as AutoMLJobOutputs;
    assert.deepEqual([failed.status, failed.failureReason, failed.bestCandidateName, failed.inferenceContainers],
      ["Failed", "ClientError: The target attribute bike_share_for_all_trip has only one class.", "", []]);
    sm.reset();
    sm.on(DescribeAutoMLJobV2Command).resolves(describe_("Stopped"));
    const stopped = (await provider().update(JOB, olds, INPUTS)).outs as AutoMLJobOutputs;
    assert.deepEqual([stopped.status, stopped.failureReason], ["Stopped", "SageMaker gave no failure reason"]);
  });

  it("surfaces a CreateAutoMLJobV2 error as it is", async () => {
    sm.on(CreateAutoMLJobV2Command).rejects(Object.assign(new Error("User: arn:aws:sts::444444444444:assumed-role/mlz-deploy/x is not authorized to perform: iam:PassRole"), { name: "AccessDeniedException" }));
    await assert.rejects(provider().create(INPUTS), { name: "AccessDeniedException", message: /iam:PassRole/ });
  });

  it("refuses a completed job without a best candidate", async () => {
    sm.on(DescribeAutoMLJobV2Command).resolves(describe_("Completed"));
    await assert.rejects(provider().update(JOB, { ...INPUTS, jobName: JOB } as AutoMLJobOutputs, INPUTS), { message: `AutoML job ${JOB} completed without a best candidate with inference containers` });
  });

  it("check accepts the preview placeholder for a value not yet known (the execution role's ARN on a first preview)", async () => {
    const news = { ...INPUTS, roleArn: PREVIEW_UNKNOWN };
    assert.equal(PREVIEW_UNKNOWN, "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    assert.deepEqual(await provider().check(INPUTS, news), { inputs: news });
    assert.deepEqual((await provider().check(INPUTS, { ...INPUTS, inputS3Uri: `s3://${PREVIEW_UNKNOWN}/autopilot/input/`, assumeRoleArn: PREVIEW_UNKNOWN })).failures, undefined);
    // A known bad value still fails.
    assert.deepEqual((await provider().check(INPUTS, { ...news, maxCandidates: 0 })).failures, [{ property: "maxCandidates", reason: "must be a whole number ≥ 1; got 0" }]);
  });

  it("stops a running job on delete and leaves a finished one", async () => {
    sm.on(DescribeAutoMLJobV2Command).resolvesOnce(describe_("InProgress")).resolvesOnce(describe_("Completed"));
    sm.on(StopAutoMLJobCommand).resolves({});
    const outs = { ...INPUTS, jobName: JOB } as AutoMLJobOutputs;
    await provider().delete(JOB, outs);
    await provider().delete(JOB, outs);
    assert.deepEqual(sm.commandCalls(StopAutoMLJobCommand).map((c) => c.args[0].input), [{ AutoMLJobName: JOB }]);
  });

  it("replaces on any input change and validates inputs in check", async () => {
    const p = provider();
    const olds = { ...INPUTS, jobName: JOB, status: "Completed" } as AutoMLJobOutputs;
    assert.deepEqual(await p.diff(JOB, olds, { ...INPUTS }), { changes: false });
    assert.deepEqual(await p.diff(JOB, olds, { ...INPUTS, maxCandidates: 10, inputS3Uri: "s3://b2/x/" }), { changes: true, replaces: ["inputS3Uri", "maxCandidates"], deleteBeforeReplace: false });
    assert.deepEqual(await p.diff(JOB, olds, { ...INPUTS, trainingRun: "2026-12-01" }), { changes: true, replaces: ["trainingRun"], deleteBeforeReplace: false });
    assert.deepEqual(await p.check(INPUTS, INPUTS), { inputs: INPUTS });
    const bad = await p.check(INPUTS, { ...INPUTS, jobNamePrefix: "bikeshare-classifier-x", maxCandidates: 0, roleArn: "role" });
    assert.deepEqual(bad.failures, [
      { property: "jobNamePrefix", reason: "must be 1-17 letters, digits or inner dashes; got 'bikeshare-classifier-x'" },
      { property: "roleArn", reason: "must be an IAM role ARN; got 'role'" },
      { property: "maxCandidates", reason: "must be a whole number ≥ 1; got 0" },
    ]);
    assert.deepEqual(validateAutoMLJobInputs({ ...INPUTS, kind: "x" as any, outputS3Uri: "https://x" }).map((f) => f.property), ["kind", "outputS3Uri"]);
  });

  it("names jobs <prefix>-<UTC timestamp> within SageMaker's 32 characters", () => {
    assert.equal(autoMLJobName("bikeshare", NOW), JOB);
    assert.equal(autoMLJobName("a".repeat(17), NOW).length, 32);
  });
});
