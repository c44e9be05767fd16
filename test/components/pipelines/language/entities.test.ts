import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { only, ofType, parseJsonInput, recordProgram } from "../../../helpers/pulumi";
import { EntityRecognizerTraining, LEGAL_ENTITY_TYPES, prepareTraining, type EntityRecognizerTrainingArgs } from "../../../../components/pipelines/language/entity-recognizer";
import { DocumentAnalysisPipeline, validateAnalysisArgs } from "../../../../components/pipelines/language/document-analysis";
import { assertGrants, statementNaming } from "../../../helpers/iam";

const MANIFEST = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "..", "datasets", "legal-entities", "output.manifest"), "utf8");
const ATTR = "legal-entity-label-job-labeling-job-20220104T172242";
const ARGS: EntityRecognizerTrainingArgs = {
  accountId: "444444444444",
  bucketName: "example-mlz-ml-legal-entities",
  manifestText: MANIFEST,
  attributeName: ATTR,
  recognizerName: "legal-entities",
  versionName: "v-2026-11-20",
  train: true,
};
const mock = (type: string, name: string) => `arn:aws:mock:us-east-1:123456789012:${type}/${name}`;

describe("EntityRecognizerTraining", () => {
  it("refuses entity types the manifest does not label (case-sensitive) and training without a version", () => {
    assert.throws(() => prepareTraining({ ...ARGS, entityTypes: ["Payout", "law firm"] }), /\[entityTypes\] 'law firm' not labeled in the manifest \(labels are case-sensitive: Law Firm, /);
    assert.throws(() => prepareTraining({ ...ARGS, versionName: undefined }), /\[versionName\] must be 1-63 letters/);
    assert.throws(() => prepareTraining({ ...ARGS, attributeName: "nope" }), /has no nope\.annotation-ref/);
  });

  it("by default starts training with the dynamic provider (no waiting), with the same training inputs", async () => {
    const { resources } = await recordProgram(() => new EntityRecognizerTraining("entities", { ...ARGS, region: "us-east-1", assumeRoleArn: "arn:aws:iam::444444444444:role/mlz-deploy" }));
    assert.equal(ofType(resources, "aws:comprehend/entityRecognizer:EntityRecognizer").length, 0);
    const t = only(resources, "pulumi-nodejs:dynamic:Resource", "entities-v-2026-11-20");
    const { __provider, ...inputs } = t.inputs as Record<string, unknown>;
    void __provider;
    assert.deepEqual(inputs, {
      kind: "mlz:comprehend:EntityRecognizerTraining",
      recognizerName: "legal-entities",
      versionName: "v-2026-11-20",
      region: "us-east-1",
      dataAccessRoleArn: mock("role", "entities-data-access"),
      manifestS3Uri: "s3://example-mlz-ml-legal-entities/manifests/output.manifest",
      attributeName: ATTR,
      annotationDataS3Uri: "s3://example-mlz-ml-legal-entities/annotations/",
      sourceDocumentsS3Uri: "s3://example-mlz-ml-legal-entities/source/",
      entityTypes: [...LEGAL_ENTITY_TYPES],
      kmsKeyArn: mock("key", "entities-key"),
      assumeRoleArn: "arn:aws:iam::444444444444:role/mlz-deploy",
    });
  });

  it("with trainWith pulumi-aws declares aws.comprehend.EntityRecognizer from the rewritten manifest: semi-structured documents, the ten types, KMS for volume and model", async () => {
    const { resources } = await recordProgram(() => new EntityRecognizerTraining("entities", { ...ARGS, trainWith: "pulumi-aws" }));
    const rec = only(resources, "aws:comprehend/entityRecognizer:EntityRecognizer", "entities-v-2026-11-20");
    const key = mock("key", "entities-key");
    assert.deepEqual(rec.inputs, {
      name: "legal-entities",
      versionName: "v-2026-11-20",
      languageCode: "en",
      dataAccessRoleArn: mock("role", "entities-data-access"),
      inputDataConfig: {
        dataFormat: "AUGMENTED_MANIFEST",
        augmentedManifests: [{
          s3Uri: "s3://example-mlz-ml-legal-entities/manifests/output.manifest",
          attributeNames: [ATTR],
          documentType: "SEMI_STRUCTURED_DOCUMENT",
          annotationDataS3Uri: "s3://example-mlz-ml-legal-entities/annotations/",
          sourceDocumentsS3Uri: "s3://example-mlz-ml-legal-entities/source/",
          split: "TRAIN",
        }],
        entityTypes: LEGAL_ENTITY_TYPES.map((type) => ({ type })),
      },
      volumeKmsKeyId: key,
      modelKmsKeyId: key,
    });
    const object = only(resources, "aws:s3/bucketObjectv2:BucketObjectv2", "entities-manifest");
    assert.equal(object.inputs.key, "manifests/output.manifest");
    assert.equal(object.inputs.kmsKeyId, key);
    assert.equal(String(object.inputs.content).split("\n").filter(Boolean).length, 296);
    assert.ok(String(object.inputs.content).includes("\"source-ref\":\"s3://example-mlz-ml-legal-entities/source/Letter 36.pdf\""));

    const perms = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "entities-data-access-permissions"), "policy").Statement;
    const bucket = mock("bucket", "entities-training-bucket");
    assertGrants(perms.slice(0, 2), [
      { Effect: "Allow", Action: "s3:GetObject", Resource: [`${bucket}/source/*`, `${bucket}/annotations/*`, `${bucket}/manifests/*`] },
      { Effect: "Allow", Action: "s3:ListBucket", Resource: bucket, Condition: { StringLike: { "s3:prefix": ["source/*", "annotations/*", "manifests/*"] } } },
    ]);
    assert.ok(!perms.some((s: any) => [s.Action].flat().some((a: string) => a.startsWith("s3:Put"))), "training reads only");
    assert.deepEqual(parseJsonInput(only(resources, "aws:iam/role:Role", "entities-data-access"), "assumeRolePolicy").Statement[0].Principal, { Service: "comprehend.amazonaws.com" });
  });

  it("without train declares bucket, manifest and role but no recognizer", async () => {
    const { resources } = await recordProgram(() => new EntityRecognizerTraining("entities", { ...ARGS, train: false }));
    assert.equal(ofType(resources, "aws:comprehend/entityRecognizer:EntityRecognizer").length, 0);
    assert.equal(ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2").length, 1);
  });
});

describe("DocumentAnalysisPipeline", () => {
  it("validates prefixes", () => {
    assert.throws(() => validateAnalysisArgs({ accountId: "1", region: "us-east-1", bucketName: "b", recognizerArn: "x", indexPrefix: "entities/output/idx/" }), /\[indexPrefix\] 'entities\/output\/idx\/' must not lie under \[outputPrefix\]/);
  });

  it("starts jobs on PDFs under the input prefix and indexes archives under the output prefix, with a prefix-scoped data-access role", async () => {
    const recognizer = "arn:aws:comprehend:us-east-1:555555555555:entity-recognizer/legal-entities/version/v1";
    const { resources } = await recordProgram(() => new DocumentAnalysisPipeline("analysis", {
      accountId: "555555555555", region: "us-east-1", bucketName: "example-mlz-qa-documents", recognizerArn: recognizer,
    }));
    const n = only(resources, "aws:s3/bucketNotification:BucketNotification", "analysis-notification");
    assert.deepEqual(n.inputs.lambdaFunctions, [
      { lambdaFunctionArn: mock("function", "analysis-start-function"), events: ["s3:ObjectCreated:*"], filterPrefix: "entities/input/", filterSuffix: ".pdf" },
      { lambdaFunctionArn: mock("function", "analysis-index-function"), events: ["s3:ObjectCreated:*"], filterPrefix: "entities/output/", filterSuffix: "output.tar.gz" },
    ]);
    const start = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "analysis-start-permissions"), "policy").Statement;
    assert.deepEqual(statementNaming(start, "comprehend:StartEntitiesDetectionJob").Resource, ["arn:aws:comprehend:us-east-1:555555555555:entities-detection-job/*", recognizer]);
    const data = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "analysis-data-access-permissions"), "policy").Statement;
    const bucket = mock("bucket", "analysis-documents-bucket");
    assert.deepEqual([statementNaming(data, "s3:GetObject"), statementNaming(data, "s3:PutObject")].map((s: any) => s.Resource), [[`${bucket}/entities/input/*`], `${bucket}/entities/output/*`]);
    const indexer = parseJsonInput(only(resources, "aws:iam/rolePolicy:RolePolicy", "analysis-index-permissions"), "policy").Statement;
    assert.deepEqual([statementNaming(indexer, "s3:GetObject"), statementNaming(indexer, "s3:PutObject")].map((s: any) => [s.Action, s.Resource]), [
      ["s3:GetObject", `${bucket}/entities/output/*`], ["s3:PutObject", `${bucket}/entities/index/*`],
    ]);
    assert.equal(ofType(resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").length, 2);
    assert.equal(ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").length, 2);
  });
});
