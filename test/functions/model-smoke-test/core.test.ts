import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
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
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException, type GetObjectCommandOutput } from "@aws-sdk/client-s3";
import {
  IMAGE_READ_TIMEOUT_MS,
  MAX_IMAGE_BYTES,
  runSmokeTest,
  SmokeTestError,
  parameterNameFor,
  sessionName,
  type SmokeTestClients,
  type SmokeTestConfig,
  type TemporaryCredentials,
} from "../../../functions/model-smoke-test/core";

/** Real image (scikit-image `coffee.png`, see test/fixtures/images/README.md): the bytes DetectCustomLabels must get. */
const COFFEE = fs.readFileSync(path.resolve(__dirname, "..", "..", "fixtures", "images", "coffee.png"));
const IMAGE = { Bucket: "mlz-qa-smoke-images", Key: "defect-detector/coffee.png" };
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
let s3: AwsStub<any, any, any>;

/**
 * The mixin S3Client puts on every GetObject body (`transformToByteArray`, …). aws-sdk-client-mock's
 * README takes it from `@smithy/util-stream`, which this repository does not install; the declared
 * S3 client exposes the very same function in its resolved configuration.
 */
const sdkStreamMixin = new S3Client({ region: "us-east-1" }).config.sdkStreamMixin;

type Body = NonNullable<GetObjectCommandOutput["Body"]>;

/**
 * A GetObject answer as the SDK gives it: the bytes as a Node.js stream with the SDK's mixin, and
 * their length as S3 declares it (`null`: no Content-Length).
 */
function objectOutput(bytes: Uint8Array, declaredLength: number | null = bytes.byteLength): Partial<GetObjectCommandOutput> {
  return { Body: sdkStreamMixin(Readable.from([bytes])) as Body, ContentLength: declaredLength ?? undefined, ContentType: "image/png" };
}

/** S3 errors as the SDK raises them (name = S3's error code, HTTP status in `$metadata`). */
const s3Error = (name: string, status: number, message: string) =>
  new S3ServiceException({ name, $fault: status >= 500 ? "server" : "client", message, $metadata: { httpStatusCode: status } });

/** Real SDK clients (their `send` is mocked) made by recording factories. */
function recordingClients() {
  const made: { client: string; credentials?: TemporaryCredentials }[] = [];
  const clients: SmokeTestClients = {
    sts: (credentials) => { made.push({ client: "sts", credentials }); return new STSClient({ region: "us-east-1", credentials }); },
    ssm: (credentials) => { made.push({ client: "ssm", credentials }); return new SSMClient({ region: "us-east-1", credentials }); },
    rekognition: (credentials) => { made.push({ client: "rekognition", credentials }); return new RekognitionClient({ region: "us-east-1", credentials }); },
    s3: () => { made.push({ client: "s3" }); return new S3Client({ region: "us-east-1" }); },
  };
  return { made, clients };
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
  // Only the test image exists; any other key is what S3 says without s3:ListBucket.
  s3.on(GetObjectCommand).rejects(s3Error("AccessDenied", 403, "Access Denied"));
  s3.on(GetObjectCommand, IMAGE, true).callsFake(() => objectOutput(COFFEE));
}

/** The exact GetObject requests sent, and whether each was bounded by a live abort signal. */
function getObjectRequests() {
  return s3.commandCalls(GetObjectCommand).map((c) => {
    const signal = (c.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    return { input: c.args[0].input, bounded: signal?.abortSignal instanceof AbortSignal };
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
    s3 = mockClient(S3Client);
  });

  after(() => {
    sts.restore();
    ssm.restore();
    rek.restore();
    s3.restore();
  });

  beforeEach(() => {
    sts.reset();
    ssm.reset();
    rek.reset();
    s3.reset();
    happyPath();
  });

  it("acts as the application, reads the parameter and the image, crosses into the ML account and reports labels and latency", async () => {
    const { made, clients } = recordingClients();
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

    // The image was read once, with exactly this request, through the S3 client made without credentials (the function's own).
    assert.deepEqual(getObjectRequests(), [{ input: IMAGE, bounded: true }]);
    assert.equal(IMAGE_READ_TIMEOUT_MS, 10_000);

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
    s3.on(GetObjectCommand, IMAGE, true).rejects(new NoSuchKey({ message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } }));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "ImageNotFound");
    assert.equal(e.name, "ImageNotFound");
    assert.equal(e.message, "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' not found (HTTP 404 NoSuchKey: The specified key does not exist.)");
    assert.deepEqual(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn), [APP_ROLE], "never reaches the ML account");
    assert.equal(rek.calls().length, 0);
  });

  it("reports S3's AccessDenied (a missing key without s3:ListBucket looks the same) as ImageNotFound, saying what to check", async () => {
    const e = await failure(runSmokeTest({ model: "defect-detector" }, { ...config, imageKey: "defect-detector/other.png" }, recordingClients().clients, clock()));
    assert.deepEqual(getObjectRequests(), [{ input: { Bucket: "mlz-qa-smoke-images", Key: "defect-detector/other.png" }, bounded: true }]);
    assert.equal(e.code, "ImageNotFound");
    assert.equal(
      e.message,
      "test image 's3://mlz-qa-smoke-images/defect-detector/other.png' not found or not readable by this function (HTTP 403 AccessDenied: Access Denied); check that the key exists and that the function's role may s3:GetObject on it",
    );
    assert.equal(rek.calls().length, 0);
  });

  it("refuses an image S3 declares over DetectCustomLabels' 4 MiB limit without reading it, and lets go of the stream", async () => {
    assert.equal(MAX_IMAGE_BYTES, 4_194_304);
    let pulled = 0;
    const stream = new Readable({ read() { pulled += 1; this.push(Buffer.alloc(1024)); } });
    s3.on(GetObjectCommand, IMAGE, true).resolves({ Body: sdkStreamMixin(stream) as Body, ContentLength: MAX_IMAGE_BYTES + 1 });
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "ImageTooLarge");
    assert.equal(e.name, "ImageTooLarge");
    assert.equal(
      e.message,
      "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' is 4194305 bytes, more than the 4194304 allowed: DetectCustomLabels takes at most 4 MiB of image bytes; use a smaller image",
    );
    assert.equal(pulled, 0, "the body is never read");
    assert.equal(stream.destroyed, true, "the unread body is destroyed, freeing its connection");
    assert.equal(rek.calls().length, 0);
  });

  it("checks the size after reading when S3 states no length", async () => {
    s3.on(GetObjectCommand, IMAGE, true).callsFake(() => objectOutput(new Uint8Array(MAX_IMAGE_BYTES + 1), null));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "ImageTooLarge");
    assert.equal(
      e.message,
      "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' is 4194305 bytes, more than the 4194304 allowed: DetectCustomLabels takes at most 4 MiB of image bytes; use a smaller image",
    );
    assert.equal(rek.calls().length, 0);

    s3.on(GetObjectCommand, IMAGE, true).callsFake(() => objectOutput(COFFEE, null));
    const report = await runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock(1, 2));
    assert.equal(report.image.bytes, 466_706);
    assert.ok(Buffer.from(rek.commandCalls(DetectCustomLabelsCommand)[0].args[0].input.Image!.Bytes!).equals(COFFEE));
  });

  it("accepts an image of exactly 4 MiB", async () => {
    s3.on(GetObjectCommand, IMAGE, true).callsFake(() => objectOutput(new Uint8Array(MAX_IMAGE_BYTES)));
    const report = await runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock(1, 2));
    assert.equal(report.image.bytes, MAX_IMAGE_BYTES);
    assert.equal(rek.commandCalls(DetectCustomLabelsCommand)[0].args[0].input.Image?.Bytes?.byteLength, MAX_IMAGE_BYTES);
  });

  it("reports any other S3 failure as unexpected, naming the image", async () => {
    s3.on(GetObjectCommand, IMAGE, true).rejects(s3Error("SlowDown", 503, "Please reduce your request rate."));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "Unexpected");
    assert.equal(e.message, "reading test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' failed: HTTP 503 SlowDown: Please reduce your request rate.");
    assert.equal(rek.calls().length, 0);
  });

  it("reports a read that never got an answer from S3 (identity, network, timeout) as unexpected", async () => {
    const cases: [Error, string][] = [
      [Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
        "reading test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' failed (CredentialsProviderError): Could not load credentials from any providers"],
      [Object.assign(new Error("Request aborted"), { name: "AbortError" }),
        "reading test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' failed (AbortError): Request aborted"],
    ];
    for (const [error, message] of cases) {
      s3.on(GetObjectCommand, IMAGE, true).rejects(error);
      const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
      assert.deepEqual([e.code, e.message, e.cause], ["Unexpected", message, error]);
    }
  });

  it("reports a body that breaks off or is missing as unexpected", async () => {
    const broken = new Readable({ read() { this.destroy(Object.assign(new Error("aborted"), { code: "ECONNRESET" })); } });
    s3.on(GetObjectCommand, IMAGE, true).resolves({ Body: sdkStreamMixin(broken) as Body });
    const e = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.equal(e.code, "Unexpected");
    assert.equal(e.message, "reading test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' failed while downloading (Error): aborted");

    s3.on(GetObjectCommand, IMAGE, true).resolves({ ContentLength: 0 });
    const none = await failure(runSmokeTest({ model: "defect-detector" }, config, recordingClients().clients, clock()));
    assert.deepEqual([none.code, none.message], ["Unexpected", "reading test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' failed: GetObject returned no body"]);
    assert.equal(rek.calls().length, 0);
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

/**
 * The mapping above relies on what S3Client makes of S3's answers (error names, `$metadata`,
 * `ContentLength`, the body's mixin). Here the real client runs its whole middleware stack
 * (endpoint, signing, deserialization) against a request handler that plays S3 over HTTP.
 */
describe("model smoke test core, reading through the real S3 client", () => {
  interface SentRequest { method: string; hostname: string; path: string; headers: Record<string, string> }
  interface PlayedResponse { statusCode: number; headers?: Record<string, string>; body: string | Uint8Array }

  let stsMock: AwsStub<any, any, any>;
  let ssmMock: AwsStub<any, any, any>;
  let rekMock: AwsStub<any, any, any>;

  before(() => {
    stsMock = mockClient(STSClient);
    ssmMock = mockClient(SSMClient);
    rekMock = mockClient(RekognitionClient);
  });

  after(() => {
    stsMock.restore();
    ssmMock.restore();
    rekMock.restore();
  });

  beforeEach(() => {
    stsMock.reset();
    ssmMock.reset();
    rekMock.reset();
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: ML_CREDS });
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: VERSION } });
    rekMock.on(DetectCustomLabelsCommand).resolves({ CustomLabels: [] });
  });

  /** Clients whose S3 is a real S3Client (function credentials, one attempt) answered by `respond`. */
  function playedS3(respond: (request: SentRequest) => PlayedResponse) {
    const sent: SentRequest[] = [];
    const bodies: Readable[] = [];
    const requestHandler = {
      handle: async (request: SentRequest) => {
        sent.push({ method: request.method, hostname: request.hostname, path: request.path, headers: { ...request.headers } });
        const { statusCode, headers = {}, body } = respond(request);
        bodies.push(Readable.from([Buffer.from(body)]));
        return { response: { statusCode, headers, body: bodies[bodies.length - 1] } };
      },
    };
    const s3Client = new S3Client({ region: "us-east-1", credentials: FUNCTION_CREDS, maxAttempts: 1, requestHandler: requestHandler as never });
    const clients: SmokeTestClients = {
      sts: (credentials) => new STSClient({ region: "us-east-1", credentials }),
      ssm: (credentials) => new SSMClient({ region: "us-east-1", credentials }),
      rekognition: (credentials) => new RekognitionClient({ region: "us-east-1", credentials }),
      s3: () => s3Client,
    };
    return { sent, bodies, clients };
  }

  const xmlError = (statusCode: number, code: string, message: string): PlayedResponse => ({
    statusCode,
    headers: { "content-type": "application/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`,
  });

  it("GETs the object on the regional endpoint, signed with the function's credentials, and sends its exact bytes", async () => {
    const { sent, clients } = playedS3(() => ({ statusCode: 200, headers: { "content-length": String(COFFEE.byteLength), "content-type": "image/png" }, body: COFFEE }));
    const report = await runSmokeTest({ model: "defect-detector" }, { ...config, appRoleArns: {} }, clients, clock(1, 2));
    assert.equal(report.image.bytes, 466_706);
    assert.ok(Buffer.from(rekMock.commandCalls(DetectCustomLabelsCommand)[0].args[0].input.Image!.Bytes!).equals(COFFEE), "exactly the file's bytes");
    assert.deepEqual(sent.map((r) => [r.method, r.hostname, r.path, r.headers["x-amz-security-token"], r.headers.authorization?.split("/")[0]]), [
      ["GET", "mlz-qa-smoke-images.s3.us-east-1.amazonaws.com", "/defect-detector/coffee.png", "function-token", "AWS4-HMAC-SHA256 Credential=ASIAFUNCTION"],
    ]);
  });

  it("addresses a bucket whose name has dots path-style, and encodes the key", async () => {
    const { sent, clients } = playedS3(() => ({ statusCode: 200, body: COFFEE }));
    await runSmokeTest({ model: "defect-detector" }, { ...config, appRoleArns: {}, imageBucket: "images.example.com", imageKey: "smoke/known defect.png" }, clients, clock(1, 2));
    assert.deepEqual(sent.map((r) => [r.hostname, r.path]), [["s3.us-east-1.amazonaws.com", "/images.example.com/smoke/known%20defect.png"]]);
  });

  it("maps S3's own 404, 403 and 503 answers as the SDK raises them", async () => {
    const cases: [PlayedResponse, string, string][] = [
      [xmlError(404, "NoSuchKey", "The specified key does not exist."), "ImageNotFound",
        "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' not found (HTTP 404 NoSuchKey: The specified key does not exist.)"],
      [xmlError(404, "NoSuchBucket", "The specified bucket does not exist"), "ImageNotFound",
        "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' not found (HTTP 404 NoSuchBucket: The specified bucket does not exist)"],
      [xmlError(403, "AccessDenied", "Access Denied"), "ImageNotFound",
        "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' not found or not readable by this function (HTTP 403 AccessDenied: Access Denied); check that the key exists and that the function's role may s3:GetObject on it"],
      [xmlError(403, "InvalidObjectState", "The operation is not valid for the object's storage class"), "ImageNotFound",
        "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' not found or not readable by this function (HTTP 403 InvalidObjectState: The operation is not valid for the object's storage class); check that the key exists and that the function's role may s3:GetObject on it"],
      [xmlError(503, "SlowDown", "Please reduce your request rate."), "Unexpected",
        "reading test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' failed: HTTP 503 SlowDown: Please reduce your request rate."],
    ];
    for (const [response, code, message] of cases) {
      const e = await failure(runSmokeTest({ model: "defect-detector" }, { ...config, appRoleArns: {} }, playedS3(() => response).clients, clock()));
      assert.deepEqual([e.code, e.message], [code, message]);
    }
    assert.equal(rekMock.calls().length, 0);
  });

  it("refuses an object whose Content-Length is over the limit from the headers alone", async () => {
    const { sent, bodies, clients } = playedS3(() => ({ statusCode: 200, headers: { "content-length": String(MAX_IMAGE_BYTES + 1) }, body: COFFEE }));
    const e = await failure(runSmokeTest({ model: "defect-detector" }, { ...config, appRoleArns: {} }, clients, clock()));
    assert.deepEqual([e.code, e.message], [
      "ImageTooLarge",
      "test image 's3://mlz-qa-smoke-images/defect-detector/coffee.png' is 4194305 bytes, more than the 4194304 allowed: DetectCustomLabels takes at most 4 MiB of image bytes; use a smaller image",
    ]);
    assert.equal(sent.length, 1);
    assert.deepEqual(bodies.map((b) => [b.readableDidRead, b.destroyed]), [[false, true]], "the body is never read, and is let go of");
    assert.equal(rekMock.calls().length, 0);
  });
});
