import { strict as assert } from "node:assert";
import { only, ofType, parseJsonInput, promiseOf, recordProgram } from "../../../helpers/pulumi";
import { BikeshareAutopilot, type BikeshareAutopilotArgs } from "../../../../components/pipelines/bikeshare/autopilot";
import { ACCOUNT, CONTAINERS, simulator } from "./sim";
import { actionsOf, assertGrants } from "../../../helpers/iam";

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`;
const ARGS: BikeshareAutopilotArgs = {
  trainingBucketName: "example-mlz-ml-bikeshare-training-sets",
  trainingBucketArn: "arn:aws:s3:::example-mlz-ml-bikeshare-training-sets",
  outputBucketName: "example-mlz-ml-bikeshare-autopilot",
  outputBucketArn: "arn:aws:s3:::example-mlz-ml-bikeshare-autopilot",
  kmsKeyArn: KEY,
  accountId: ACCOUNT,
  region: "us-east-1",
  assumeRoleArn: `arn:aws:iam::${ACCOUNT}:role/mlz-deploy`,
};

describe("BikeshareAutopilot", () => {
  it("declares the AutoML job as a dynamic resource with kind mlz:sagemaker:AutoMLJobV2 and exact inputs", async () => {
    const { resources, result } = await recordProgram(() => new BikeshareAutopilot("bikes-training", ARGS), { simulator });
    const comp = only(resources, "mlz:pipelines:BikeshareAutopilot", "bikes-training");
    const job = only(resources, "pulumi-nodejs:dynamic:Resource", "bikes-training-job");
    assert.equal(job.parent, comp.urn);
    const { __provider, ...inputs } = job.inputs as Record<string, unknown>;
    assert.equal(typeof __provider, "string");
    assert.deepEqual(inputs, {
      kind: "mlz:sagemaker:AutoMLJobV2",
      jobNamePrefix: "bikeshare",
      region: "us-east-1",
      assumeRoleArn: `arn:aws:iam::${ACCOUNT}:role/mlz-deploy`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/bikes-training-role`,
      inputS3Uri: "s3://example-mlz-ml-bikeshare-training-sets/autopilot/input/",
      outputS3Uri: "s3://example-mlz-ml-bikeshare-autopilot/autopilot/output/",
      targetAttributeName: "bike_share_for_all_trip",
      maxCandidates: 30,
      outputKmsKeyArn: KEY,
      volumeKmsKeyArn: KEY,
    });
    assert.ok(job.dependencies.includes(only(resources, "aws:iam/rolePolicy:RolePolicy", "bikes-training-permissions").urn));
    assert.equal(await promiseOf(result.bestCandidateName), "bikeshare-20261101101500XGB-003-7f1c2a9e");
    assert.equal(await promiseOf(result.objectiveMetricValue), 0.8125);
    assert.deepEqual(await promiseOf(result.inferenceContainers), CONTAINERS);
    assert.equal(await promiseOf(result.jobName), "bikeshare-20261101101500");
  });

  it("passes maxCandidates and the runtime bound from args", async () => {
    const { resources } = await recordProgram(() => new BikeshareAutopilot("t", { ...ARGS, maxCandidates: 10, maxRuntimeSeconds: 14_400 }), { simulator });
    const job = only(resources, "pulumi-nodejs:dynamic:Resource");
    assert.equal(job.inputs.maxCandidates, 10);
    assert.equal(job.inputs.maxRuntimeSeconds, 14_400);
  });

  it("scopes the SageMaker execution role to the training and output prefixes, statement by statement", async () => {
    const { resources } = await recordProgram(() => new BikeshareAutopilot("t", ARGS), { simulator });
    assert.deepEqual(parseJsonInput(only(resources, "aws:iam/role:Role", "t-role"), "assumeRolePolicy").Statement, [
      { Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
    ]);
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "t-permissions"), "policy");
    // The statements, by what they allow (a reworded Sid changes nothing), named in order below.
    assert.deepEqual(actionsOf(doc.Statement), [
      ["s3:ListBucket"],
      ["s3:GetObject"],
      ["s3:ListBucket"],
      ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
      ["sagemaker:AddTags", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateModel", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob", "sagemaker:CreateTransformJob", "sagemaker:DeleteModel", "sagemaker:DescribeAutoMLJob", "sagemaker:DescribeAutoMLJobV2", "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:DescribeModel", "sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob", "sagemaker:DescribeTransformJob", "sagemaker:ListTags", "sagemaker:ListTrainingJobsForHyperParameterTuningJob", "sagemaker:StopHyperParameterTuningJob", "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob", "sagemaker:StopTransformJob"],
      ["sagemaker:ListCandidatesForAutoMLJob"],
      ["iam:PassRole"],
      ["ecr:GetAuthorizationToken"],
      ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      ["cloudwatch:PutMetricData"],
      ["kms:Decrypt", "kms:GenerateDataKey"],
      ["kms:CreateGrant"],
      ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
    ]);
    const names = [
      "ListTrainingSets", "ReadTrainingSets", "ListAutopilotOutput", "ReadWriteAutopilotOutput", "RunAutopilotJobs", "ListAutopilotCandidates", "PassOwnRoleToSageMaker", "EcrLogin", "PullSageMakerImages", "WriteSageMakerLogs", "PutSageMakerMetrics", "UseKeyForData", "GrantKeyToVolumes", "UseKeyForVolumes",
    ];
    const statement = Object.fromEntries(names.map((n, i) => [n, doc.Statement[i]]));
    assertGrants([statement.ListTrainingSets], [{
      Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::example-mlz-ml-bikeshare-training-sets",
      Condition: { StringLike: { "s3:prefix": "autopilot/input/*" } },
    }]);
    assertGrants([statement.ReadTrainingSets], [{
      Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::example-mlz-ml-bikeshare-training-sets/autopilot/input/*",
    }]);
    assertGrants([statement.ReadWriteAutopilotOutput], [{
      Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: "arn:aws:s3:::example-mlz-ml-bikeshare-autopilot/autopilot/output/*",
    }]);
    assertGrants([statement.PassOwnRoleToSageMaker], [{
      Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/t-role`,
      Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    }]);
    assertGrants([statement.RunAutopilotJobs], [{
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
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:automl-job/*`,
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:hyper-parameter-tuning-job/*`,
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/*`,
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:processing-job/*`,
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/*`,
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:transform-job/*`,
      ],
    }]);
    assertGrants([statement.ListAutopilotCandidates], [{ Effect: "Allow", Action: "sagemaker:ListCandidatesForAutoMLJob", Resource: "*" }]);
    // kms:GrantIsForAWSResource only where it is in the request context: the grant action.
    assert.deepEqual(statement.GrantKeyToVolumes.Action, "kms:CreateGrant");
    assert.deepEqual(statement.GrantKeyToVolumes.Condition, { Bool: { "kms:GrantIsForAWSResource": true } });
    assert.deepEqual(statement.UseKeyForVolumes.Action, ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"]);
    assert.deepEqual(statement.UseKeyForVolumes.Condition, { StringEquals: { "kms:ViaService": ["sagemaker.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"] } });
    assert.deepEqual(statement.UseKeyForData.Condition, { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } });
    // Nothing grants s3:PutObject on the training sets, or anything on another bucket.
    const s3Resources = doc.Statement.filter((s: any) => String(s.Action).includes("s3:")).flatMap((s: any) => [].concat(s.Resource));
    assert.ok(s3Resources.every((r: string) => /^arn:aws:s3:::example-mlz-ml-bikeshare-(training-sets|autopilot)/.test(r)));
    assert.equal(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
  });

  it("validates args before declaring anything", async () => {
    const cases: [Partial<BikeshareAutopilotArgs>, string][] = [
      [{ maxCandidates: 0 }, "[maxCandidates] must be a whole number from 1 to 250; got 0"],
      [{ jobNamePrefix: "bikeshare-classifier" }, "[jobNamePrefix] must be 1-17 letters, digits or inner dashes; got 'bikeshare-classifier'"],
      [{ trainingPrefix: "input" }, "[trainingPrefix] must be an S3 key prefix of path segments ending in '/'; got 'input'"],
      [{ maxRuntimeSeconds: 600 }, "[maxRuntimeSeconds] must be a whole number of seconds ≥ 3600; got 600"],
    ];
    for (const [override, message] of cases) {
      await assert.rejects(recordProgram(() => new BikeshareAutopilot("t", { ...ARGS, ...override }), { simulator }), { message });
    }
  });
});
