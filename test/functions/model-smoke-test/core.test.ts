import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { GetParameterCommand, ParameterNotFound, SSMClient, AccessDeniedException as SsmAccessDenied } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import {
  DetectCustomLabelsCommand,
  ImageTooLargeException,
  InvalidImageFormatException,
  RekognitionClient,
  ResourceNotFoundException,
  ResourceNotReadyException,
  AccessDeniedException as RekAccessDenied,
  ThrottlingException,
} from "@aws-sdk/client-rekognition";
import {
  MAX_IMAGE_BYTES,
  runSmokeTest,
  SmokeTestError,
  parameterNameFor,
  sessionName,
  type SmokeTestClients,
  type SmokeTestConfig,
  type TemporaryCredentials,
} from "../../../functions/model-smoke-test/core";
import { getS3Object, type FetchLike } from "../../../functions/model-smoke-test/s3-object";

/** Real image (scikit-image `coffee.png`, see test/fixtures/images/README.md): the bytes DetectCustomLabels must get. */
const COFFEE = fs.readFileSync(path.resolve(__dirname, "..", "..", "fixtures", "images", "coffee.png"));
const IMAGE_URL = "https://mlz-qa-smoke-images.s3.us-east-1.amazonaws.com/defect-detector/coffee.png";
const FUNCTION_CREDS = { accessKeyId: "ASIAFUNCTION", secretAccessKey: "function-secret", sessionToken: "function-token" };

const VERSION = "arn:aws:rekognition:us-east-1:444444444444:project/defect-detector/version/defect-detector.2026-11-02T10.15.00/1762078500000";
const APP_ROLE = "arn:aws:iam::555555555555:role/mlz-app-defect-detector";
const ML_ROLE = "arn:aws:iam::444444444444:role/mlz-model-access-qa";
const EXPIRES = new Date("2026-11-26T12:00:00Z");
const APP_CREDS = { AccessKeyId: "ASIAAPP", SecretAccessKey: "app-secret", SessionToken: "app-token", Expiration: EXPIRES };
const ML_CREDS = { AccessKeyId: "ASIAML", SecretAccessKey: "ml-secret", SessionToken: "ml-token", Expiration: EXPIRES };

const config: SmokeTestConfig = {
  region: "us-east-1",
  modelAccessRoleArn: ML_ROLE,
  appRoleArns: { "defect-detector": APP_ROLE },
  parameterPrefix: "/mlz/models",
  modelNames: ["defect-detector", "scratch-finder"],
  imageBucket: "mlz-qa-smoke-images",
  imageKey: "defect-detector/coffee.png",
  minConfidence: 60,
};

let sts: AwsStub<any, any, any>;
let ssm: AwsStub<any, any, any>;
let rek: AwsStub<any, any, any>;

const pngResponse = (body: Uint8Array) =>
  new Response(body, { status: 200, headers: { "content-length": String(body.byteLength), "content-type": "image/png" } });

const s3Error = (status: number, code: string, message: string) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId></Error>`, { status });

/**
 * Real SDK clients (their `send` is mocked) made by recording factories; objects are read by the
 * real signed GET against a recording fetch that serves the coffee image at IMAGE_URL.
 */
function recordingClients(s3: (url: string) => Response = (url) => (url === IMAGE_URL ? pngResponse(COFFEE) : s3Error(403, "AccessDenied", "Access Denied"))) {
  const made: { client: string; credentials?: TemporaryCredentials }[] = [];
  const sent: { url: string; headers: Record<string, string> }[] = [];
  const fetch: FetchLike = async (url, init) => { sent.push({ url, headers: init.headers }); return s3(url); };
  const clients: SmokeTestClients = {
    sts: (credentials) => { made.push({ client: "sts", credentials }); return new STSClient({ region: "us-east-1", credentials }); },
    ssm: (credentials) => { made.push({ client: "ssm", credentials }); return new SSMClient({ region: "us-east-1", credentials }); },
    rekognition: (credentials) => { made.push({ client: "rekognition", credentials }); return new RekognitionClient({ region: "us-east-1", credentials }); },
    readObject: (bucket, key, maxBytes) => {
      made.push({ client: "s3" });
      return getS3Object({ region: "us-east-1", bucket, key, maxBytes, credentials: async () => FUNCTION_CREDS, fetch, now: () => new Date("2026-11-26T12:00:00Z") });
    },
  };
  return { made, sent, clients };
}

function clock(...times: number[]) {
  return { now: () => { const t = times.shift(); if (t === undefined) throw new Error("clock read too often"); return t; } };
}

function happyPath(): void {
  sts.on(AssumeRoleCommand, { RoleArn: APP_ROLE }).resolves({ Credentials: APP_CREDS });
  sts.on(AssumeRoleCommand, { RoleArn: ML_ROLE }).resolves({ Credentials: ML_CREDS });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: "/mlz/models/defect-detector/arn", Value: VERSION, Type: "String" } });
  rek.on(DetectCustomLabelsCommand).resolves({
    CustomLabels: [{ Name: "scratch", Confidence: 97.25 }, { Name: "dent", Confidence: 61.5 }],
  });
}

const awsError = (name: string, message: string) =>
  new STSServiceException({ name, message, $fault: "client", $metadata: { httpStatusCode: 403 } });

async function failure(run: Promise<unknown>): Promise<SmokeTestError> {
  try {
    await run;
  } catch (e) {
    assert.ok(e instanceof SmokeTestError, `expected a SmokeTestError, got ${e}`);
    return e;
  }
  throw new Error("expected the smoke test to fail");
}

describe("model smoke test core", () => {
  before(() => {
    sts = mockClient(STSClient);
    ssm = mockClient(SSMClient);
    rek = mockClient(RekognitionClient);
  });

  after(() => {
    sts.restore();
    ssm.restore();
    rek.restore();
  });

  beforeEach(() => {
    sts.reset();
    ssm.reset();
    rek.reset();
    happyPath();
  });

  it("acts as the application, reads the parameter and the image, crosses into the ML account and reports labels and latency", async () => {
    const { made, sent, clients } = recordingClients();
    const report = await runSmokeTest({ model: "defect-detector" }, config, clients, clock(1_000, 1_137));

    assert.deepEqual(report, {
      model: "defect-detector",
      versionArn: VERSION,
      parameterName: "/mlz/models/defect-detector/arn",
      image: { bucket: "mlz-qa-smoke-images", key: "defect-detector/coffee.png", bytes: 466_706 },
      labels: [{ name: "scratch", confidence: 97.25 }, { name: "dent", confidence: 61.5 }],
      latencyMs: 137,
    });

    const assumes = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    assert.deepEqual(assumes, [
      { RoleArn: APP_ROLE, RoleSessionName: "mlz-smoke-defect-detector", DurationSeconds: 900 },
      { RoleArn: ML_ROLE, RoleSessionName: "mlz-smoke-defect-detector", DurationSeconds: 900 },
    ]);
    assert.deepEqual(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input), [{ Name: "/mlz/models/defect-detector/arn" }]);
    const detects = rek.commandCalls(DetectCustomLabelsCommand).map((c) => c.args[0].input);
    assert.equal(detects.length, 1);
    const { Image, ...rest } = detects[0];
    assert.deepEqual(rest, { ProjectVersionArn: VERSION, MinConfidence: 60 });
    assert.deepEqual(Object.keys(Image ?? {}), ["Bytes"], "the image goes as bytes, never as an S3 object the ML role would have to read");
    assert.ok(Image?.Bytes instanceof Uint8Array);
    assert.ok(Buffer.from(Image.Bytes).equals(COFFEE), "exactly the file's bytes");

    // The image was read once, in this account, signed with the function's own credentials.
    assert.deepEqual(sent.map((r) => [r.url, r.headers["x-amz-security-token"], r.headers.authorization.split(",")[0]]), [
      [IMAGE_URL, "function-token", "AWS4-HMAC-SHA256 Credential=ASIAFUNCTION/20261126/us-east-1/s3/aws4_request"],
    ]);

    const app = { accessKeyId: "ASIAAPP", secretAccessKey: "app-secret", sessionToken: "app-token", expiration: EXPIRES };
    const ml = { accessKeyId: "ASIAML", secretAccessKey: "ml-secret", sessionToken: "ml-token", expiration: EXPIRES };
    assert.deepEqual(made, [
      { client: "sts", credentials: undefined },
      { client: "ssm", credentials: app },
      { client: "s3" },
      { client: "sts", credentials: app },
      { client: "rekognition", credentials: ml },
    ]);
  });

  it("defaults to the first model and, without an application role, uses the function's own identity", async () => {
    const { made, clients } = recordingClients();
    const report = await runSmokeTest({}, { ...config, appRoleArns: {} }, clients, clock(5, 5));
    assert.equal(report.model, "defect-detector");
    assert.equal(report.latencyMs, 0);
    assert.deepEqual(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn), [ML_ROLE]);
    assert.deepEqual(made.map((m) => [m.client, m.credentials?.accessKeyId]), [["ssm", undefined], ["s3", undefined], ["sts", undefined], ["rekognition", "ASIAML"]]);
  });

  it("refuses a model it does not cover", async () => {
    const e = await failure(runSmokeTest({ model: "bikeshare" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "UnknownModel");
    assert.equal(e.name, "UnknownModel");
    assert.equal(e.message, "model 'bikeshare' is not one this smoke test covers (MODEL_NAMES: defect-detector, scratch-finder)");
    assert.equal(sts.calls().length + ssm.calls().length + rek.calls().length, 0);
  });

  it("fails when the application role cannot be assumed", async () => {
    sts.on(AssumeRoleCommand, { RoleArn: APP_ROLE }).rejects(awsError("AccessDenied", "not authorized to perform sts:AssumeRole"));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "AppRoleDenied");
    assert.equal(e.message, `AssumeRole denied for application role '${APP_ROLE}' (AccessDenied): not authorized to perform sts:AssumeRole`);
    assert.equal(ssm.calls().length, 0);
  });

  it("fails when the parameter is missing", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "", $metadata: {} }));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "ParameterMissing");
    assert.equal(e.message, "parameter '/mlz/models/defect-detector/arn' not found: model 'defect-detector' has no version deployed in this environment");
    assert.equal(sts.commandCalls(AssumeRoleCommand).length, 1, "never reaches the ML account");
    assert.equal(rek.calls().length, 0);
  });

  it("fails when the parameter may not be read", async () => {
    ssm.on(GetParameterCommand).rejects(new SsmAccessDenied({ message: "no identity-based policy allows the ssm:GetParameter action", Message: "no identity-based policy allows the ssm:GetParameter action", $metadata: {} }));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "ParameterDenied");
    assert.equal(e.message, "not allowed to read parameter '/mlz/models/defect-detector/arn' (AccessDeniedException): no identity-based policy allows the ssm:GetParameter action");
  });

  it("fails when the parameter holds something else than a Rekognition version", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: "arn:aws:sagemaker:us-east-1:444444444444:model/x" } });
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "ParameterInvalid");
    assert.equal(e.message, "parameter '/mlz/models/defect-detector/arn' holds 'arn:aws:sagemaker:us-east-1:444444444444:model/x', which is not a Rekognition project-version ARN");
  });

  it("fails when the version is in another region than the function's endpoint", async () => {
    const elsewhere = VERSION.replace("us-east-1", "eu-west-1");
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: elsewhere } });
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "RegionMismatch");
    assert.equal(e.message, `model version '${elsewhere}' is in region eu-west-1, but this function reaches Rekognition only in us-east-1 through its VPC endpoint`);
  });

  it("fails when the ML account's role denies AssumeRole", async () => {
    sts.on(AssumeRoleCommand, { RoleArn: ML_ROLE }).rejects(awsError("AccessDenied", "User: arn:aws:sts::555555555555:assumed-role/mlz-app-defect-detector/mlz-smoke-defect-detector is not authorized to perform: sts:AssumeRole"));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "ModelAccessRoleDenied");
    assert.equal(
      e.message,
      `AssumeRole denied for the ML account's model access role '${ML_ROLE}' (AccessDenied): User: arn:aws:sts::555555555555:assumed-role/mlz-app-defect-detector/mlz-smoke-defect-detector is not authorized to perform: sts:AssumeRole`,
    );
    assert.equal(rek.calls().length, 0);
  });

  it("fails when the model version is not running", async () => {
    rek.on(DetectCustomLabelsCommand).rejects(new ResourceNotReadyException({ message: "The requested resource isn't ready.", $metadata: {} }));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock(1, 2)));
    assert.equal(e.code, "ModelNotRunning");
    assert.equal(e.message, `model version '${VERSION}' is not running (ResourceNotReadyException): start it in the ML account before testing`);
  });

  it("fails when the model version does not exist", async () => {
    rek.on(DetectCustomLabelsCommand).rejects(new ResourceNotFoundException({ message: "project version not found", $metadata: {} }));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock(1, 2)));
    assert.equal(e.code, "ModelNotFound");
    assert.equal(e.message, `model version '${VERSION}' does not exist (ResourceNotFoundException): project version not found`);
  });

  it("fails when the test image is not there, before crossing into the ML account", async () => {
    const { clients } = recordingClients(() => s3Error(404, "NoSuchKey", "The specified key does not exist."));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, clients, clock()));
    assert.equal(e.code, "ImageNotFound");
    assert.equal(e.name, "ImageNotFound");
    assert.equal(e.message, "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' not found (HTTP 404 NoSuchKey: The specified key does not exist.)");
    assert.deepEqual(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn), [APP_ROLE], "never reaches the ML account");
    assert.equal(rek.calls().length, 0);
  });

  it("reports S3's AccessDenied (a missing key without s3:ListBucket looks the same) as ImageNotFound, saying what to check", async () => {
    const { sent, clients } = recordingClients();
    const e = await failure(runSmokeTest({ model: "defect-detector" }, { ...config, imageKey: "defect-detector/other.png" }, clients, clock()));
    assert.equal(sent[0].url, "https://mlz-qa-smoke-images.s3.us-east-1.amazonaws.com/defect-detector/other.png");
    assert.equal(e.code, "ImageNotFound");
    assert.equal(
      e.message,
      "test image 's3://mlz-qa-smoke-images/defect-detector/other.png' not found or not readable by this function (HTTP 403 AccessDenied: Access Denied); check that the key exists and that the function's role may s3:GetObject on it",
    );
    assert.equal(rek.calls().length, 0);
  });

  it("refuses an image over DetectCustomLabels' 4 MiB limit without calling the model", async () => {
    assert.equal(MAX_IMAGE_BYTES, 4_194_304);
    const { clients } = recordingClients(() => pngResponse(new Uint8Array(MAX_IMAGE_BYTES + 1)));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, clients, clock()));
    assert.equal(e.code, "ImageTooLarge");
    assert.equal(e.name, "ImageTooLarge");
    assert.equal(
      e.message,
      "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' is 4194305 bytes, more than the 4194304 allowed: DetectCustomLabels takes at most 4 MiB of image bytes; use a smaller image",
    );
    assert.equal(rek.calls().length, 0);
  });

  it("accepts an image of exactly 4 MiB", async () => {
    const { clients } = recordingClients(() => pngResponse(new Uint8Array(MAX_IMAGE_BYTES)));
    const report = await runSmokeTest({ model: "defect-detector" }, config, clients, clock(1, 2));
    assert.equal(report.image.bytes, MAX_IMAGE_BYTES);
    assert.equal(rek.commandCalls(DetectCustomLabelsCommand)[0].args[0].input.Image?.Bytes?.byteLength, MAX_IMAGE_BYTES);
  });

  it("reports any other S3 failure as unexpected, naming the image", async () => {
    const { clients } = recordingClients(() => s3Error(503, "SlowDown", "Please reduce your request rate."));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, clients, clock()));
    assert.equal(e.code, "Unexpected");
    assert.equal(e.message, "reading test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' failed: HTTP 503 SlowDown: Please reduce your request rate.");
  });

  it("maps Rekognition's own image refusals", async () => {
    rek.on(DetectCustomLabelsCommand).rejects(new ImageTooLargeException({ message: "Image size is too large.", $metadata: {} }));
    const big = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock(1, 2)));
    assert.equal(big.code, "ImageTooLarge");
    assert.equal(big.message, "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' (466706 bytes) is too large for DetectCustomLabels (ImageTooLargeException): Image size is too large.");
    rek.on(DetectCustomLabelsCommand).rejects(new InvalidImageFormatException({ message: "Request has invalid image format", $metadata: {} }));
    const bad = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock(1, 2)));
    assert.equal(bad.code, "ImageInvalid");
    assert.equal(bad.message, "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' is not an image DetectCustomLabels accepts: PNG or JPEG (InvalidImageFormatException): Request has invalid image format");
  });

  it("fails when the ML role may not call the version", async () => {
    rek.on(DetectCustomLabelsCommand).rejects(new RekAccessDenied({ message: "not authorized to perform rekognition:DetectCustomLabels", $metadata: {} }));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock(1, 2)));
    assert.equal(e.code, "DetectDenied");
    assert.equal(e.message, `not allowed to call DetectCustomLabels on '${VERSION}' (AccessDeniedException): not authorized to perform rekognition:DetectCustomLabels`);
  });

  it("reports any other error with the step that failed", async () => {
    rek.on(DetectCustomLabelsCommand).rejects(new ThrottlingException({ message: "slow down", $metadata: {} }));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock(1, 2)));
    assert.equal(e.code, "Unexpected");
    assert.equal(e.message, `DetectCustomLabels on '${VERSION}' failed (ThrottlingException): slow down`);
  });

  it("names parameters and sessions safely", () => {
    assert.equal(parameterNameFor("/mlz/models/", "a"), "/mlz/models/a/arn");
    assert.equal(sessionName("a".repeat(80)), `mlz-smoke-${"a".repeat(54)}`);
  });
});
