import { strict as assert } from "node:assert";
import { mockClient } from "aws-sdk-client-mock";
import {
  ComprehendClient,
  DeleteEntityRecognizerCommand,
  DeleteResourcePolicyCommand,
  ImportModelCommand,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-comprehend";
import {
  comprehendInputFailures,
  deleteImportedModel,
  deleteModelPolicy,
  importModel,
  makeImportedModelProvider,
  makeModelPolicyProvider,
  putModelPolicy,
} from "../../../components/models/comprehend-model-provider";
import { ComprehendModelCopy, ComprehendModelShare, modelPolicyDocument } from "../../../components/models/comprehend-model";
import { only, recordProgram } from "../../helpers/pulumi";
import { assertGrants } from "../../helpers/iam";

const V1 = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v1";
const COPY = "arn:aws:comprehend:us-east-1:555555555555:entity-recognizer/legal-entities/version/v1";
const cm = mockClient(ComprehendClient);
const client = new ComprehendClient({ region: "us-east-1" });

describe("Comprehend model sharing", () => {
  beforeEach(() => cm.reset());

  it("the model policy grants ImportModel on exactly the version to exactly the consumer accounts", () => {
    assertGrants(modelPolicyDocument(V1, ["666666666666", "555555555555", "555555555555"]), {
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::555555555555:root", "arn:aws:iam::666666666666:root"] },
        Action: "comprehend:ImportModel", Resource: V1,
      }],
    });
    assert.throws(() => modelPolicyDocument(V1, []), /must name at least one account/);
    assert.throws(() => modelPolicyDocument(V1, ["qa"]), /12-digit account ids; got 'qa'/);
  });

  it("puts and deletes the resource policy with the exact requests", async () => {
    cm.on(PutResourcePolicyCommand).resolves({ PolicyRevisionId: "rev-1" });
    const inputs = { kind: "mlz:comprehend:ModelPolicy" as const, resourceArn: V1, policy: JSON.stringify(modelPolicyDocument(V1, ["555555555555"])), region: "us-east-1" };
    assert.deepEqual(await putModelPolicy(client, inputs), { ...inputs, policyRevisionId: "rev-1" });
    assert.deepEqual(cm.commandCalls(PutResourcePolicyCommand)[0].args[0].input, { ResourceArn: V1, ResourcePolicy: inputs.policy });
    cm.on(DeleteResourcePolicyCommand).rejects(new ResourceNotFoundException({ message: "gone", $metadata: {} }));
    await deleteModelPolicy(client, inputs);
    assert.deepEqual(cm.commandCalls(DeleteResourcePolicyCommand)[0].args[0].input, { ResourceArn: V1 });
  });

  it("imports the copy under the source's names and deletes it", async () => {
    cm.on(ImportModelCommand).resolves({ ModelArn: COPY });
    const inputs = { kind: "mlz:comprehend:ImportedModel" as const, sourceModelArn: V1, modelName: "legal-entities", versionName: "v1", region: "us-east-1", modelKmsKeyId: "arn:aws:kms:us-east-1:555555555555:key/k" };
    const out = await importModel(client, inputs);
    assert.equal(out.modelArn, COPY);
    assert.deepEqual(cm.commandCalls(ImportModelCommand)[0].args[0].input, { SourceModelArn: V1, ModelName: "legal-entities", VersionName: "v1", ModelKmsKeyId: "arn:aws:kms:us-east-1:555555555555:key/k" });
    cm.on(DeleteEntityRecognizerCommand).resolves({});
    await deleteImportedModel(client, out);
    assert.deepEqual(cm.commandCalls(DeleteEntityRecognizerCommand)[0].args[0].input, { EntityRecognizerArn: COPY });
  });

  it("providers: a policy change updates in place, a new source version replaces the copy, bad inputs fail check", async () => {
    const policy = makeModelPolicyProvider(async () => client);
    const base = { kind: "mlz:comprehend:ModelPolicy" as const, resourceArn: V1, policy: "{\"Statement\":[{}]}", region: "us-east-1" };
    assert.deepEqual(await policy.diff!("id", { ...base, policyRevisionId: "r" }, { ...base, policy: "{\"Statement\":[{},{}]}" }), { changes: true, replaces: [], deleteBeforeReplace: false });
    const imported = makeImportedModelProvider(async () => client);
    const src = { kind: "mlz:comprehend:ImportedModel" as const, sourceModelArn: V1, modelName: "legal-entities", versionName: "v1", region: "us-east-1" };
    const diff = await imported.diff!("id", { ...src, modelArn: COPY }, { ...src, sourceModelArn: V1.replace("v1", "v2"), versionName: "v2" });
    assert.deepEqual(diff.replaces, ["sourceModelArn", "versionName"]);
    assert.deepEqual(comprehendInputFailures({ sourceModelArn: "arn:aws:s3:::x", policy: "nope" }), [
      { property: "sourceModelArn", reason: "must be a Comprehend entity-recognizer version ARN; got 'arn:aws:s3:::x'" },
      { property: "policy", reason: "must be JSON" },
    ]);
    assert.deepEqual(comprehendInputFailures({ sourceModelArn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }), [], "unknown preview values are not checked");
  });

  it("components declare the dynamic resources with their kinds and exact inputs", async () => {
    const { resources } = await recordProgram(() => {
      new ComprehendModelShare("share-v1", { versionArn: V1, consumerAccountIds: ["555555555555"] });
      new ComprehendModelCopy("copy", { sourceVersionArn: V1, region: "us-east-1" });
    });
    const dyn = resources.filter((r) => r.type === "pulumi-nodejs:dynamic:Resource");
    const policy = dyn.find((r) => r.name === "share-v1-policy")!;
    assert.equal(policy.inputs.kind, "mlz:comprehend:ModelPolicy");
    assert.deepEqual(JSON.parse(String(policy.inputs.policy)), modelPolicyDocument(V1, ["555555555555"]));
    const copy = dyn.find((r) => r.name === "copy-import")!;
    assert.deepEqual([copy.inputs.kind, copy.inputs.sourceModelArn, copy.inputs.modelName, copy.inputs.versionName, copy.inputs.region],
      ["mlz:comprehend:ImportedModel", V1, "legal-entities", "v1", "us-east-1"]);
    assert.equal(copy.parent, only(resources, "mlz:models:ComprehendModelCopy", "copy").urn);
    assert.throws(() => new ComprehendModelCopy("x", { sourceVersionArn: V1, region: "eu-west-1" }), /imported only within its region/);
  });
});
