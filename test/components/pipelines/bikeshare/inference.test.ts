import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { only, ofType, parseJsonInput, promiseOf, recordProgram } from "../../../helpers/pulumi";
import { BikeshareInference, modelNameForJob, type BikeshareInferenceArgs } from "../../../../components/pipelines/bikeshare/inference";
import { modelEndpointParameterName } from "../../../../components/naming";
import { ACCOUNT, CONTAINERS, simulator } from "./sim";
import { actionsOf, assertGrants } from "../../../helpers/iam";

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`;
const HOSTING_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/hosting`;
const ARGS: BikeshareInferenceArgs = {
  model: "bikeshare-classifier",
  modelName: "bikeshare-classifier-20261101101500",
  containers: CONTAINERS,
  modelDataBucketArn: "arn:aws:s3:::example-mlz-ml-bikeshare-autopilot",
  modelDataPrefix: "autopilot/output/",
  kmsKeyArn: KEY,
  accountId: ACCOUNT,
  region: "us-east-1",
};

describe("BikeshareInference", () => {
  it("names models from the job's timestamp, within 63 characters", () => {
    assert.equal(modelNameForJob("bikeshare-classifier", "bikeshare-20261101101500"), "bikeshare-classifier-20261101101500");
    assert.equal(modelNameForJob("bikeshare-classifier", "bikes-training-job-4f2a"), "bikeshare-classifier-bikes-training-job-4f2a");
    assert.equal(modelNameForJob("m".repeat(60), "bikeshare-20261101101500").length, 63);
    assert.equal(modelEndpointParameterName("bikeshare-classifier"), "/mlz/models/bikeshare-classifier/endpoint");
  });

  it("builds a Serial model from the best candidate's containers, in order", async () => {
    const { resources, result } = await recordProgram(() => new BikeshareInference("bikes-serving", ARGS), { simulator });
    const comp = only(resources, "mlz:pipelines:BikeshareInference", "bikes-serving");
    const model = only(resources, "aws:sagemaker/model:Model", "bikes-serving-model");
    assert.equal(model.parent, comp.urn);
    assert.equal(model.inputs.name, "bikeshare-classifier-20261101101500");
    assert.equal(model.inputs.executionRoleArn, `arn:aws:iam::${ACCOUNT}:role/bikes-serving-role`);
    assert.deepEqual(model.inputs.inferenceExecutionConfig, { mode: "Serial" });
    assert.deepEqual(model.inputs.containers, CONTAINERS);
    assert.equal(model.inputs.primaryContainer, undefined);
    assert.equal(await promiseOf(result.modelArn), `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/bikeshare-classifier-20261101101500`);
  });

  it("keeps the model when a new training run replaces it, and declares no endpoint by default", async () => {
    // The registrations do not carry resource options: a (local) transformation sees them.
    const retained = (extra: Partial<BikeshareInferenceArgs>) => {
      const seen: Record<string, boolean | undefined> = {};
      const transformations: pulumi.ResourceTransformation[] = [(a) => {
        seen[`${a.type}/${a.name}`] = a.opts.retainOnDelete;
        return undefined;
      }];
      return { seen, run: () => new BikeshareInference("bikes-serving", { ...ARGS, ...extra }, { transformations }) };
    };
    const byDefault = retained({});
    const { resources, result } = await recordProgram(byDefault.run, { simulator });
    assert.deepEqual(byDefault.seen, {
      "mlz:pipelines:BikeshareInference/bikes-serving": undefined,
      "aws:iam/role:Role/bikes-serving-role": undefined,
      "aws:iam/rolePolicy:RolePolicy/bikes-serving-permissions": undefined,
      "aws:sagemaker/model:Model/bikes-serving-model": true,
      "aws:ssm/parameter:Parameter/bikes-serving-arn-parameter": undefined,
    });
    assert.equal(ofType(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").length, 0);
    assert.equal(ofType(resources, "aws:sagemaker/endpoint:Endpoint").length, 0);
    assert.equal(result.endpointName, undefined);
    assert.equal(result.endpoint, undefined);
    assert.equal(result.endpointConfiguration, undefined);

    const notRetained = retained({ retainReplacedModels: false });
    await recordProgram(notRetained.run, { simulator });
    assert.equal(notRetained.seen["aws:sagemaker/model:Model/bikes-serving-model"], false);
  });

  describe("serveCandidate: the candidate endpoint", () => {
    const SERVE: Partial<BikeshareInferenceArgs> = { serveCandidate: true, endpointKmsKeyArn: HOSTING_KEY };

    it("serves the model on mlz-<model>-candidate, encrypted with the given key", async () => {
      const { resources, result } = await recordProgram(() => new BikeshareInference("bikes-serving", { ...ARGS, ...SERVE }), { simulator });
      const comp = only(resources, "mlz:pipelines:BikeshareInference", "bikes-serving");
      const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "bikes-serving-endpoint-config");
      assert.equal(config.parent, comp.urn);
      assert.deepEqual(config.inputs, {
        kmsKeyArn: HOSTING_KEY,
        productionVariants: [{ variantName: "AllTraffic", modelName: "bikeshare-classifier-20261101101500", initialInstanceCount: 1, instanceType: "ml.m5.xlarge", initialVariantWeight: 1 }],
      });
      // The configuration refers to the model by name: created after it.
      const model = only(resources, "aws:sagemaker/model:Model", "bikes-serving-model");
      assert.ok(config.dependencies.includes(model.urn), "the endpoint configuration needs the model");
      const endpoint = only(resources, "aws:sagemaker/endpoint:Endpoint", "bikes-serving-endpoint");
      assert.equal(endpoint.parent, comp.urn);
      assert.deepEqual(endpoint.inputs, { name: "mlz-bikeshare-classifier-candidate", endpointConfigName: "bikes-serving-endpoint-config-generated" });
      assert.equal(result.endpointName, "mlz-bikeshare-classifier-candidate");
      assert.equal(await promiseOf(result.endpoint!.name), "mlz-bikeshare-classifier-candidate");
      // The candidate endpoint's name is not the version's (`mlz-<model name>`, the hosting part's).
      assert.equal(ofType(resources, "aws:sagemaker/endpoint:Endpoint").length, 1);
    });

    it("a new training run changes the configuration, not the endpoint", async () => {
      const run = (modelName: string) => recordProgram(() => new BikeshareInference("bikes-serving", { ...ARGS, ...SERVE, modelName }), { simulator });
      const first = await run("bikeshare-classifier-20261101101500");
      const second = await run("bikeshare-classifier-20261201090000");
      const names = (rs: typeof first.resources) => rs.map((r) => `${r.type}/${r.name}`).sort();
      assert.deepEqual(names(second.resources), names(first.resources));
      const variantModel = (rs: typeof first.resources) =>
        (only(rs, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.productionVariants as any[])[0].modelName;
      assert.deepEqual([variantModel(first.resources), variantModel(second.resources)], ["bikeshare-classifier-20261101101500", "bikeshare-classifier-20261201090000"]);
      // No physical name: Pulumi replaces the configuration (create first) and updates the endpoint.
      assert.equal(only(second.resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.name, undefined);
      assert.deepEqual(only(second.resources, "aws:sagemaker/endpoint:Endpoint").inputs, only(first.resources, "aws:sagemaker/endpoint:Endpoint").inputs);
    });

    it("sizes the endpoint from instanceType and instanceCount", async () => {
      const { resources } = await recordProgram(() => new BikeshareInference("s", { ...ARGS, ...SERVE, instanceType: "ml.c5.large", instanceCount: 2 }), { simulator });
      const variants = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.productionVariants as any[];
      assert.deepEqual([variants[0].instanceType, variants[0].initialInstanceCount], ["ml.c5.large", 2]);
    });

    it("publishes /mlz/models/<model>/arn and /endpoint (the candidate endpoint) as String parameters", async () => {
      const { resources, result } = await recordProgram(() => new BikeshareInference("s", { ...ARGS, ...SERVE }), { simulator });
      const params = ofType(resources, "aws:ssm/parameter:Parameter").map((p) => [p.name, p.inputs.name, p.inputs.type, p.inputs.insecureValue]);
      assert.deepEqual(params, [
        ["s-arn-parameter", "/mlz/models/bikeshare-classifier/arn", "String", `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/bikeshare-classifier-20261101101500`],
        ["s-endpoint-parameter", "/mlz/models/bikeshare-classifier/endpoint", "String", "mlz-bikeshare-classifier-candidate"],
      ]);
      const endpoint = only(resources, "aws:sagemaker/endpoint:Endpoint");
      assert.ok(only(resources, "aws:ssm/parameter:Parameter", "s-endpoint-parameter").dependencies.includes(endpoint.urn), "published once the endpoint exists");
      assert.deepEqual([result.modelArnParameterName, result.endpointParameterName], ["/mlz/models/bikeshare-classifier/arn", "/mlz/models/bikeshare-classifier/endpoint"]);
    });

    it("validates its args before declaring anything", async () => {
      const cases: [Partial<BikeshareInferenceArgs>, string][] = [
        [{ serveCandidate: true }, "[endpointKmsKeyArn] is required with serveCandidate: the candidate endpoint's ML storage volumes must be encrypted with a KMS key"],
        [{ ...SERVE, instanceType: "m5.large" }, "[instanceType] must be a SageMaker instance type such as 'ml.m5.xlarge'; got 'm5.large'"],
        [{ ...SERVE, instanceCount: 0 }, "[instanceCount] must be a whole number from 1 to 10; got 0"],
        [{ ...SERVE, instanceCount: 1.5 }, "[instanceCount] must be a whole number from 1 to 10; got 1.5"],
      ];
      for (const [override, message] of cases) {
        const { resources } = await recordProgram(async () => {
          await assert.rejects(async () => new BikeshareInference("s", { ...ARGS, ...override }), { message });
        }, { simulator });
        // Only the component itself (registered by its constructor's super call); no child.
        assert.deepEqual(resources.map((r) => `${r.type}/${r.name}`), ["mlz:pipelines:BikeshareInference/s"], message);
      }
    });
  });

  it("publishes only /mlz/models/<model>/arn without the candidate endpoint", async () => {
    const { resources, result } = await recordProgram(() => new BikeshareInference("s", ARGS), { simulator });
    const params = ofType(resources, "aws:ssm/parameter:Parameter").map((p) => [p.name, p.inputs.name, p.inputs.type, p.inputs.insecureValue]);
    assert.deepEqual(params, [
      ["s-arn-parameter", "/mlz/models/bikeshare-classifier/arn", "String", `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/bikeshare-classifier-20261101101500`],
    ]);
    assert.equal(result.endpointParameterName, undefined);
  });

  it("publishes no parameter with publishParameters: false", async () => {
    const { resources, result } = await recordProgram(() => new BikeshareInference("s", { ...ARGS, publishParameters: false }), { simulator });
    assert.equal(ofType(resources, "aws:ssm/parameter:Parameter").length, 0);
    assert.equal(result.modelArnParameterName, undefined);
  });

  it("lets the model role read only the artifacts prefix and decrypt through S3", async () => {
    const { resources } = await recordProgram(() => new BikeshareInference("s", ARGS), { simulator });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "s-permissions"), "policy");
    assertGrants([doc.Statement[0]], [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::example-mlz-ml-bikeshare-autopilot/autopilot/output/*" }]);
    // Read the artifacts, log in to ECR, pull SageMaker's images, write logs and metrics, decrypt the artifacts.
    assert.deepEqual(actionsOf(doc.Statement), [
      ["s3:GetObject"], ["ecr:GetAuthorizationToken"], ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], ["cloudwatch:PutMetricData"], ["kms:Decrypt"],
    ]);
    assertGrants([doc.Statement[5]], [{
      Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY,
      Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    }]);
    assert.ok(!JSON.stringify(doc).includes("s3:PutObject"));
  });

  it("validates args before declaring anything", async () => {
    const cases: [Partial<BikeshareInferenceArgs>, string][] = [
      [{ model: "Bikes" }, "[model] must be a model name (lowercase letters, digits and '-', starting with a letter); got 'Bikes'"],
      [{ modelDataPrefix: "out" }, "[modelDataPrefix] must be an S3 key prefix of path segments ending in '/'; got 'out'"],
    ];
    for (const [override, message] of cases) {
      await assert.rejects(recordProgram(() => new BikeshareInference("s", { ...ARGS, ...override }), { simulator }), { message });
    }
  });
});
