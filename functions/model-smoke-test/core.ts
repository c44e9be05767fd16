/**
 * Model smoke test: proves that an environment can reach its model through every link the
 * application uses, and reports what the model says about a known test image.
 *
 *   1. (optional) assume the model's application role, so the test runs with the application's
 *      own permissions and nothing more;
 *   2. read the model-version ARN from SSM (`<prefix>/<model>/arn`);
 *   3. assume the ML account's model access role;
 *   4. call Rekognition DetectCustomLabels with those credentials on the test image.
 *
 * Every broken link fails with a `SmokeTestError` whose `code` names it. Pure orchestration over
 * injected clients and an injected clock; no environment access here.
 */
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { DetectCustomLabelsCommand, type RekognitionClient } from "@aws-sdk/client-rekognition";

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
  image: { bucket: string; key: string };
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

  // 3. Cross into the ML account.
  const mlCredentials = await assumeRole(
    clients.sts(appCredentials),
    config.modelAccessRoleArn,
    model,
    "ModelAccessRoleDenied",
    "the ML account's model access role",
  );

  // 4. Ask the model.
  const image = { bucket: config.imageBucket, key: config.imageKey };
  const imageUri = `s3://${image.bucket}/${image.key}`;
  const started = clock.now();
  let labels: { name: string; confidence: number }[];
  try {
    const out = await clients.rekognition(mlCredentials).send(new DetectCustomLabelsCommand({
      ProjectVersionArn: versionArn,
      Image: { S3Object: { Bucket: image.bucket, Name: image.key } },
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
      case "InvalidS3ObjectException":
        throw new SmokeTestError("ImageNotFound", `test image '${imageUri}' not found or not readable by Rekognition (${name}): ${errorMessage(e)}`, e);
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
