import { strict as assert } from "node:assert";
import { only, ofType, parseJsonInput, promiseOf, recordProgram } from "../../../helpers/pulumi";
import { BikeshareInference, modelEndpointParameterName, modelNameForJob, type BikeshareInferenceArgs } from "../../../../components/pipelines/bikeshare/inference";
import { ACCOUNT, CONTAINERS, simulator } from "./sim";

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`;
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

  it("declares a KMS-encrypted endpoint configuration (ml.m5.xlarge × 1) and the endpoint named for the model ARN", async () => {
    const { resources, result } = await recordProgram(() => new BikeshareInference("bikes-serving", ARGS), { simulator });
    const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "bikes-serving-endpoint-config");
    assert.equal(config.inputs.kmsKeyArn, KEY);
    assert.deepEqual(config.inputs.productionVariants, [{
      variantName: "AllTraffic",
      modelName: "bikeshare-classifier-20261101101500",
      initialInstanceCount: 1,
      instanceType: "ml.m5.xlarge",
      initialVariantWeight: 1,
    }]);
    const endpoint = only(resources, "aws:sagemaker/endpoint:Endpoint", "bikes-serving-endpoint");
    assert.equal(endpoint.inputs.name, "mlz-bikeshare-classifier-20261101101500");
    assert.equal(endpoint.inputs.endpointConfigName, "bikes-serving-endpoint-config-generated");
    assert.equal(await promiseOf(result.endpointName), "mlz-bikeshare-classifier-20261101101500");
  });

  it("takes instance type and count from args", async () => {
    const { resources } = await recordProgram(() => new BikeshareInference("s", { ...ARGS, instanceType: "ml.c5.large", instanceCount: 2 }), { simulator });
    const v = (only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.productionVariants as any[])[0];
    assert.deepEqual([v.instanceType, v.initialInstanceCount], ["ml.c5.large", 2]);
  });

  it("publishes /mlz/models/<model>/arn and /endpoint as String parameters", async () => {
    const { resources } = await recordProgram(() => new BikeshareInference("s", ARGS), { simulator });
    const params = ofType(resources, "aws:ssm/parameter:Parameter").map((p) => [p.name, p.inputs.name, p.inputs.type, p.inputs.insecureValue]);
    assert.deepEqual(params, [
      ["s-arn-parameter", "/mlz/models/bikeshare-classifier/arn", "String", `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/bikeshare-classifier-20261101101500`],
      ["s-endpoint-parameter", "/mlz/models/bikeshare-classifier/endpoint", "String", "mlz-bikeshare-classifier-20261101101500"],
    ]);
  });

  it("publishes no parameter with publishParameters: false", async () => {
    const { resources, result } = await recordProgram(() => new BikeshareInference("s", { ...ARGS, publishParameters: false }), { simulator });
    assert.equal(ofType(resources, "aws:ssm/parameter:Parameter").length, 0);
    assert.equal(result.modelArnParameterName, undefined);
  });

  it("lets the model role read only the artifacts prefix and decrypt through S3", async () => {
    const { resources } = await recordProgram(() => new BikeshareInference("s", ARGS), { simulator });
    const doc = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "s-permissions"), "policy");
    assert.deepEqual(doc.Statement[0], { Sid: "ReadModelArtifacts", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::example-mlz-ml-bikeshare-autopilot/autopilot/output/*" });
    assert.deepEqual(doc.Statement.map((s: any) => s.Sid), ["ReadModelArtifacts", "EcrLogin", "PullSageMakerImages", "WriteSageMakerLogs", "PutSageMakerMetrics", "DecryptModelArtifacts"]);
    assert.deepEqual(doc.Statement[5], {
      Sid: "DecryptModelArtifacts", Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY,
      Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    });
    assert.ok(!JSON.stringify(doc).includes("s3:PutObject"));
  });

  it("validates args before declaring anything", async () => {
    const cases: [Partial<BikeshareInferenceArgs>, string][] = [
      [{ model: "Bikes" }, "[model] must be a model name (lowercase letters, digits and '-', starting with a letter); got 'Bikes'"],
      [{ instanceType: "m5.xlarge" }, "[instanceType] must be a SageMaker instance type such as 'ml.m5.xlarge'; got 'm5.xlarge'"],
      [{ instanceCount: 0 }, "[instanceCount] must be a whole number ≥ 1; got 0"],
      [{ modelDataPrefix: "out" }, "[modelDataPrefix] must be an S3 key prefix of path segments ending in '/'; got 'out'"],
    ];
    for (const [override, message] of cases) {
      await assert.rejects(recordProgram(() => new BikeshareInference("s", { ...ARGS, ...override }), { simulator }), { message });
    }
  });
});
