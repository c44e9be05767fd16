import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { basicSimulator, ofType, only, parseJsonInput, promiseOf, recordProgram, type Registration } from "../../helpers/pulumi";
import type { StackContext } from "../../../stacks/context";
import { readStackConfigFile } from "../../../stacks/config";
import { readModelReferences, type ConsumerStackConfig } from "../../../stacks/parts/model-references";
import { declareRekognitionModels, rekognitionModelsConfigSchema, type RekognitionModelsConfig } from "../../../stacks/parts/rekognition-models";
import { declareSageMakerHosting, sagemakerHostingName } from "../../../stacks/parts/sagemaker-hosting";
import { stackFilesIn } from "../../../stacks/config";

const ML = "444444444444";
const SM1 = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20261101`;
const SM2 = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20261120`;
const SM0 = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20261001`;
const KEY = `arn:aws:kms:us-east-1:${ML}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const PROD_VPCE = { rekognition: "vpce-0aaa1111bbbb2222c", "sagemaker.runtime": "vpce-0ddd3333eeee4444f" };
const endpointArn = (name: string) => `arn:aws:sagemaker:us-east-1:${ML}:endpoint/${name}`;

/** The bike-share versions the tests reference: known to exist in the ML account. */
const EXISTING = ["20261001", "20261101", "20261120"].map((d) => `arn:aws:sagemaker:us-east-1:${"444444444444"}:model/bikeshare-classifier-${d}`);
const CONFIG = rekognitionModelsConfigSchema.parse({
  models: {
    "defect-detector": { kind: "rekognition" },
    "bikeshare-classifier": { kind: "sagemaker", existingVersions: EXISTING },
  },
  consumers: {
    qa: { stack: "organization/ml-landing-zone/qa", requireVpcEndpoint: false },
    prod: { stack: "organization/ml-landing-zone/prod", requireVpcEndpoint: true },
  },
});

type Live = Record<string, Record<string, unknown> | undefined>;

const simulatorFor = (live: Live) => basicSimulator({
  outputs: (a) => {
    const inputs = a.inputs as Record<string, string>;
    switch (a.type) {
      case "pulumi:pulumi:StackReference": return { outputs: live[inputs.name] ?? {} };
      case "aws:iam/role:Role": return { arn: `arn:aws:iam::${ML}:role/${inputs.name}` };
      case "aws:kms/key:Key": return { arn: KEY, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" };
      case "aws:sagemaker/endpointConfiguration:EndpointConfiguration": return { name: `${a.name}-1a2b3c4` };
      case "aws:sagemaker/endpoint:Endpoint": return { arn: endpointArn(inputs.name) };
      default: return undefined;
    }
  },
});

function context(): StackContext {
  return {
    stack: "ml",
    role: "ml",
    region: "us-east-1",
    partition: "aws",
    accountId: pulumi.output(ML),
    accountIds: pulumi.output<Record<string, string>>({ management: "111111111111", lakehouse: "333333333333", ml: ML, qa: "555555555555", prod: "666666666666" }),
    organizationId: pulumi.output("o-abc123def4"),
    provider: new aws.Provider("account", { region: "us-east-1" }),
    tags: { environment: "ml", owner: "mlops@example.com", pipeline: "platform" },
    stackFiles: stackFilesIn(),
  };
}

type Models = ConsumerStackConfig["models"];
const bikes = (arn: string): Models => ({ "bikeshare-classifier": { kind: "sagemaker", versionArn: arn } });
const files = (qa: Models, prod: Models) => ({
  readConsumer: (stack: string): ConsumerStackConfig => ({ account: stack, models: stack === "qa" ? qa : prod }),
});

/** The ML program's order: references once, then the Rekognition part (grants) and the hosting part. */
async function run(qa: Models, prod: Models, live: Live, cfg: RekognitionModelsConfig = CONFIG) {
  return recordProgram(async () => {
    const ctx = context();
    const references = await readModelReferences(cfg, files(qa, prod));
    const rekognition = await declareRekognitionModels(ctx, cfg, undefined, references);
    return { rekognition, hosting: declareSageMakerHosting(ctx, cfg, references) };
  }, { simulator: simulatorFor(live), stack: "ml" });
}

const hostedEndpoints = (resources: Registration[]) => ofType(resources, "aws:sagemaker/endpoint:Endpoint").map((e) => e.inputs.name).sort();
const hostedModels = (resources: Registration[]) =>
  ofType(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").map((c) => (c.inputs.productionVariants as any[])[0].modelName).sort();
const invokeResources = (resources: Registration[], env: string) => {
  const policy = ofType(resources, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === `model-access-${env}-invoke`);
  const st = policy ? (parseJsonInput(policy, "policy").Statement as any[]).find((s) => s.Action === "sagemaker:InvokeEndpoint") : undefined;
  return st?.Resource;
};

describe("sagemaker hosting part (ML stack)", () => {
  it("hosts each referenced version once, named for its ARN, with the hosting key and the model's defaults", async () => {
    const { resources, result } = await run(bikes(SM1), bikes(SM1), {
      "organization/ml-landing-zone/prod": { modelVersionArns: { "bikeshare-classifier": SM1 }, modelEndpointIds: PROD_VPCE },
    });
    const key = only(resources, "aws:kms/key:Key", "sagemaker-hosting-key");
    assert.deepEqual(key.inputs, {
      description: "SageMaker endpoints of the model versions the consumer environments use: ML storage volumes",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    assert.deepEqual(only(resources, "aws:kms/alias:Alias", "sagemaker-hosting-key-alias").inputs, {
      name: "alias/mlz-sagemaker-hosting", targetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    const comp = only(resources, "mlz:models:SageMakerModelHosting", "hosting-mlz-bikeshare-classifier-20261101");
    const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "hosting-mlz-bikeshare-classifier-20261101-config");
    assert.equal(config.parent, comp.urn);
    assert.deepEqual(config.inputs, {
      kmsKeyArn: KEY,
      productionVariants: [{ variantName: "AllTraffic", modelName: "bikeshare-classifier-20261101", initialInstanceCount: 1, instanceType: "ml.m5.xlarge", initialVariantWeight: 1 }],
    });
    const endpoint = only(resources, "aws:sagemaker/endpoint:Endpoint", "hosting-mlz-bikeshare-classifier-20261101-endpoint");
    assert.deepEqual(endpoint.inputs, { name: "mlz-bikeshare-classifier-20261101", endpointConfigName: "hosting-mlz-bikeshare-classifier-20261101-config-1a2b3c4" });
    // Every AWS resource goes to the ML account through the stack's provider.
    for (const r of [key, config, endpoint]) assert.match(r.provider ?? "", /pulumi:providers:aws::account::/, r.name);

    const { hosting, rekognition } = await result;
    assert.deepEqual(hosting.outputs.sagemakerEndpoints, { [SM1]: "mlz-bikeshare-classifier-20261101" });
    assert.equal(await promiseOf(hosting.outputs.sagemakerHostingKmsKeyArn!), KEY);
    assert.deepEqual([...hosting.context!.hostedModelArns], [SM1]);
    // The endpoint hosted is exactly the one the environments' roles may invoke.
    assert.deepEqual(invokeResources(resources, "qa"), [endpointArn("mlz-bikeshare-classifier-20261101")]);
    assert.deepEqual(invokeResources(resources, "prod"), [endpointArn("mlz-bikeshare-classifier-20261101")]);
    assert.deepEqual(rekognition.runningModelVersions, []);
    // The consumers are read once for both kinds.
    assert.deepEqual(ofType(resources, "pulumi:pulumi:StackReference").map((r) => r.name).sort(), ["consumer-prod", "consumer-qa"]);
  });

  it("per-model sizing: documented defaults, and only sagemaker models may set it", () => {
    assert.deepEqual(rekognitionModelsConfigSchema.parse({ models: { b: { kind: "sagemaker" } } }).models.b, { kind: "sagemaker", minInferenceUnits: 1 });
    const bad = rekognitionModelsConfigSchema.safeParse({
      models: { d: { kind: "rekognition", instanceType: "ml.m5.large" }, b: { kind: "sagemaker", instanceType: "m5.large", instanceCount: 11 } },
    });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error!.issues.map((i) => [i.path.join("."), i.message]), [
      ["models.d.instanceType", "only sagemaker models have endpoints; remove instanceType or set kind: sagemaker"],
      ["models.b.instanceType", "expected a SageMaker instance type such as 'ml.m5.xlarge'; got 'm5.large'"],
      ["models.b.instanceCount", "Too big: expected number to be <=10"],
    ]);
  });

  it("fails, naming it, for a referenced version no resource declares and existingVersions does not list; reads a listed one", async () => {
    const unknown = `arn:aws:sagemaker:us-east-1:${ML}:model/bikeshare-classifier-20260901`;
    await assert.rejects(run(bikes(unknown), {}, {}), {
      message: `version of model 'bikeshare-classifier' used by qa: no resource of the ML stack declares SageMaker model 'bikeshare-classifier-20260901' (${unknown}); ` +
        "list it in ml-landing-zone:models.bikeshare-classifier.existingVersions once it exists (a training run created it), or reference a version that does",
    });
    const { resources } = await run(bikes(EXISTING[1]), {}, {});
    const read = ofType(resources, "aws:sagemaker/model:Model");
    assert.deepEqual(read.map((r) => [r.read, r.id ?? r.outputs.id]), [[true, "bikeshare-classifier-20261101"]]);
    const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration");
    const hosting = only(resources, "mlz:models:SageMakerModelHosting");
    assert.ok(hosting.dependencies.includes(read[0].urn), "the hosting waits for the model read");
    assert.equal((config.inputs.productionVariants as any[])[0].modelName, "bikeshare-classifier-20261101");
  });

  it("sizes the endpoints from the model's instanceType and instanceCount", async () => {
    const cfg = rekognitionModelsConfigSchema.parse({
      ...CONFIG,
      models: { "bikeshare-classifier": { kind: "sagemaker", instanceType: "ml.c5.xlarge", instanceCount: 2, existingVersions: EXISTING } },
    });
    const { resources } = await run(bikes(SM1), bikes(SM2), {}, cfg);
    assert.deepEqual(
      ofType(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").map((c) => {
        const v = (c.inputs.productionVariants as any[])[0];
        return [v.modelName, v.instanceType, v.initialInstanceCount];
      }),
      [["bikeshare-classifier-20261101", "ml.c5.xlarge", 2], ["bikeshare-classifier-20261120", "ml.c5.xlarge", 2]],
    );
  });

  it("a version no environment references gets no endpoint", async () => {
    // qa asks for SM2 while it still runs SM1; prod asks for and runs SM0.
    const before = await run(bikes(SM2), bikes(SM0), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "bikeshare-classifier": SM1 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "bikeshare-classifier": SM0 }, modelEndpointIds: PROD_VPCE },
    });
    assert.deepEqual(hostedEndpoints(before.resources), ["mlz-bikeshare-classifier-20261001", "mlz-bikeshare-classifier-20261101", "mlz-bikeshare-classifier-20261120"]);
    // qa has switched to SM2 and prod moved to SM2 too: SM0 and SM1 are referenced nowhere.
    const after = await run(bikes(SM2), bikes(SM2), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "bikeshare-classifier": SM2 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "bikeshare-classifier": SM2 }, modelEndpointIds: PROD_VPCE },
    });
    assert.deepEqual(hostedEndpoints(after.resources), ["mlz-bikeshare-classifier-20261120"]);
    assert.deepEqual(hostedModels(after.resources), ["bikeshare-classifier-20261120"]);
    assert.deepEqual(Object.keys((await after.result).hosting.outputs.sagemakerEndpoints), [SM2]);
  });

  it("promotion: old and new hosted on the first apply, only the new on the second", async () => {
    // Apply 1: the pull request set qa and prod to SM2; prod still runs SM1.
    const first = await run(bikes(SM2), bikes(SM2), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "bikeshare-classifier": SM2 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "bikeshare-classifier": SM1 }, modelEndpointIds: PROD_VPCE },
    });
    assert.deepEqual(hostedEndpoints(first.resources), ["mlz-bikeshare-classifier-20261101", "mlz-bikeshare-classifier-20261120"]);
    assert.deepEqual(hostedModels(first.resources), ["bikeshare-classifier-20261101", "bikeshare-classifier-20261120"]);
    assert.deepEqual(invokeResources(first.resources, "prod"), [endpointArn("mlz-bikeshare-classifier-20261101"), endpointArn("mlz-bikeshare-classifier-20261120")]);
    assert.deepEqual((await first.result).hosting.outputs.sagemakerEndpoints, {
      [SM1]: "mlz-bikeshare-classifier-20261101",
      [SM2]: "mlz-bikeshare-classifier-20261120",
    });

    // Apply 2: prod deployed SM2. SM1 is referenced nowhere: its hosting is no longer declared, so
    // Pulumi deletes its endpoint and endpoint configuration.
    const second = await run(bikes(SM2), bikes(SM2), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "bikeshare-classifier": SM2 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "bikeshare-classifier": SM2 }, modelEndpointIds: PROD_VPCE },
    });
    assert.deepEqual(hostedEndpoints(second.resources), ["mlz-bikeshare-classifier-20261120"]);
    assert.deepEqual(ofType(second.resources, "mlz:models:SageMakerModelHosting").map((r) => r.name), ["hosting-mlz-bikeshare-classifier-20261120"]);
    assert.deepEqual(invokeResources(second.resources, "prod"), [endpointArn("mlz-bikeshare-classifier-20261120")]);
    // Same logical names in both applies: the kept version's endpoint is not replaced.
    const urns = (rs: Registration[]) => ofType(rs, "aws:sagemaker/endpoint:Endpoint").map((r) => r.urn);
    assert.ok(urns(first.resources).includes(urns(second.resources)[0]));
  });

  it("without sagemaker models: no key and no endpoint", async () => {
    const cfg = rekognitionModelsConfigSchema.parse({ ...CONFIG, models: { "defect-detector": { kind: "rekognition" } } });
    const { resources, result } = await run({}, {}, {}, cfg);
    assert.equal(ofType(resources, "aws:kms/key:Key").length, 0);
    assert.equal(ofType(resources, "aws:sagemaker/endpoint:Endpoint").length, 0);
    const { hosting } = await result;
    assert.deepEqual(hosting, { outputs: { sagemakerEndpoints: {} } });
  });

  it("refuses a version in another region than the ML stack", async () => {
    const other = `arn:aws:sagemaker:eu-west-1:${ML}:model/bikeshare-classifier-20261101`;
    await assert.rejects(run(bikes(other), {}, {}), {
      message: `version of model 'bikeshare-classifier' used by qa: '${other}' is in region eu-west-1; the ML stack hosts its models in us-east-1`,
    });
  });

  it("names the hosting of a version after its endpoint", () => {
    assert.equal(sagemakerHostingName(SM1), "hosting-mlz-bikeshare-classifier-20261101");
  });

  it("example organization: hosts mlz-bikeshare-classifier-20261101 that qa and prod reference", async () => {
    const ml = readStackConfigFile("ml");
    assert.equal(ml.role, "ml");
    const cfg = rekognitionModelsConfigSchema.parse(ml);
    const { resources, result } = await recordProgram(async () => {
      const ctx = context();
      const references = await readModelReferences(cfg);
      return declareSageMakerHosting(ctx, cfg, references);
    }, { simulator: simulatorFor({}), stack: "ml" });
    assert.deepEqual(hostedEndpoints(resources), ["mlz-bikeshare-classifier-20261101"]);
    assert.deepEqual(hostedModels(resources), ["bikeshare-classifier-20261101"]);
    assert.deepEqual((await result).outputs.sagemakerEndpoints, { [SM1]: "mlz-bikeshare-classifier-20261101" });
  });
});
