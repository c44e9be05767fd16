/**
 * Model smoke test: proves that an environment can reach its model through every link the
 * application uses, and reports what the model says about a known test image.
 *
 *   1. (optional) assume the model's application role, so the test runs with the application's
 *      own permissions and nothing more;
 *   2. read the model-version ARN from SSM (`<prefix>/<model>/arn`);
 *   3. read the test image from S3 in this (the consumer) account, with the function's own role,
 *      which may `s3:GetObject` exactly that object;
 *   4. assume the ML account's model access role;
 *   5. call Rekognition DetectCustomLabels with those credentials on the image's bytes.
 *
 * The image goes as `Image.Bytes`, not `Image.S3Object`: with an S3 object Rekognition reads the
 * image with the caller's permissions, and the caller here is the ML account's role, which has
 * (and should have) no access to this account's buckets.
 *
 * Every broken link fails with a `SmokeTestError` whose `code` names it. Pure orchestration over
 * injected clients and an injected clock; no environment access here.
 */
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { DetectCustomLabelsCommand, type RekognitionClient } from "@aws-sdk/client-rekognition";
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";

/**
 * Largest image DetectCustomLabels accepts as bytes: 4 MB ("the maximum image size you can pass to
 * DetectCustomLabels is 4MB", Rekognition API reference, `Image.Bytes`), read as 4 MiB; should the
 * service count decimal megabytes, its own ImageTooLargeException maps to the same failure.
 */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

/** The test image's GetObject (the SDK's retries included) is abandoned after this long. */
export const IMAGE_READ_TIMEOUT_MS = 10_000;

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/** Client factories; `credentials` undefined means the function's own identity. */
export interface SmokeTestClients {
  sts(credentials?: TemporaryCredentials): STSClient;
  ssm(credentials?: TemporaryCredentials): SSMClient;
  rekognition(credentials: TemporaryCredentials): RekognitionClient;
  /**
   * S3 in this account and region, always as the function's own identity (never an assumed role):
   * reads the test image, which the function's role may `s3:GetObject` and nothing else may need.
   */
  s3(): S3Client;
}

export interface Clock {
  /** Milliseconds, monotonic enough for a latency measurement. */
  now(): number;
}

export interface SmokeTestConfig {
  /** Region the function runs in: Rekognition is reached only there, through the VPC endpoint. */
  region: string;
  /** ARN of the ML account's role this environment assumes. */
  modelAccessRoleArn: string;
  /** Application role to act as, by model; a model without one is tested with the function's own role. */
  appRoleArns: Record<string, string>;
  /** Parameter names are `<parameterPrefix>/<model>/arn`. */
  parameterPrefix: string;
  /** Models this function may test; the first is the default. */
  modelNames: string[];
  imageBucket: string;
  imageKey: string;
  /** DetectCustomLabels MinConfidence (0–100). */
  minConfidence: number;
}

export interface SmokeTestRequest {
  /** Model to test. Defaults to the first of `modelNames`. */
  model?: string;
}

export interface SmokeTestReport {
  model: string;
  versionArn: string;
  parameterName: string;
  /** The test image and its size in bytes (what was sent to DetectCustomLabels). */
  image: { bucket: string; key: string; bytes: number };
  labels: { name: string; confidence: number }[];
  /** Round trip of the DetectCustomLabels call. */
  latencyMs: number;
}

export type SmokeTestFailure =
  | "UnknownModel"
  | "AppRoleDenied"
  | "ParameterMissing"
  | "ParameterDenied"
  | "ParameterInvalid"
  | "RegionMismatch"
  | "ModelAccessRoleDenied"
  | "ModelNotRunning"
  | "ModelNotFound"
  | "DetectDenied"
  | "ImageNotFound"
  | "ImageTooLarge"
  | "ImageInvalid"
  | "Unexpected";

export class SmokeTestError extends Error {
  constructor(
    public readonly code: SmokeTestFailure,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    // Lambda reports `name` as errorType: the caller sees which link broke.
    this.name = code;
  }
}

const REKOGNITION_VERSION_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):rekognition:([a-z0-9-]+):(\d{12}):project\/[a-zA-Z0-9_.-]+\/version\/[a-zA-Z0-9_.-]+\/\d{13}$/;

/** `<prefix>/<model>/arn`, tolerating a trailing slash on the prefix. */
export function parameterNameFor(prefix: string, model: string): string {
  return `${prefix.replace(/\/+$/, "")}/${model}/arn`;
}

/** STS session names: at most 64 characters of `[\w+=,.@-]`. */
export function sessionName(model: string): string {
  return `mlz-smoke-${model}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}

function errorName(e: unknown): string {
  const err = e as { name?: string; Code?: string; code?: string };
  return err?.name ?? err?.Code ?? err?.code ?? "Error";
}

function errorMessage(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

function toCredentials(c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined, roleArn: string): TemporaryCredentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new SmokeTestError("Unexpected", `AssumeRole of '${roleArn}' returned no credentials`);
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}

const DENIED = new Set(["AccessDenied", "AccessDeniedException"]);

async function assumeRole(
  sts: STSClient,
  roleArn: string,
  model: string,
  deniedCode: SmokeTestFailure,
  what: string,
): Promise<TemporaryCredentials> {
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName(model), DurationSeconds: 900 }));
    return toCredentials(out.Credentials, roleArn);
  } catch (e) {
    if (e instanceof SmokeTestError) throw e;
    const name = errorName(e);
    if (DENIED.has(name)) {
      throw new SmokeTestError(deniedCode, `AssumeRole denied for ${what} '${roleArn}' (${name}): ${errorMessage(e)}`, e);
    }
    throw new SmokeTestError("Unexpected", `AssumeRole of ${what} '${roleArn}' failed (${name}): ${errorMessage(e)}`, e);
  }
}

export async function runSmokeTest(
  request: SmokeTestRequest,
  config: SmokeTestConfig,
  clients: SmokeTestClients,
  clock: Clock = { now: () => Date.now() },
): Promise<SmokeTestReport> {
  const model = request.model ?? config.modelNames[0];
  if (!model || !config.modelNames.includes(model)) {
    throw new SmokeTestError(
      "UnknownModel",
      `model '${model ?? ""}' is not one this smoke test covers (MODEL_NAMES: ${config.modelNames.join(", ") || "none"})`,
    );
  }

  // 1. Act as the application.
  const appRoleArn = config.appRoleArns[model];
  const appCredentials = appRoleArn
    ? await assumeRole(clients.sts(), appRoleArn, model, "AppRoleDenied", "application role")
    : undefined;

  // 2. Which version does this environment run?
  const parameterName = parameterNameFor(config.parameterPrefix, model);
  let versionArn: string;
  try {
    const out = await clients.ssm(appCredentials).send(new GetParameterCommand({ Name: parameterName }));
    versionArn = out.Parameter?.Value ?? "";
  } catch (e) {
    const name = errorName(e);
    if (name === "ParameterNotFound") {
      throw new SmokeTestError("ParameterMissing", `parameter '${parameterName}' not found: model '${model}' has no version deployed in this environment`, e);
    }
    if (DENIED.has(name)) {
      throw new SmokeTestError("ParameterDenied", `not allowed to read parameter '${parameterName}' (${name}): ${errorMessage(e)}`, e);
    }
    throw new SmokeTestError("Unexpected", `GetParameter '${parameterName}' failed (${name}): ${errorMessage(e)}`, e);
  }
  const parsed = REKOGNITION_VERSION_ARN.exec(versionArn);
  if (!parsed) {
    throw new SmokeTestError("ParameterInvalid", `parameter '${parameterName}' holds '${versionArn}', which is not a Rekognition project-version ARN`);
  }
  if (parsed[2] !== config.region) {
    throw new SmokeTestError(
      "RegionMismatch",
      `model version '${versionArn}' is in region ${parsed[2]}, but this function reaches Rekognition only in ${config.region} through its VPC endpoint`,
    );
  }

  // 3. The known image, read here: the ML account's role must not need this account's buckets.
  const imageUri = `s3://${config.imageBucket}/${config.imageKey}`;
  const imageBytes = await readImage(clients, config, imageUri);

  // 4. Cross into the ML account.
  const mlCredentials = await assumeRole(
    clients.sts(appCredentials),
    config.modelAccessRoleArn,
    model,
    "ModelAccessRoleDenied",
    "the ML account's model access role",
  );

  // 5. Ask the model.
  const image = { bucket: config.imageBucket, key: config.imageKey, bytes: imageBytes.byteLength };
  const started = clock.now();
  let labels: { name: string; confidence: number }[];
  try {
    const out = await clients.rekognition(mlCredentials).send(new DetectCustomLabelsCommand({
      ProjectVersionArn: versionArn,
      Image: { Bytes: imageBytes },
      MinConfidence: config.minConfidence,
    }));
    labels = (out.CustomLabels ?? []).map((l) => ({ name: l.Name ?? "", confidence: l.Confidence ?? 0 }));
  } catch (e) {
    const name = errorName(e);
    switch (name) {
      case "ResourceNotReadyException":
        throw new SmokeTestError("ModelNotRunning", `model version '${versionArn}' is not running (${name}): start it in the ML account before testing`, e);
      case "ResourceNotFoundException":
        throw new SmokeTestError("ModelNotFound", `model version '${versionArn}' does not exist (${name}): ${errorMessage(e)}`, e);
      case "ImageTooLargeException":
        throw new SmokeTestError("ImageTooLarge", `test image '${imageUri}' (${image.bytes} bytes) is too large for DetectCustomLabels (${name}): ${errorMessage(e)}`, e);
      case "InvalidImageFormatException":
        throw new SmokeTestError("ImageInvalid", `test image '${imageUri}' is not an image DetectCustomLabels accepts: PNG or JPEG (${name}): ${errorMessage(e)}`, e);
      case "AccessDeniedException":
      case "AccessDenied":
        throw new SmokeTestError("DetectDenied", `not allowed to call DetectCustomLabels on '${versionArn}' (${name}): ${errorMessage(e)}`, e);
      default:
        throw new SmokeTestError("Unexpected", `DetectCustomLabels on '${versionArn}' failed (${name}): ${errorMessage(e)}`, e);
    }
  }
  const latencyMs = clock.now() - started;
  return { model, versionArn, parameterName, image, labels, latencyMs };
}

function tooLarge(imageUri: string, bytes: number): SmokeTestError {
  return new SmokeTestError(
    "ImageTooLarge",
    `test image '${imageUri}' is ${bytes} bytes, more than the ${MAX_IMAGE_BYTES} allowed: DetectCustomLabels takes at most 4 MiB of image bytes; use a smaller image`,
  );
}

/**
 * Lets go of a body that will not be read: a Node.js stream left unread keeps its socket, so it is
 * destroyed (a web stream is cancelled).
 */
function discard(body: NonNullable<GetObjectCommandOutput["Body"]>): void {
  const stream = body as { destroy?: () => void; cancel?: () => Promise<void> };
  if (typeof stream.destroy === "function") stream.destroy();
  else if (typeof stream.cancel === "function") stream.cancel().catch(() => undefined);
}

const S3_NOT_FOUND = new Set(["NoSuchKey", "NoSuchBucket"]);

/** Maps a failed GetObject to the broken link: missing, not readable, or something else. */
function imageReadFailure(e: unknown, imageUri: string): SmokeTestError {
  const name = errorName(e);
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const notFound = status === 404 || S3_NOT_FOUND.has(name);
  const denied = status === 403 || name === "AccessDenied";
  if (status === undefined && !notFound && !denied) {
    // No answer from S3 at all: no credentials, network, timeout.
    return new SmokeTestError("Unexpected", `reading test image '${imageUri}' failed (${name}): ${errorMessage(e)}`, e);
  }
  const message = errorMessage(e);
  const detail = `${status === undefined ? "" : `HTTP ${status} `}${name}${message ? `: ${message}` : ""}`;
  if (notFound) {
    return new SmokeTestError("ImageNotFound", `test image '${imageUri}' not found (${detail})`, e);
  }
  if (denied) {
    // Without s3:ListBucket (which this function does not get), S3 answers a missing key with
    // 403 AccessDenied, not 404: the two causes cannot be told apart from here.
    return new SmokeTestError(
      "ImageNotFound",
      `test image '${imageUri}' not found or not readable by this function (${detail}); check that the key exists and that the function's role may s3:GetObject on it`,
      e,
    );
  }
  return new SmokeTestError("Unexpected", `reading test image '${imageUri}' failed: ${detail}`, e);
}

/**
 * GetObject of the test image with the function's own identity. An image over MAX_IMAGE_BYTES is
 * refused before its body is read when S3 states its length, and after reading it otherwise.
 */
async function readImage(clients: SmokeTestClients, config: SmokeTestConfig, imageUri: string): Promise<Uint8Array> {
  let out: GetObjectCommandOutput;
  try {
    out = await clients.s3().send(
      new GetObjectCommand({ Bucket: config.imageBucket, Key: config.imageKey }),
      { abortSignal: AbortSignal.timeout(IMAGE_READ_TIMEOUT_MS) },
    );
  } catch (e) {
    throw imageReadFailure(e, imageUri);
  }
  const body = out.Body;
  if (!body) {
    throw new SmokeTestError("Unexpected", `reading test image '${imageUri}' failed: GetObject returned no body`);
  }
  if (out.ContentLength !== undefined && out.ContentLength > MAX_IMAGE_BYTES) {
    discard(body);
    throw tooLarge(imageUri, out.ContentLength);
  }
  let bytes: Uint8Array;
  try {
    bytes = await body.transformToByteArray();
  } catch (e) {
    throw new SmokeTestError("Unexpected", `reading test image '${imageUri}' failed while downloading (${errorName(e)}): ${errorMessage(e)}`, e);
  }
  if (bytes.byteLength > MAX_IMAGE_BYTES) throw tooLarge(imageUri, bytes.byteLength);
  return bytes;
}
