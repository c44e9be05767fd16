import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { DetectCustomLabelsCommand, RekognitionClient, ResourceNotReadyException } from "@aws-sdk/client-rekognition";
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException, type GetObjectCommandOutput } from "@aws-sdk/client-s3";
import type * as Index from "../../../functions/model-smoke-test/index";

const VERSION = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const APP_ROLE = "arn:aws:iam::555555555555:role/mlz-app-defect-detector";
const ML_ROLE = "arn:aws:iam::444444444444:role/mlz-model-access-prod";

const ENV = {
  AWS_REGION: "us-east-1",
  MODEL_ACCESS_ROLE_ARN: ML_ROLE,
  MODEL_NAMES: "defect-detector",
  APP_ROLE_ARNS: JSON.stringify({ "defect-detector": APP_ROLE }),
  TEST_IMAGE_BUCKET: "mlz-prod-smoke-images",
  TEST_IMAGE_KEY: "smoke/coffee.png",
  // The function's own identity, as Lambda provides it: the image is read with these.
  AWS_ACCESS_KEY_ID: "ASIAFUNCTION",
  AWS_SECRET_ACCESS_KEY: "function-secret",
  AWS_SESSION_TOKEN: "function-token",
};

/** Real image (scikit-image `coffee.png`, see test/fixtures/images/README.md). */
const COFFEE = fs.readFileSync(path.resolve(__dirname, "..", "..", "fixtures", "images", "coffee.png"));
const IMAGE = { Bucket: "mlz-prod-smoke-images", Key: "smoke/coffee.png" };

/** The mixin S3Client puts on GetObject bodies, from the declared client's own configuration. */
const sdkStreamMixin = new S3Client({ region: "us-east-1" }).config.sdkStreamMixin;
const objectOutput = (bytes: Uint8Array): Partial<GetObjectCommandOutput> => ({
  Body: sdkStreamMixin(Readable.from([bytes])) as NonNullable<GetObjectCommandOutput["Body"]>,
  ContentLength: bytes.byteLength,
});

let sts: AwsStub<any, any, any>;
let ssm: AwsStub<any, any, any>;
let rek: AwsStub<any, any, any>;
let s3: AwsStub<any, any, any>;
const creds = (id: string) => ({ AccessKeyId: id, SecretAccessKey: "s", SessionToken: "t", Expiration: new Date("2026-11-26T12:00:00Z") });

/** Captures the JSON log lines written while `fn` runs. */
async function capturingLogs<T>(fn: () => Promise<T>): Promise<{ lines: any[]; outcome: PromiseSettledResult<T> }> {
  const lines: any[] = [];
  const { info, error } = console;
  // Node's own process warnings (e.g. the SDK's Node version notice) are passed through; every
  // other line must be JSON.
  const capture = (pass: (...a: unknown[]) => void) => (s: unknown, ...rest: unknown[]) =>
    typeof s === "string" && s.startsWith("(node:") ? pass(s, ...rest) : lines.push(JSON.parse(String(s)));
  console.info = capture(info);
  console.error = capture(error);
  try {
    const [outcome] = await Promise.allSettled([fn()]);
    return { lines, outcome };
  } finally {
    console.info = info;
    console.error = error;
  }
}

describe("model-smoke-test handler", () => {
  let mod: typeof Index;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    sts = mockClient(STSClient);
    ssm = mockClient(SSMClient);
    rek = mockClient(RekognitionClient);
    s3 = mockClient(S3Client);
    for (const [k, v] of Object.entries(ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    // Required after the environment is set: the module reads it once at load, as at a cold start.
    mod = require("../../../functions/model-smoke-test/index") as typeof Index;
  });

  after(() => {
    sts.restore();
    ssm.restore();
    rek.restore();
    s3.restore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  beforeEach(() => {
    sts.reset();
    ssm.reset();
    rek.reset();
    s3.reset();
    sts.on(AssumeRoleCommand, { RoleArn: APP_ROLE }).resolves({ Credentials: creds("ASIAAPP") });
    sts.on(AssumeRoleCommand, { RoleArn: ML_ROLE }).resolves({ Credentials: creds("ASIAML") });
    ssm.on(GetParameterCommand, { Name: "/mlz/models/defect-detector/arn" }).resolves({ Parameter: { Value: VERSION } });
    rek.on(DetectCustomLabelsCommand).resolves({ CustomLabels: [{ Name: "scratch", Confidence: 88 }] });
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: "AccessDenied", $fault: "client", message: "Access Denied", $metadata: { httpStatusCode: 403 } }));
    s3.on(GetObjectCommand, IMAGE, true).callsFake(() => objectOutput(COFFEE));
  });

  it("reads its configuration once from the environment", () => {
    assert.deepEqual(mod.loadConfig(process.env), {
      region: "us-east-1",
      modelAccessRoleArn: ML_ROLE,
      appRoleArns: { "defect-detector": APP_ROLE },
      parameterPrefix: "/mlz/models",
      modelNames: ["defect-detector"],
      imageBucket: "mlz-prod-smoke-images",
      imageKey: "smoke/coffee.png",
      minConfidence: 50,
    });
  });

  it("answers with the report and logs it as JSON, never the event", async () => {
    const { lines, outcome } = await capturingLogs(() => mod.handler({ model: "defect-detector", secret: "do-not-log" } as any));
    assert.equal(outcome.status, "fulfilled");
    const report = (outcome as PromiseFulfilledResult<any>).value;
    assert.equal(report.versionArn, VERSION);
    assert.deepEqual(report.labels, [{ name: "scratch", confidence: 88 }]);
    assert.equal(typeof report.latencyMs, "number");
    assert.deepEqual(lines.map((l) => [l.level, l.message, l.model]), [
      ["INFO", "smoke test started", "defect-detector"],
      ["INFO", "smoke test passed", "defect-detector"],
    ]);
    assert.deepEqual(lines[1].labels, [{ name: "scratch", confidence: 88 }]);
    assert.equal(JSON.stringify(lines).includes("do-not-log"), false);
    assert.deepEqual(report.image, { bucket: "mlz-prod-smoke-images", key: "smoke/coffee.png", bytes: 466_706 });
    const input = rek.commandCalls(DetectCustomLabelsCommand)[0].args[0].input;
    assert.deepEqual([input.ProjectVersionArn, input.MinConfidence, Object.keys(input.Image ?? {})], [VERSION, 50, ["Bytes"]]);
    assert.ok(Buffer.from(input.Image!.Bytes!).equals(COFFEE), "exactly the file's bytes");
    // Read once, with exactly this request, by an S3 client in the function's region whose
    // credentials come from the default chain: the function's own (here the environment's), not
    // the application's or the ML account's.
    const gets = s3.commandCalls(GetObjectCommand);
    assert.deepEqual(gets.map((c) => c.args[0].input), [IMAGE]);
    const client = gets[0].thisValue as S3Client;
    assert.equal(await client.config.region(), "us-east-1");
    const identity = await client.config.credentials();
    assert.deepEqual([identity.accessKeyId, identity.secretAccessKey, identity.sessionToken], ["ASIAFUNCTION", "function-secret", "function-token"]);
  });

  it("keeps one S3 client for the warm container", async () => {
    await capturingLogs(() => mod.handler({}));
    await capturingLogs(() => mod.handler({}));
    const gets = s3.commandCalls(GetObjectCommand);
    assert.equal(gets.length, 2);
    assert.equal(gets[0].thisValue, gets[1].thisValue);
  });

  it("fails with ImageNotFound or ImageTooLarge before calling the model", async () => {
    s3.on(GetObjectCommand, IMAGE, true).rejects(new NoSuchKey({ message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } }));
    const missing = await capturingLogs(() => mod.handler({}));
    const notFound = (missing.outcome as PromiseRejectedResult).reason as Error;
    assert.equal(notFound.name, "ImageNotFound");
    assert.equal(notFound.message, "test image 's3://mlz-prod-smoke-images/smoke/coffee.png' not found (HTTP 404 NoSuchKey: The specified key does not exist.)");
    assert.equal(missing.lines[1].code, "ImageNotFound");

    s3.on(GetObjectCommand, IMAGE, true).callsFake(() => objectOutput(new Uint8Array(4 * 1024 * 1024 + 1)));
    const big = await capturingLogs(() => mod.handler({}));
    const tooLarge = (big.outcome as PromiseRejectedResult).reason as Error;
    assert.equal(tooLarge.name, "ImageTooLarge");
    assert.equal(big.lines[1].code, "ImageTooLarge");
    assert.equal(rek.calls().length, 0);
  });

  it("uses the default model for an empty event", async () => {
    const { outcome } = await capturingLogs(() => mod.handler({}));
    assert.equal(outcome.status, "fulfilled");
    assert.equal((outcome as PromiseFulfilledResult<any>).value.model, "defect-detector");
  });

  it("fails the invocation with the broken link as the error type and logs it", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "", $metadata: {} }));
    const { lines, outcome } = await capturingLogs(() => mod.handler({ model: "defect-detector" }));
    assert.equal(outcome.status, "rejected");
    const error = (outcome as PromiseRejectedResult).reason as Error;
    assert.equal(error.name, "ParameterMissing");
    assert.equal(error.message, "parameter '/mlz/models/defect-detector/arn' not found: model 'defect-detector' has no version deployed in this environment");
    assert.deepEqual(lines[1], { level: "ERROR", message: "smoke test failed", model: "defect-detector", code: "ParameterMissing", error: error.message });
  });

  it("reports a stopped model distinctly", async () => {
    rek.on(DetectCustomLabelsCommand).rejects(new ResourceNotReadyException({ message: "not ready", $metadata: {} }));
    const { outcome } = await capturingLogs(() => mod.handler({ model: "defect-detector" }));
    const error = (outcome as PromiseRejectedResult).reason as Error;
    assert.equal(error.name, "ModelNotRunning");
    assert.equal(error.message, `model version '${VERSION}' is not running (ResourceNotReadyException): start it in the ML account before testing`);
  });

  it("names the variable at fault", () => {
    const without = (name: string) => Object.fromEntries(Object.entries(ENV).filter(([k]) => k !== name));
    for (const name of ["AWS_REGION", "MODEL_ACCESS_ROLE_ARN", "MODEL_NAMES", "TEST_IMAGE_BUCKET", "TEST_IMAGE_KEY"]) {
      assert.throws(() => mod.loadConfig(without(name)), { message: `environment variable ${name} is required but not set` }, name);
    }
    assert.throws(() => mod.loadConfig({ ...ENV, MODEL_NAMES: " , " }), { message: "environment variable MODEL_NAMES must name at least one model" });
    assert.throws(() => mod.loadConfig({ ...ENV, APP_ROLE_ARNS: "[1]" }), { message: "environment variable APP_ROLE_ARNS must be a JSON object of model → role ARN; got '[1]'" });
    assert.throws(() => mod.loadConfig({ ...ENV, APP_ROLE_ARNS: "{" }), { message: "environment variable APP_ROLE_ARNS must be a JSON object of model → role ARN; got '{'" });
    assert.throws(() => mod.loadConfig({ ...ENV, MIN_CONFIDENCE: "high" }), { message: "environment variable MIN_CONFIDENCE must be a number from 0 to 100; got 'high'" });
    assert.deepEqual(mod.loadConfig({ ...ENV, PARAMETER_PREFIX: "/other", MIN_CONFIDENCE: "75", APP_ROLE_ARNS: "" }).appRoleArns, {});
  });
});
