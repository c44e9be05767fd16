import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { only, ofType, parseJsonInput, promiseOf, recordProgram } from "../../../helpers/pulumi";
import { BikeshareInference, modelNameForJob, type BikeshareInferenceArgs } from "../../../../components/pipelines/bikeshare/inference";
import { modelEndpointParameterName } from "../../../../components/naming";
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

  it("keeps the model when a new training run replaces it, and declares no endpoint itself", async () => {
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
      "aws:ssm/parameter:Parameter/bikes-serving-endpoint-parameter": undefined,
    });
    assert.equal(ofType(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").length, 0);
    assert.equal(ofType(resources, "aws:sagemaker/endpoint:Endpoint").length, 0);
    // The name of the endpoint that serves it wherever it is hosted.
    assert.equal(await promiseOf(result.endpointName), "mlz-bikeshare-classifier-20261101101500");

    const notRetained = retained({ retainReplacedModels: false });
    await recordProgram(notRetained.run, { simulator });
    assert.equal(notRetained.seen["aws:sagemaker/model:Model/bikes-serving-model"], false);
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
      [{ modelDataPrefix: "out" }, "[modelDataPrefix] must be an S3 key prefix of path segments ending in '/'; got 'out'"],
    ];
    for (const [override, message] of cases) {
      await assert.rejects(recordProgram(() => new BikeshareInference("s", { ...ARGS, ...override }), { simulator }), { message });
    }
  });
});
