import { strict as assert } from "node:assert";
import { mockClient } from "aws-sdk-client-mock";
import { ComprehendClient, StartEntitiesDetectionJobCommand } from "@aws-sdk/client-comprehend";
import { checkAnalysisConfig, requestTokenFor, startAnalyses, type AnalysisConfig } from "../../../functions/entities-analysis/core";

const comprehend = mockClient(ComprehendClient);
const client = new ComprehendClient({ region: "us-east-1" });
const CONFIG: AnalysisConfig = {
  bucket: "example-mlz-qa-documents",
  inputPrefix: "entities/input/",
  outputPrefix: "entities/output/",
  dataAccessRoleArn: "arn:aws:iam::555555555555:role/mlz-entities-data-access",
  entityRecognizerArn: "arn:aws:comprehend:us-east-1:555555555555:entity-recognizer/legal-entities/version/v-2026-11-20",
  kmsKeyArn: "arn:aws:kms:us-east-1:555555555555:key/1234abcd-12ab-34cd-56ef-1234567890ab",
};

describe("entities-analysis core", () => {
  beforeEach(() => comprehend.reset());

  it("starts one entities-detection job per PDF, one document per file, with the exact request", async () => {
    comprehend.on(StartEntitiesDetectionJobCommand).resolves({ JobId: "ner-1", JobStatus: "SUBMITTED" });
    const rec = { bucket: CONFIG.bucket, key: "entities/input/Letter 0.pdf", eTag: "abc" };
    const result = await startAnalyses([rec], CONFIG, client);
    assert.deepEqual(result, { started: [{ key: rec.key, jobId: "ner-1", jobName: "mlz-entities/input/Letter 0.pdf" }], rejected: [] });
    assert.deepEqual(comprehend.commandCalls(StartEntitiesDetectionJobCommand)[0].args[0].input, {
      JobName: "mlz-entities/input/Letter 0.pdf",
      InputDataConfig: {
        S3Uri: "s3://example-mlz-qa-documents/entities/input/Letter 0.pdf",
        InputFormat: "ONE_DOC_PER_FILE",
        DocumentReaderConfig: { DocumentReadAction: "TEXTRACT_DETECT_DOCUMENT_TEXT", DocumentReadMode: "SERVICE_DEFAULT" },
      },
      OutputDataConfig: { S3Uri: "s3://example-mlz-qa-documents/entities/output/", KmsKeyId: CONFIG.kmsKeyArn },
      DataAccessRoleArn: CONFIG.dataAccessRoleArn,
      EntityRecognizerArn: CONFIG.entityRecognizerArn,
      LanguageCode: "en",
      ClientRequestToken: requestTokenFor(rec),
      VolumeKmsKeyId: CONFIG.kmsKeyArn,
    });
    assert.match(requestTokenFor(rec), /^[a-f0-9]{64}$/);
  });

  it("reports records that are not PDFs or not under the input prefix, and refused starts", async () => {
    comprehend.on(StartEntitiesDetectionJobCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" }));
    const result = await startAnalyses([
      { bucket: CONFIG.bucket, key: "entities/input/a.docx" },
      { bucket: CONFIG.bucket, key: "elsewhere/b.pdf" },
      { bucket: CONFIG.bucket, key: "entities/input/c.PDF" },
    ], CONFIG, client);
    assert.deepEqual(result.started, []);
    assert.deepEqual(result.rejected, [
      { key: "entities/input/a.docx", reason: "not a PDF (.pdf)" },
      { key: "elsewhere/b.pdf", reason: "not under s3://example-mlz-qa-documents/entities/input/" },
      { key: "entities/input/c.PDF", reason: "StartEntitiesDetectionJob failed (TooManyRequestsException): Rate exceeded" },
    ]);
  });

  it("checks the configuration", () => {
    assert.throws(() => checkAnalysisConfig({ ...CONFIG, entityRecognizerArn: "arn:aws:s3:::x" }), /entityRecognizerArn must be a Comprehend entity-recognizer ARN; got 'arn:aws:s3:::x'/);
    assert.throws(() => checkAnalysisConfig({ ...CONFIG, outputPrefix: "entities/input/out/" }), /must not contain each other/);
  });
});
