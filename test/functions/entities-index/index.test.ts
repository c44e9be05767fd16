import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { targz } from "../../helpers/targz";
import { mockClient } from "aws-sdk-client-mock";
import { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type * as Index from "../../../functions/entities-index/index";

/** The mixin S3Client puts on every GetObject body (`transformToByteArray`). */
const sdkStreamMixin = new S3Client({ region: "us-east-1" }).config.sdkStreamMixin;

const ANN = path.resolve(__dirname, "..", "..", "fixtures", "legal", "annotations", "Letter 0-1-ccf1b225-ann.json");
const ENV = { AWS_REGION: "us-east-1", BUCKET: "example-mlz-qa-documents", OUTPUT_PREFIX: "entities/output/", INDEX_PREFIX: "entities/index/", KMS_KEY_ARN: "arn:aws:kms:us-east-1:555555555555:key/k" };
const KEY = "entities/output/555555555555-NER-0a1b2c/output/output.tar.gz";

const event = (key: string) => ({ Records: [{ s3: { bucket: { name: ENV.BUCKET }, object: { key: encodeURIComponent(key).replace(/%2F/g, "/") } } }] }) as any;

describe("entities-index handler", () => {
  let mod: typeof Index;
  const s3 = mockClient(S3Client);
  before(() => {
    Object.assign(process.env, ENV);
    mod = require("../../../functions/entities-index/index") as typeof Index;
  });
  after(() => {
    for (const k of Object.keys(ENV)) delete process.env[k];
  });
  beforeEach(() => s3.reset());

  it("writes one KMS-encrypted index per document under the job folder", async () => {
    const ann = JSON.parse(fs.readFileSync(ANN, "utf8"));
    const archive = await targz([{ name: "Letter 0.pdf.out", content: JSON.stringify({ ...ann, File: "Letter 0.pdf" }) }]);
    s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([archive])) as any });
    s3.on(PutObjectCommand).resolves({});
    const handler = mod.createHandler(mod.loadConfig(process.env), new S3Client({ region: "us-east-1" }));
    const out = await handler(event(KEY));
    assert.deepEqual(out, { written: ["entities/index/555555555555-NER-0a1b2c/Letter 0.pdf.json"] });
    assert.deepEqual(s3.commandCalls(GetObjectCommand)[0].args[0].input, { Bucket: ENV.BUCKET, Key: KEY });
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    assert.equal(put.Key, "entities/index/555555555555-NER-0a1b2c/Letter 0.pdf.json");
    assert.equal(put.ServerSideEncryption, "aws:kms");
    assert.equal(put.SSEKMSKeyId, ENV.KMS_KEY_ARN);
    const doc = JSON.parse(String(put.Body));
    assert.equal(doc.document, "Letter 0.pdf");
    assert.equal(doc.entities.length, ann.Entities.length);
    assert.deepEqual(Object.keys(doc.entities[0]), ["type", "text", "score", "page", "position"]);
  });

  it("writes nothing when one document of the archive is bad", async () => {
    const ann = JSON.parse(fs.readFileSync(ANN, "utf8"));
    const archive = await targz([
      { name: "Letter 0.pdf.out", content: JSON.stringify({ ...ann, File: "Letter 0.pdf" }) },
      { name: "Letter 1.pdf.out", content: "{\"File\": \"Letter 1.pdf\", \"Entities\": [" },
    ]);
    s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([archive])) as any });
    const handler = mod.createHandler(mod.loadConfig(process.env), new S3Client({ region: "us-east-1" }));
    await assert.rejects(handler(event(KEY)), /Letter 1\.pdf\.out: is not JSON/);
    assert.equal(s3.commandCalls(PutObjectCommand).length, 0);
  });
});
