import { strict as assert } from "node:assert";
import { mockClient } from "aws-sdk-client-mock";
import { StartTextTranslationJobCommand, TranslateClient, TooManyRequestsException } from "@aws-sdk/client-translate";
import { checkBatchConfig, clientTokenFor, decodeS3Key, jobNameFor, startJobs, type BatchConfig } from "../../../functions/translate-batch/core";

const translate = mockClient(TranslateClient);
const client = new TranslateClient({ region: "us-east-1" });
const CONFIG: BatchConfig = {
  bucket: "example-mlz-qa-translate",
  inputPrefix: "translate/input/",
  outputPrefix: "translate/output/",
  dataAccessRoleArn: "arn:aws:iam::555555555555:role/mlz-translate-data-access",
  sourceLanguage: "auto",
  targetLanguages: ["de", "fr"],
  outputKmsKeyArn: "arn:aws:kms:us-east-1:555555555555:key/1234abcd-12ab-34cd-56ef-1234567890ab",
};

describe("translate-batch core", () => {
  beforeEach(() => translate.reset());

  it("starts one masked job per document with the exact request", async () => {
    translate.on(StartTextTranslationJobCommand).resolves({ JobId: "job-1", JobStatus: "SUBMITTED" });
    const rec = { bucket: CONFIG.bucket, key: "translate/input/chat log 7.txt", versionId: "v1" };
    const result = await startJobs([rec], CONFIG, client);
    assert.deepEqual(result, { started: [{ key: rec.key, jobId: "job-1", jobName: "mlz-translate/input/chat log 7.txt" }], rejected: [] });
    assert.deepEqual(translate.commandCalls(StartTextTranslationJobCommand)[0].args[0].input, {
      JobName: "mlz-translate/input/chat log 7.txt",
      InputDataConfig: { S3Uri: "s3://example-mlz-qa-translate/translate/input/chat log 7.txt", ContentType: "text/plain" },
      OutputDataConfig: { S3Uri: "s3://example-mlz-qa-translate/translate/output/", EncryptionKey: { Type: "KMS", Id: CONFIG.outputKmsKeyArn } },
      DataAccessRoleArn: CONFIG.dataAccessRoleArn,
      SourceLanguageCode: "auto",
      TargetLanguageCodes: ["de", "fr"],
      Settings: { Profanity: "MASK" },
      ClientToken: clientTokenFor(rec),
    });
    assert.match(clientTokenFor(rec), /^[0-9a-f]{64}$/);
    assert.notEqual(clientTokenFor(rec), clientTokenFor({ ...rec, versionId: "v2" }));
  });

  it("picks the content type from the extension and reports unsupported types, foreign keys and failed starts", async () => {
    translate.on(StartTextTranslationJobCommand).resolves({ JobId: "j" });
    translate.on(StartTextTranslationJobCommand, { JobName: "mlz-translate/input/b.docx" }).rejects(new TooManyRequestsException({ message: "slow down", $metadata: {} }));
    const result = await startJobs([
      { bucket: CONFIG.bucket, key: "translate/input/a.HTML" },
      { bucket: CONFIG.bucket, key: "translate/input/b.docx" },
      { bucket: CONFIG.bucket, key: "translate/input/c.pdf" },
      { bucket: CONFIG.bucket, key: "translate/output/d.txt" },
      { bucket: "other", key: "translate/input/e.txt" },
      { bucket: CONFIG.bucket, key: "translate/input/folder/" },
    ], CONFIG, client);
    assert.deepEqual(result.started.map((s) => s.key), ["translate/input/a.HTML"]);
    assert.equal(translate.commandCalls(StartTextTranslationJobCommand)[0].args[0].input.InputDataConfig!.ContentType, "text/html");
    assert.deepEqual(result.rejected, [
      { key: "translate/input/b.docx", reason: "StartTextTranslationJob failed (TooManyRequestsException): slow down" },
      { key: "translate/input/c.pdf", reason: "unsupported document type 'pdf'; expected one of .txt, .html, .htm, .docx, .pptx, .xlsx, .xlf, .xliff" },
      { key: "translate/output/d.txt", reason: "not under s3://example-mlz-qa-translate/translate/input/" },
      { key: "translate/input/e.txt", reason: "not under s3://example-mlz-qa-translate/translate/input/" },
    ]);
  });

  it("decodes S3 event keys and keeps job names within Translate's pattern", () => {
    assert.equal(decodeS3Key("translate/input/chat+log+%C3%A4.txt"), "translate/input/chat log ä.txt");
    assert.equal(jobNameFor("in/a#b?.txt"), "mlz-in/a_b_.txt");
    assert.equal(jobNameFor("x".repeat(400)).length, 256);
  });

  it("refuses configurations that would translate unmasked or loop", () => {
    assert.throws(() => checkBatchConfig({ ...CONFIG, targetLanguages: ["de", "hi"] }), /targetLanguages 'hi' \(Hindi\) is refused: Amazon Translate cannot mask profanity/);
    assert.throws(() => checkBatchConfig({ ...CONFIG, sourceLanguage: "de" }), /holds the source language 'de'/);
    assert.throws(() => checkBatchConfig({ ...CONFIG, outputPrefix: "translate/input/out/" }), /must not contain each other/);
    assert.throws(() => checkBatchConfig({ ...CONFIG, inputPrefix: "input" }), /inputPrefix must be a key prefix/);
    assert.deepEqual(checkBatchConfig({ ...CONFIG, targetLanguages: ["ZH-tw"] }).targetLanguages, ["zh-TW"]);
  });
});
