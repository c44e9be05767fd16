import { strict as assert } from "node:assert";
import { mockClient } from "aws-sdk-client-mock";
import {
  ComprehendClient,
  CreateEntityRecognizerCommand,
  DescribeEntityRecognizerCommand,
  StopTrainingEntityRecognizerCommand,
} from "@aws-sdk/client-comprehend";
import { makeRecognizerTrainingProvider, RECOGNIZER_TRAINING_KIND, type RecognizerTrainingInputs } from "../../../../components/pipelines/language/recognizer-training-provider";

const cm = mockClient(ComprehendClient);
const client = new ComprehendClient({ region: "us-east-1" });
const provider = makeRecognizerTrainingProvider(async () => client);
const KEY = "arn:aws:kms:us-east-1:444444444444:key/k";
const ARN = "arn:aws:comprehend:us-east-1:444444444444:entity-recognizer/legal-entities/version/v1";
const INPUTS: RecognizerTrainingInputs = {
  kind: RECOGNIZER_TRAINING_KIND,
  recognizerName: "legal-entities",
  versionName: "v1",
  region: "us-east-1",
  dataAccessRoleArn: "arn:aws:iam::444444444444:role/entities-data-access",
  manifestS3Uri: "s3://b/manifests/output.manifest",
  attributeName: "legal-entity-label-job-labeling-job-20220104T172242",
  annotationDataS3Uri: "s3://b/annotations/",
  sourceDocumentsS3Uri: "s3://b/source/",
  entityTypes: ["Payout", "Sender"],
  kmsKeyArn: KEY,
};

describe("recognizer training provider", () => {
  beforeEach(() => cm.reset());

  it("create starts training with the exact request and returns at once (no status polling)", async () => {
    cm.on(CreateEntityRecognizerCommand).resolves({ EntityRecognizerArn: ARN });
    const out = await provider.create!(INPUTS);
    assert.deepEqual(out, { id: ARN, outs: { ...INPUTS, versionArn: ARN, status: "SUBMITTED" } });
    assert.deepEqual(cm.commandCalls(CreateEntityRecognizerCommand)[0].args[0].input, {
      RecognizerName: "legal-entities",
      VersionName: "v1",
      LanguageCode: "en",
      DataAccessRoleArn: INPUTS.dataAccessRoleArn,
      InputDataConfig: {
        DataFormat: "AUGMENTED_MANIFEST",
        AugmentedManifests: [{
          S3Uri: "s3://b/manifests/output.manifest",
          AttributeNames: [INPUTS.attributeName],
          DocumentType: "SEMI_STRUCTURED_DOCUMENT",
          AnnotationDataS3Uri: "s3://b/annotations/",
          SourceDocumentsS3Uri: "s3://b/source/",
          Split: "TRAIN",
        }],
        EntityTypes: [{ Type: "Payout" }, { Type: "Sender" }],
      },
      VolumeKmsKeyId: KEY,
      ModelKmsKeyId: KEY,
      ClientRequestToken: "mlz-legal-entities-v1",
    });
    assert.equal(cm.commandCalls(DescribeEntityRecognizerCommand).length, 0);
  });

  it("refresh reads the status; a new version name replaces; delete stops only a version still training", async () => {
    cm.on(DescribeEntityRecognizerCommand).resolves({ EntityRecognizerProperties: { Status: "TRAINED" } });
    const outs = { ...INPUTS, versionArn: ARN, status: "SUBMITTED" };
    assert.deepEqual(await provider.read!(ARN, outs), { id: ARN, props: { ...outs, status: "TRAINED" } });
    assert.deepEqual((await provider.diff!(ARN, outs, { ...INPUTS, versionName: "v2" })).replaces, ["versionName"]);
    assert.equal((await provider.diff!(ARN, outs, INPUTS)).changes, false);
    await provider.delete!(ARN, outs);
    assert.equal(cm.commandCalls(StopTrainingEntityRecognizerCommand).length, 0, "a trained version is kept");
    cm.reset();
    cm.on(DescribeEntityRecognizerCommand).resolves({ EntityRecognizerProperties: { Status: "TRAINING" } });
    cm.on(StopTrainingEntityRecognizerCommand).resolves({});
    await provider.delete!(ARN, outs);
    assert.deepEqual(cm.commandCalls(StopTrainingEntityRecognizerCommand)[0].args[0].input, { EntityRecognizerArn: ARN });
  });
});
