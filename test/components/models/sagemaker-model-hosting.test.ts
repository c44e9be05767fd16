import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { basicSimulator, only, promiseOf, recordProgram } from "../../helpers/pulumi";
import { SageMakerModelHosting, type SageMakerModelHostingArgs } from "../../../components/models/sagemaker-model-hosting";

const ML = "444444444444";
const MODEL = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20261101`;
const KEY = `arn:aws:kms:us-east-1:${ML}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Names and ARNs the way SageMaker gives them. */
const simulator = basicSimulator({
  outputs: (a) => {
    const i = a.inputs as Record<string, string>;
    if (a.type === "aws:sagemaker/endpointConfiguration:EndpointConfiguration") return { name: `${a.name}-1a2b3c4` };
    if (a.type === "aws:sagemaker/endpoint:Endpoint") return { arn: `arn:aws:sagemaker:us-east-1:${ML}:endpoint/${i.name.toLowerCase()}` };
    return undefined;
  },
});

const ARGS: SageMakerModelHostingArgs = { modelArn: MODEL, kmsKeyArn: KEY, region: "us-east-1", accountId: ML };

describe("SageMakerModelHosting", () => {
  it("serves the existing model by name from a KMS-encrypted configuration (ml.m5.xlarge × 1) on the endpoint named for the ARN", async () => {
    const { resources, result } = await recordProgram(() => new SageMakerModelHosting("h", ARGS), { simulator });
    const comp = only(resources, "mlz:models:SageMakerModelHosting", "h");
    const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "h-config");
    assert.equal(config.parent, comp.urn);
    assert.deepEqual(config.inputs, {
      kmsKeyArn: KEY,
      productionVariants: [{
        variantName: "AllTraffic",
        modelName: "bikeshare-classifier-20261101",
        initialInstanceCount: 1,
        instanceType: "ml.m5.xlarge",
        initialVariantWeight: 1,
      }],
    });
    const endpoint = only(resources, "aws:sagemaker/endpoint:Endpoint", "h-endpoint");
    assert.equal(endpoint.parent, comp.urn);
    assert.deepEqual(endpoint.inputs, { name: "mlz-bikeshare-classifier-20261101", endpointConfigName: "h-config-1a2b3c4" });
    // Declares no model: the training run owns it.
    assert.deepEqual(resources.map((r) => r.type).sort(), [
      "aws:sagemaker/endpoint:Endpoint",
      "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
      "mlz:models:SageMakerModelHosting",
    ]);
    assert.equal(result.endpointName, "mlz-bikeshare-classifier-20261101");
    assert.equal(result.modelName, "bikeshare-classifier-20261101");
    assert.equal(await promiseOf(result.endpointArn), `arn:aws:sagemaker:us-east-1:${ML}:endpoint/mlz-bikeshare-classifier-20261101`);
  });

  it("takes instance type, count and tags from args", async () => {
    const { resources } = await recordProgram(
      () => new SageMakerModelHosting("h", { ...ARGS, instanceType: "ml.c5.large", instanceCount: 3, tags: { model: "bikeshare-classifier" } }),
      { simulator },
    );
    const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration");
    const v = (config.inputs.productionVariants as any[])[0];
    assert.deepEqual([v.instanceType, v.initialInstanceCount], ["ml.c5.large", 3]);
    assert.deepEqual(config.inputs.tags, { model: "bikeshare-classifier" });
    assert.deepEqual(only(resources, "aws:sagemaker/endpoint:Endpoint").inputs.tags, { model: "bikeshare-classifier" });
  });

  it("shortens long model names the way the access roles' grants expect", async () => {
    const long = `arn:aws:sagemaker:us-east-1:${ML}:model/${"b".repeat(63)}`;
    const { result } = await recordProgram(() => new SageMakerModelHosting("h", { ...ARGS, modelArn: long }), { simulator });
    assert.equal(result.endpointName.length, 63);
    assert.match(result.endpointName, /^mlz-b{50}-[0-9a-f]{8}$/);
  });

  it("validates args before declaring anything", async () => {
    const cases: [Partial<SageMakerModelHostingArgs>, string][] = [
      [{ modelArn: "arn:aws:sagemaker:us-east-1:444444444444:endpoint/x" }, "[modelArn] expected a SageMaker model ARN (arn:aws:sagemaker:<region>:<12-digit account>:model/<model name>); got 'arn:aws:sagemaker:us-east-1:444444444444:endpoint/x'"],
      [{ region: "eu-west-1" }, `[modelArn] must be in region eu-west-1, where the endpoint is; got '${MODEL}'`],
      [{ accountId: "555555555555" }, `[modelArn] must be in account 555555555555, where the endpoint is; got account ${ML} in '${MODEL}'`],
      [{ instanceType: "m5.xlarge" }, "[instanceType] must be a SageMaker instance type such as 'ml.m5.xlarge'; got 'm5.xlarge'"],
      [{ instanceCount: 0 }, "[instanceCount] must be a whole number from 1 to 10; got 0"],
    ];
    for (const [override, message] of cases) {
      const run = recordProgram(() => new SageMakerModelHosting("h", { ...ARGS, ...override }), { simulator });
      await assert.rejects(run, { message });
    }
  });

  it("fails the configuration when an Output account differs from the model's", async () => {
    await assert.rejects(
      recordProgram(() => new SageMakerModelHosting("h", { ...ARGS, accountId: pulumi.output("555555555555") }), { simulator }),
      (e: Error) => e.message.includes(`[modelArn] must be in account 555555555555, where the endpoint is; got account ${ML} in '${MODEL}'`),
    );
  });
});
