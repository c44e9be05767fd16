import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ofType, only, promiseOf, recordProgram } from "../../helpers/pulumi";
import type { StackContext } from "../../../stacks/context";
import { bikeshareConfigSchema, declareBikeshare, knownValue } from "../../../stacks/parts/bikeshare";
import { readModelReferences } from "../../../stacks/parts/model-references";
import { rekognitionModelsConfigSchema } from "../../../stacks/parts/rekognition-models";
import { declareSageMakerHosting, type SageMakerHostingContext } from "../../../stacks/parts/sagemaker-hosting";
import { simulator } from "../../components/pipelines/bikeshare/sim";

const ML = "444444444444";
const MODELS = { "defect-detector": { kind: "rekognition" }, "bikeshare-classifier": { kind: "sagemaker" } };
const HOSTING_KEY = `arn:aws:kms:us-east-1:${ML}:key/hosting`;
/** The model the simulated training run produces. */
const CANDIDATE = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20261101101500`;
const hostingContext = (hosted: string[] = []): SageMakerHostingContext => ({ kmsKeyArn: pulumi.output(HOSTING_KEY), hostedModelArns: new Set(hosted) });

function mlContext(): StackContext {
  return {
    stack: "ml",
    role: "ml",
    region: "us-east-1",
    partition: "aws",
    accountId: pulumi.output(ML),
    accountIds: pulumi.output<Record<string, string>>({ management: "111111111111", cicd: "222222222222", lakehouse: "333333333333", ml: ML, qa: "555555555555", prod: "666666666666" }),
    organizationId: pulumi.output("o-exampleorg1"),
    provider: new aws.Provider("account", { region: "us-east-1" }),
    tags: { environment: "ml", owner: "mlops@example.com", pipeline: "platform" },
  };
}

describe("bikeshare part (ml stack)", () => {
  it("documents its defaults and needs only the bucket prefix", () => {
    assert.deepEqual(bikeshareConfigSchema.parse({}), {});
    assert.deepEqual(bikeshareConfigSchema.parse({ bikeshare: { bucketNamePrefix: "example-mlz-ml-bikeshare" } }), {
      bikeshare: {
        model: "bikeshare-classifier",
        bucketNamePrefix: "example-mlz-ml-bikeshare",
        streamName: "bikeshare-trips",
        bufferingSizeMb: 64,
        bufferingIntervalSeconds: 300,
        forceDestroy: false,
        train: false,
        maxCandidates: 30,
        jobNamePrefix: "bikeshare",
        serveCandidate: true,
        instanceType: "ml.m5.xlarge",
        instanceCount: 1,
        publishParameters: false,
      },
    });
    const bad = bikeshareConfigSchema.safeParse({ bikeshare: { bucketNamePrefix: "Bad_Prefix", instanceType: "m5.large" } });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error!.issues.map((i) => [i.path.join("."), i.message]), [
      ["bikeshare.bucketNamePrefix", "expected 3-49 lowercase letters, digits or dashes; got 'Bad_Prefix'"],
      ["bikeshare.instanceType", "expected a SageMaker instance type such as 'ml.m5.xlarge'; got 'm5.large'"],
    ]);
  });

  it("declares nothing without the key", async () => {
    const { result, resources } = await recordProgram(() => declareBikeshare(mlContext(), bikeshareConfigSchema.parse({}), MODELS), { simulator });
    assert.equal(result, undefined);
    assert.equal(resources.filter((r) => r.type.startsWith("mlz:pipelines")).length, 0);
  });

  it("declares only ingestion until train is true, with the stack's provider", async () => {
    const cfg = bikeshareConfigSchema.parse({ bikeshare: { bucketNamePrefix: "example-mlz-ml-bikeshare" } });
    const { result, resources } = await recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS), { simulator });
    only(resources, "mlz:pipelines:BikeshareIngestion", "bikeshare");
    const stream = only(resources, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
    assert.match(stream.provider ?? "", /pulumi:providers:aws::account::/);
    assert.equal(ofType(resources, "mlz:pipelines:BikeshareAutopilot").length, 0);
    assert.equal(ofType(resources, "mlz:pipelines:BikeshareInference").length, 0);
    assert.equal(await promiseOf(result!.bikeshareTrainingInputUri), "s3://example-mlz-ml-bikeshare-training-sets/autopilot/input/");
    assert.equal(await promiseOf(result!.bikeshareStreamName), "bikeshare-trips");
    assert.equal(result!.bikeshareEndpointName, undefined);
  });

  it("with train: true, runs Autopilot as the deploy role and serves the best candidate", async () => {
    const cfg = bikeshareConfigSchema.parse({ bikeshare: { bucketNamePrefix: "example-mlz-ml-bikeshare", train: true, maxCandidates: 12, trainingRun: "2026-11-01" } });
    const { result, resources } = await recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS, undefined, hostingContext()), { simulator });
    const job = only(resources, "pulumi-nodejs:dynamic:Resource", "bikeshare-training-job");
    assert.equal(job.inputs.kind, "mlz:sagemaker:AutoMLJobV2");
    assert.equal(job.inputs.maxCandidates, 12);
    assert.equal(job.inputs.trainingRun, "2026-11-01");
    assert.equal(job.inputs.assumeRoleArn, `arn:aws:iam::${ML}:role/mlz-deploy`);
    assert.equal(job.inputs.inputS3Uri, "s3://example-mlz-ml-bikeshare-training-sets/autopilot/input/");
    assert.equal(job.inputs.outputS3Uri, "s3://example-mlz-ml-bikeshare-autopilot/autopilot/output/");
    assert.equal(only(resources, "aws:sagemaker/model:Model").inputs.name, "bikeshare-classifier-20261101101500");
    assert.equal(await promiseOf(result!.bikeshareModelArn!), `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20261101101500`);
    assert.equal(await promiseOf(result!.bikeshareEndpointName!), "mlz-bikeshare-classifier-20261101101500");
    assert.deepEqual(await promiseOf(result!.bikeshareObjectiveMetric!), { name: "F1", value: 0.8125 });
    // The candidate's endpoint: a SageMakerModelHosting named like the hosting part names it, with
    // the hosting key and the candidate's sizing, after the model exists.
    const hosting = only(resources, "mlz:models:SageMakerModelHosting", "hosting-mlz-bikeshare-classifier-20261101101500");
    const model = only(resources, "aws:sagemaker/model:Model");
    assert.ok(hosting.dependencies.includes(model.urn), "the endpoint configuration needs the model");
    assert.deepEqual(only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs, {
      kmsKeyArn: HOSTING_KEY,
      productionVariants: [{ variantName: "AllTraffic", modelName: "bikeshare-classifier-20261101101500", initialInstanceCount: 1, instanceType: "ml.m5.xlarge", initialVariantWeight: 1 }],
    });
    assert.equal(only(resources, "aws:sagemaker/endpoint:Endpoint").inputs.name, "mlz-bikeshare-classifier-20261101101500");
    assert.equal(ofType(resources, "aws:ssm/parameter:Parameter").length, 0);
    // Every AWS resource goes to the ML account through the stack's provider.
    const awsResources = resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    assert.ok(awsResources.length > 30);
    for (const r of awsResources) assert.match(r.provider ?? "", /pulumi:providers:aws::account::/, `${r.type} ${r.name}`);
  });

  it("publishes the ML account's model parameters with publishParameters: true", async () => {
    const cfg = bikeshareConfigSchema.parse({ bikeshare: { bucketNamePrefix: "example-mlz-ml-bikeshare", train: true, publishParameters: true } });
    const { resources } = await recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS, undefined, hostingContext()), { simulator });
    assert.deepEqual(ofType(resources, "aws:ssm/parameter:Parameter").map((p) => p.inputs.name), [
      "/mlz/models/bikeshare-classifier/arn", "/mlz/models/bikeshare-classifier/endpoint",
    ]);
  });

  describe("the latest candidate's endpoint", () => {
    const TRAIN = { bucketNamePrefix: "example-mlz-ml-bikeshare", train: true, trainingRun: "2026-11-01", instanceType: "ml.c5.large" };

    it("serveCandidate: false keeps the model but declares no endpoint", async () => {
      const cfg = bikeshareConfigSchema.parse({ bikeshare: { ...TRAIN, serveCandidate: false } });
      const { result, resources } = await recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS), { simulator });
      only(resources, "aws:sagemaker/model:Model");
      assert.equal(ofType(resources, "mlz:models:SageMakerModelHosting").length, 0);
      assert.equal(ofType(resources, "aws:sagemaker/endpoint:Endpoint").length, 0);
      assert.equal(result!.bikeshareEndpointName, undefined);
      assert.equal(await promiseOf(result!.bikeshareModelArn!), CANDIDATE);
    });

    it("a candidate an environment references is left to the hosting part (declared once)", async () => {
      const cfg = bikeshareConfigSchema.parse({ bikeshare: TRAIN });
      const { result, resources } = await recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS, undefined, hostingContext([CANDIDATE])), { simulator });
      assert.equal(ofType(resources, "mlz:models:SageMakerModelHosting").length, 0);
      assert.equal(await promiseOf(result!.bikeshareEndpointName!), "mlz-bikeshare-classifier-20261101101500");
    });

    it("in the ML program: qa references the candidate, so its endpoint exists once, sized by the model", async () => {
      const ml = rekognitionModelsConfigSchema.parse({
        models: { "bikeshare-classifier": { kind: "sagemaker", instanceType: "ml.m5.large" } },
        consumers: { qa: { stack: "example-org/ml-landing-zone/qa" } },
      });
      const cfg = bikeshareConfigSchema.parse({ bikeshare: TRAIN });
      const io = { readConsumer: () => ({ account: "qa", models: { "bikeshare-classifier": { kind: "sagemaker" as const, versionArn: CANDIDATE } } }) };
      const { resources } = await recordProgram(async () => {
        const ctx = mlContext();
        const references = await readModelReferences(ml, io);
        const hosting = declareSageMakerHosting(ctx, ml, references);
        return declareBikeshare(ctx, cfg, ml.models, undefined, hosting.context);
      }, {
        simulator: {
          // qa has not deployed yet: no live outputs.
          newResource: (a) => a.type === "pulumi:pulumi:StackReference" ? { id: a.name, state: { outputs: {} } } : simulator.newResource(a),
          call: (a) => simulator.call(a),
        },
      });
      assert.deepEqual(ofType(resources, "mlz:models:SageMakerModelHosting").map((r) => r.name), ["hosting-mlz-bikeshare-classifier-20261101101500"]);
      const variants = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.productionVariants as any[];
      assert.deepEqual([variants[0].modelName, variants[0].instanceType], ["bikeshare-classifier-20261101101500", "ml.m5.large"]);
      assert.deepEqual(ofType(resources, "aws:sagemaker/endpoint:Endpoint").map((r) => r.inputs.name), ["mlz-bikeshare-classifier-20261101101500"]);
    });

    it("needs the hosting part's context to serve the candidate", async () => {
      const cfg = bikeshareConfigSchema.parse({ bikeshare: TRAIN });
      await assert.rejects(recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS), { simulator }), {
        message: "ml: ml-landing-zone:bikeshare.serveCandidate needs the SageMaker hosting of the ML stack (its KMS key); declareSageMakerHosting must run first",
      });
    });

    it("knownValue: the value of a known Output, undefined for an unknown one (a preview of a new training run)", async () => {
      assert.equal(await knownValue(pulumi.output("bikeshare-classifier-20261101101500")), "bikeshare-classifier-20261101101500");
      assert.equal(await knownValue(pulumi.output(pulumi.unknown as unknown as string)), undefined);
    });
  });

  it("refuses a model that is not a sagemaker model of the stack", async () => {
    const cfg = bikeshareConfigSchema.parse({ bikeshare: { bucketNamePrefix: "example-mlz-ml-bikeshare", model: "defect-detector" } });
    await assert.rejects(declareBikeshare(mlContext(), cfg, MODELS), {
      message: "ml: ml-landing-zone:bikeshare.model must name a sagemaker model of ml-landing-zone:models; 'defect-detector' is rekognition",
    });
    const other = bikeshareConfigSchema.parse({ bikeshare: { bucketNamePrefix: "example-mlz-ml-bikeshare", model: "bikes" } });
    await assert.rejects(declareBikeshare(mlContext(), other, MODELS), {
      message: "ml: ml-landing-zone:bikeshare.model must name a sagemaker model of ml-landing-zone:models; got 'bikes' (models: bikeshare-classifier, defect-detector)",
    });
  });
});
