import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { DetectCustomLabelsCommand, RekognitionClient, ResourceNotReadyException } from "@aws-sdk/client-rekognition";
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
const IMAGE_URL = "https://mlz-prod-smoke-images.s3.us-east-1.amazonaws.com/smoke/coffee.png";

/**
 * Stands in for the network under the module's own wiring (global `fetch`, default credential
 * chain): answers `s3` for every request and records them.
 */
const s3 = {
  sent: [] as { url: string; method?: string; headers: Record<string, string> }[],
  respond: (_url: string): Response => new Response(null, { status: 500 }),
};
const realFetch = globalThis.fetch;

let sts: AwsStub<any, any, any>;
let ssm: AwsStub<any, any, any>;
let rek: AwsStub<any, any, any>;
const creds = (id: string) => ({ AccessKeyId: id, SecretAccessKey: "s", SessionToken: "t", Expiration: new Date("2026-11-26T12:00:00Z") });

/** Captures the JSON log lines written while `fn` runs. */
async function capturingLogs<T>(fn: () => Promise<T>): Promise<{ lines: any[]; outcome: PromiseSettledResult<T> }> {
  const lines: any[] = [];
  const { log, error } = console;
  // Node's own process warnings (e.g. the SDK's Node version notice) are passed through; every
  // other line must be JSON.
  const capture = (pass: (...a: unknown[]) => void) => (s: unknown, ...rest: unknown[]) =>
    typeof s === "string" && s.startsWith("(node:") ? pass(s, ...rest) : lines.push(JSON.parse(String(s)));
  console.log = capture(log);
  console.error = capture(error);
  try {
    const [outcome] = await Promise.allSettled([fn()]);
    return { lines, outcome };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe("model-smoke-test handler", () => {
  let mod: typeof Index;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    globalThis.fetch = (async (url: string, init: { method?: string; headers: Record<string, string> }) => {
      s3.sent.push({ url: String(url), method: init.method, headers: { ...init.headers } });
      return s3.respond(String(url));
    }) as typeof fetch;
    sts = mockClient(STSClient);
    ssm = mockClient(SSMClient);
    rek = mockClient(RekognitionClient);
    for (const [k, v] of Object.entries(ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    // Required after the environment is set: the module reads it once at load, as at a cold start.
    mod = require("../../../functions/model-smoke-test/index") as typeof Index;
  });

  after(() => {
    globalThis.fetch = realFetch;
    sts.restore();
    ssm.restore();
    rek.restore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  beforeEach(() => {
    sts.reset();
    ssm.reset();
    rek.reset();
    sts.on(AssumeRoleCommand, { RoleArn: APP_ROLE }).resolves({ Credentials: creds("ASIAAPP") });
    sts.on(AssumeRoleCommand, { RoleArn: ML_ROLE }).resolves({ Credentials: creds("ASIAML") });
    ssm.on(GetParameterCommand, { Name: "/mlz/models/defect-detector/arn" }).resolves({ Parameter: { Value: VERSION } });
    rek.on(DetectCustomLabelsCommand).resolves({ CustomLabels: [{ Name: "scratch", Confidence: 88 }] });
    s3.sent = [];
    s3.respond = (url) => url === IMAGE_URL
      ? new Response(COFFEE, { status: 200, headers: { "content-length": String(COFFEE.byteLength) } })
      : new Response("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", { status: 403 });
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
      ["info", "smoke test started", "defect-detector"],
      ["info", "smoke test passed", "defect-detector"],
    ]);
    assert.deepEqual(lines[1].labels, [{ name: "scratch", confidence: 88 }]);
    assert.equal(JSON.stringify(lines).includes("do-not-log"), false);
    assert.deepEqual(report.image, { bucket: "mlz-prod-smoke-images", key: "smoke/coffee.png", bytes: 466_706 });
    const input = rek.commandCalls(DetectCustomLabelsCommand)[0].args[0].input;
    assert.deepEqual([input.ProjectVersionArn, input.MinConfidence, Object.keys(input.Image ?? {})], [VERSION, 50, ["Bytes"]]);
    assert.ok(Buffer.from(input.Image!.Bytes!).equals(COFFEE), "exactly the file's bytes");
    // Read with the function's own credentials from the environment, not the application's or the ML account's.
    assert.deepEqual(s3.sent.map((r) => [r.url, r.method, r.headers["x-amz-security-token"], r.headers.authorization.split("/")[0]]), [
      [IMAGE_URL, "GET", "function-token", "AWS4-HMAC-SHA256 Credential=ASIAFUNCTION"],
    ]);
  });

  it("fails with ImageNotFound or ImageTooLarge before calling the model", async () => {
    s3.respond = () => new Response("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>", { status: 404 });
    const missing = await capturingLogs(() => mod.handler({}));
    const notFound = (missing.outcome as PromiseRejectedResult).reason as Error;
    assert.equal(notFound.name, "ImageNotFound");
    assert.equal(notFound.message, "test image 's3://mlz-prod-smoke-images/smoke/coffee.png' not found (HTTP 404 NoSuchKey: The specified key does not exist.)");
    assert.equal(missing.lines[1].code, "ImageNotFound");

    s3.respond = () => new Response(new Uint8Array(4 * 1024 * 1024 + 1), { status: 200, headers: { "content-length": String(4 * 1024 * 1024 + 1) } });
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
    assert.deepEqual(lines[1], { level: "error", message: "smoke test failed", model: "defect-detector", code: "ParameterMissing", error: error.message });
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
