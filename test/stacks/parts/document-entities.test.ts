import { strict as assert } from "node:assert";
import { stackFilesIn } from "../../../stacks/config";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { basicSimulator, ofType, recordProgram } from "../../helpers/pulumi";
import type { StackContext } from "../../../stacks/context";
import { readModelReferences, type ConsumerStackConfig } from "../../../stacks/parts/model-references";
import { declareDocumentEntities, documentEntitiesConfigSchema } from "../../../stacks/parts/document-entities";
import { declareRekognitionModels, rekognitionModelsConfigSchema } from "../../../stacks/parts/rekognition-models";

const ML = "444444444444";
const V1 = `arn:aws:comprehend:us-east-1:${ML}:entity-recognizer/legal-entities/version/v1`;
const V2 = `arn:aws:comprehend:us-east-1:${ML}:entity-recognizer/legal-entities/version/v2`;
const CONFIG = {
  ...rekognitionModelsConfigSchema.parse({
    models: { "legal-entities": { kind: "comprehend" } },
    consumers: {
      qa: { stack: "organization/ml-landing-zone/qa", requireVpcEndpoint: false },
      prod: { stack: "organization/ml-landing-zone/prod", requireVpcEndpoint: false },
    },
  }),
  ...documentEntitiesConfigSchema.parse({}),
};

function context(): StackContext {
  return {
    stack: "ml", role: "ml", region: "us-east-1", partition: "aws",
    accountId: pulumi.output(ML),
    accountIds: pulumi.output<Record<string, string>>({ ml: ML, qa: "555555555555", prod: "666666666666" }),
    organizationId: pulumi.output("o-abc123def4"),
    provider: new aws.Provider("account", { region: "us-east-1" }),
    tags: {},
    stackFiles: stackFilesIn(),
  };
}

type Models = ConsumerStackConfig["models"];
const legal = (arn: string): Models => ({ "legal-entities": { kind: "comprehend", versionArn: arn } });

async function run(qa: Models, prod: Models, live: Record<string, Record<string, unknown>>) {
  const simulator = basicSimulator({ outputs: (a) => (a.type === "pulumi:pulumi:StackReference" ? { outputs: live[(a.inputs as any).name] ?? {} } : undefined) });
  return recordProgram(async () => {
    const ctx = context();
    const references = await readModelReferences(CONFIG, { readConsumer: (s) => ({ account: s, models: s === "qa" ? qa : prod }) });
    await declareRekognitionModels(ctx, CONFIG, undefined, references);
    return declareDocumentEntities(ctx, CONFIG, references);
  }, { simulator, stack: "ml" });
}

const policies = (resources: ReturnType<typeof ofType>) => Object.fromEntries(ofType(resources, "pulumi-nodejs:dynamic:Resource")
  .filter((r) => r.inputs.kind === "mlz:comprehend:ModelPolicy")
  .map((r) => [r.inputs.resourceArn, JSON.parse(String(r.inputs.policy)).Statement[0].Principal.AWS]));

describe("document entities part (ML stack)", () => {
  it("during a promotion to qa, the new version is importable by qa only and the old one by both until qa has switched", async () => {
    const { resources } = await run(legal(V2), legal(V1), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "legal-entities": V1 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "legal-entities": V1 } },
    });
    assert.deepEqual(policies(resources), {
      [V1]: ["arn:aws:iam::555555555555:root", "arn:aws:iam::666666666666:root"],
      [V2]: ["arn:aws:iam::555555555555:root"],
    });
    // Comprehend versions are not granted through the model-access roles.
    for (const p of ofType(resources, "aws:iam/rolePolicy:RolePolicy")) assert.ok(!String(p.inputs.policy).includes("comprehend"), p.name);
  });

  it("once qa runs the new version, the old one is importable by prod only", async () => {
    const { resources } = await run(legal(V2), legal(V1), {
      "organization/ml-landing-zone/qa": { modelVersionArns: { "legal-entities": V2 } },
      "organization/ml-landing-zone/prod": { modelVersionArns: { "legal-entities": V1 } },
    });
    assert.deepEqual(policies(resources), { [V1]: ["arn:aws:iam::666666666666:root"], [V2]: ["arn:aws:iam::555555555555:root"] });
  });

  it("refuses a documentEntities model that is not a comprehend model", async () => {
    const ctx = context();
    const references = { consumers: [], consumerInfo: {}, plan: { environments: {}, referenced: [], unreferenced: [] } };
    assert.throws(() => declareDocumentEntities(ctx, { ...CONFIG, models: { x: { kind: "sagemaker" } }, documentEntities: { model: "x" } as any }, references),
      /ml-landing-zone:documentEntities\.model must name a comprehend model of ml-landing-zone:models; 'x' is sagemaker/);
  });
});
