import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { ofType, only, promiseOf, recordProgram } from "../../helpers/pulumi";
import { settle } from "../../../plan/mock-runtime";
import type { StackContext } from "../../../stacks/context";
import { bikeshareConfigSchema, declareBikeshare } from "../../../stacks/parts/bikeshare";
import { readModelReferences } from "../../../stacks/parts/model-references";
import { rekognitionModelsConfigSchema } from "../../../stacks/parts/rekognition-models";
import { declareSageMakerHosting, type SageMakerHostingContext } from "../../../stacks/parts/sagemaker-hosting";
import { simulator } from "../../components/pipelines/bikeshare/sim";
import { stackFilesIn } from "../../../stacks/config";

const ML = "444444444444";
const MODELS = { "defect-detector": { kind: "rekognition" }, "bikeshare-classifier": { kind: "sagemaker" } };
const HOSTING_KEY = `arn:aws:kms:us-east-1:${ML}:key/hosting`;
/** The model the simulated training run produces. */
const CANDIDATE = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20261101101500`;
/** The bike-share simulator answers synchronously. */
const simulated = (a: MockResourceArgs) => simulator.newResource(a) as { id: string | undefined; state: Record<string, unknown> };
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
    stackFiles: stackFilesIn(),
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
    assert.ok(!(result instanceof Promise), "declared synchronously");
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

  it("with train: true, runs Autopilot as the deploy role and serves the best candidate on mlz-<model>-candidate", async () => {
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
    assert.equal(await promiseOf(result!.bikeshareEndpointName!), "mlz-bikeshare-classifier-candidate");
    assert.deepEqual(await promiseOf(result!.bikeshareObjectiveMetric!), { name: "F1", value: 0.8125 });
    // The candidate endpoint: fixed name per model, in the inference component, encrypted with the
    // hosting key, sized by the part's keys, its configuration pointing at the candidate's model.
    const serving = only(resources, "mlz:pipelines:BikeshareInference", "bikeshare-serving");
    const model = only(resources, "aws:sagemaker/model:Model", "bikeshare-serving-model");
    const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "bikeshare-serving-endpoint-config");
    assert.equal(config.parent, serving.urn);
    assert.ok(config.dependencies.includes(model.urn), "the endpoint configuration needs the model");
    assert.deepEqual(config.inputs, {
      kmsKeyArn: HOSTING_KEY,
      productionVariants: [{ variantName: "AllTraffic", modelName: "bikeshare-classifier-20261101101500", initialInstanceCount: 1, instanceType: "ml.m5.xlarge", initialVariantWeight: 1 }],
    });
    assert.deepEqual(only(resources, "aws:sagemaker/endpoint:Endpoint", "bikeshare-serving-endpoint").inputs, {
      name: "mlz-bikeshare-classifier-candidate", endpointConfigName: "bikeshare-serving-endpoint-config-generated",
    });
    assert.equal(ofType(resources, "mlz:models:SageMakerModelHosting").length, 0);
    assert.equal(ofType(resources, "aws:ssm/parameter:Parameter").length, 0);
    const awsResources = resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    // Exactly these 36 AWS resources: the ingestion pipeline, the training job's role and the candidate's endpoint.
    assert.deepEqual(awsResources.map((r) => [r.type, r.name]).sort(([ta, na], [tb, nb]) => `${ta} ${na}`.localeCompare(`${tb} ${nb}`)), [
      ["aws:cloudwatch/logGroup:LogGroup", "bikeshare-delivery-logs"],
      ["aws:cloudwatch/logGroup:LogGroup", "bikeshare-transform-logs"],
      ["aws:cloudwatch/logStream:LogStream", "bikeshare-delivery-log-stream"],
      ["aws:iam/role:Role", "bikeshare-delivery-role"],
      ["aws:iam/role:Role", "bikeshare-serving-role"],
      ["aws:iam/role:Role", "bikeshare-training-role"],
      ["aws:iam/role:Role", "bikeshare-transform-role"],
      ["aws:iam/rolePolicy:RolePolicy", "bikeshare-delivery-permissions"],
      ["aws:iam/rolePolicy:RolePolicy", "bikeshare-serving-permissions"],
      ["aws:iam/rolePolicy:RolePolicy", "bikeshare-training-permissions"],
      ["aws:iam/rolePolicy:RolePolicy", "bikeshare-transform-permissions"],
      ["aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "bikeshare-stream"],
      ["aws:kms/alias:Alias", "bikeshare-key-alias"],
      ["aws:kms/key:Key", "bikeshare-key"],
      ["aws:lambda/function:Function", "bikeshare-transform-function"],
      ["aws:s3/bucket:Bucket", "bikeshare-autopilot-bucket"],
      ["aws:s3/bucket:Bucket", "bikeshare-raw-trips-bucket"],
      ["aws:s3/bucket:Bucket", "bikeshare-training-sets-bucket"],
      ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bikeshare-autopilot-ownership"],
      ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bikeshare-raw-trips-ownership"],
      ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bikeshare-training-sets-ownership"],
      ["aws:s3/bucketPolicy:BucketPolicy", "bikeshare-autopilot-policy"],
      ["aws:s3/bucketPolicy:BucketPolicy", "bikeshare-raw-trips-policy"],
      ["aws:s3/bucketPolicy:BucketPolicy", "bikeshare-training-sets-policy"],
      ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bikeshare-autopilot-public-access-block"],
      ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bikeshare-raw-trips-public-access-block"],
      ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bikeshare-training-sets-public-access-block"],
      ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bikeshare-autopilot-encryption"],
      ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bikeshare-raw-trips-encryption"],
      ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bikeshare-training-sets-encryption"],
      ["aws:s3/bucketVersioning:BucketVersioning", "bikeshare-autopilot-versioning"],
      ["aws:s3/bucketVersioning:BucketVersioning", "bikeshare-raw-trips-versioning"],
      ["aws:s3/bucketVersioning:BucketVersioning", "bikeshare-training-sets-versioning"],
      ["aws:sagemaker/endpoint:Endpoint", "bikeshare-serving-endpoint"],
      ["aws:sagemaker/endpointConfiguration:EndpointConfiguration", "bikeshare-serving-endpoint-config"],
      ["aws:sagemaker/model:Model", "bikeshare-serving-model"],
    ]);
    // Every AWS resource goes to the ML account through the stack's provider.
    for (const r of awsResources) assert.match(r.provider ?? "", /pulumi:providers:aws::account::/, `${r.type} ${r.name}`);
  });

  it("publishes the ML account's model parameters with publishParameters: true", async () => {
    const cfg = bikeshareConfigSchema.parse({ bikeshare: { bucketNamePrefix: "example-mlz-ml-bikeshare", train: true, publishParameters: true } });
    const { resources } = await recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS, undefined, hostingContext()), { simulator });
    assert.deepEqual(ofType(resources, "aws:ssm/parameter:Parameter").map((p) => [p.inputs.name, p.inputs.insecureValue]), [
      ["/mlz/models/bikeshare-classifier/arn", CANDIDATE],
      ["/mlz/models/bikeshare-classifier/endpoint", "mlz-bikeshare-classifier-candidate"],
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

    it("the deploy that starts the job declares no model nor endpoint: it never waits for training", async () => {
      const cfg = bikeshareConfigSchema.parse({ bikeshare: TRAIN });
      const { result, resources } = await recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS, undefined, hostingContext()), {
        simulator: {
          newResource: (a) => {
            const r = simulated(a);
            // What the provider's create returns: the job started, no candidate yet.
            return a.type === "pulumi-nodejs:dynamic:Resource"
              ? { ...r, state: { ...r.state, status: "InProgress", bestCandidateName: "", objectiveMetricValue: null, inferenceContainers: [] } }
              : r;
          },
          call: (a) => simulator.call(a),
        },
      });
      assert.equal(ofType(resources, "pulumi-nodejs:dynamic:Resource").length, 1);
      assert.equal(ofType(resources, "aws:sagemaker/model:Model").length, 0);
      assert.equal(ofType(resources, "aws:sagemaker/endpoint:Endpoint").length, 0);
      assert.equal(await promiseOf(result!.bikeshareAutoMLJobStatus!), "InProgress");
      assert.equal(await promiseOf(result!.bikeshareModelArn!), undefined);
      assert.equal(await promiseOf(result!.bikeshareEndpointName!), undefined);
    });

    it("a preview while the job's outputs are unknown declares no serving from them", async () => {
      const seen: { type: string; name: string }[] = [];
      pulumi.runtime.setMocks({
        newResource: (a) => {
          seen.push({ type: a.type, name: a.name });
          const job = a.type === "pulumi-nodejs:dynamic:Resource";
          return { id: job ? undefined : `${a.name}-id`, state: job ? {} : simulated(a).state };
        },
        call: (a) => simulator.call(a),
      }, "ml-landing-zone", "ml", true);
      const result = declareBikeshare(mlContext(), bikeshareConfigSchema.parse({ bikeshare: TRAIN }), MODELS, undefined, hostingContext());
      await settle();
      assert.ok(seen.some((r) => r.type === "pulumi-nodejs:dynamic:Resource"));
      assert.deepEqual(seen.filter((r) => r.type.startsWith("aws:sagemaker/")), []);
      assert.ok(result!.bikeshareAutoMLJobStatus, "the job's status is exported");
    });

    it("a new training run declares the same resources: the configuration points at the new model, the endpoint stays", async () => {
      const cfg = bikeshareConfigSchema.parse({ bikeshare: TRAIN });
      const run = (jobName: string) => recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS, undefined, hostingContext()), {
        simulator: {
          newResource: (a) => {
            const r = simulated(a);
            return a.type === "pulumi-nodejs:dynamic:Resource" ? { ...r, state: { ...r.state, jobName } } : r;
          },
          call: (a) => simulator.call(a),
        },
      });
      const first = await run("bikeshare-20261101101500");
      const second = await run("bikeshare-20261201090000");
      const names = (rs: typeof first.resources) => rs.map((r) => `${r.type}/${r.name}`).sort();
      assert.deepEqual(names(second.resources), names(first.resources));
      const variant = (rs: typeof first.resources) => (only(rs, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.productionVariants as any[])[0].modelName;
      assert.deepEqual([variant(first.resources), variant(second.resources)], ["bikeshare-classifier-20261101101500", "bikeshare-classifier-20261201090000"]);
      for (const { resources } of [first, second]) {
        assert.equal(only(resources, "aws:sagemaker/endpoint:Endpoint").inputs.name, "mlz-bikeshare-classifier-candidate");
      }
    });

    it("a candidate an environment references keeps its candidate endpoint beside the hosting part's", async () => {
      const cfg = bikeshareConfigSchema.parse({ bikeshare: TRAIN });
      const { result, resources } = await recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS, undefined, hostingContext([CANDIDATE])), { simulator });
      assert.equal(ofType(resources, "mlz:models:SageMakerModelHosting").length, 0, "the hosting part declares the referenced version's endpoint");
      assert.deepEqual(ofType(resources, "aws:sagemaker/endpoint:Endpoint").map((r) => r.inputs.name), ["mlz-bikeshare-classifier-candidate"]);
      assert.equal(await promiseOf(result!.bikeshareEndpointName!), "mlz-bikeshare-classifier-candidate");
    });

    it("refuses a referenced version whose endpoint would take the candidate endpoint's name", async () => {
      const cfg = bikeshareConfigSchema.parse({ bikeshare: TRAIN });
      for (const name of ["bikeshare-classifier-candidate", "Bikeshare-Classifier-Candidate"]) {
        const arn = `arn:aws:sagemaker:us-east-1:${ML}:model/${name}`;
        const { result, resources } = await recordProgram(() => {
          assert.throws(() => declareBikeshare(mlContext(), cfg, MODELS, undefined, hostingContext([CANDIDATE, arn])), {
            message: `ml: the version '${arn}' an environment references is hosted on endpoint 'mlz-${name}', the name of the bike-share candidate endpoint; ` +
              "rename that model or set ml-landing-zone:bikeshare.serveCandidate to false",
          });
          return "refused";
        }, { simulator });
        assert.equal(result, "refused");
        assert.deepEqual(resources.filter((r) => r.type !== "pulumi:providers:aws"), [], "refused before declaring anything");
      }
      // Without serveCandidate there is no candidate endpoint to collide with.
      const off = bikeshareConfigSchema.parse({ bikeshare: { ...TRAIN, serveCandidate: false } });
      const arn = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-candidate`;
      const { resources } = await recordProgram(() => declareBikeshare(mlContext(), off, MODELS, undefined, hostingContext([arn])), { simulator });
      assert.equal(ofType(resources, "aws:sagemaker/endpoint:Endpoint").length, 0);
    });

    it("in the ML program: qa references the candidate, so two endpoints serve it (the version's, sized by the model, and the candidate endpoint)", async () => {
      const ml = rekognitionModelsConfigSchema.parse({
        models: { "bikeshare-classifier": { kind: "sagemaker", instanceType: "ml.m5.large", existingVersions: [CANDIDATE] } },
        consumers: { qa: { stack: "organization/ml-landing-zone/qa" } },
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
      const variants = ofType(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").map((r) => {
        const [v] = r.inputs.productionVariants as any[];
        return [r.name, v.modelName, v.instanceType];
      });
      assert.deepEqual(variants, [
        ["hosting-mlz-bikeshare-classifier-20261101101500-config", "bikeshare-classifier-20261101101500", "ml.m5.large"],
        ["bikeshare-serving-endpoint-config", "bikeshare-classifier-20261101101500", "ml.c5.large"],
      ]);
      assert.deepEqual(ofType(resources, "aws:sagemaker/endpoint:Endpoint").map((r) => [r.name, r.inputs.name]), [
        ["hosting-mlz-bikeshare-classifier-20261101101500-endpoint", "mlz-bikeshare-classifier-20261101101500"],
        ["bikeshare-serving-endpoint", "mlz-bikeshare-classifier-candidate"],
      ]);
    });

    it("needs the hosting part's context to serve the candidate", async () => {
      const cfg = bikeshareConfigSchema.parse({ bikeshare: TRAIN });
      await assert.rejects(recordProgram(() => declareBikeshare(mlContext(), cfg, MODELS), { simulator }), {
        message: "ml: ml-landing-zone:bikeshare.serveCandidate needs the SageMaker hosting of the ML stack (its KMS key); declareSageMakerHosting must run first",
      });
    });
  });
});
