/**
 * Lambda adapter for the model smoke test. Invoke with `{ "model": "<name>" }` (or `{}` for the
 * first of MODEL_NAMES); returns the report, or fails the invocation with the broken link as
 * `errorType` (e.g. `ParameterMissing`, `ModelNotRunning`) and a message saying what to fix.
 *
 * Environment (read once, at cold start):
 *   AWS_REGION             set by Lambda; Rekognition, STS, SSM and S3 are called there (VPC endpoints)
 *   MODEL_ACCESS_ROLE_ARN  the ML account's role this environment assumes
 *   MODEL_NAMES            comma-separated models this function may test; the first is the default
 *   TEST_IMAGE_BUCKET      bucket of the test image, in this account and region; the function's own
 *                          role reads the image (s3:GetObject on exactly that object) and sends
 *                          its bytes to DetectCustomLabels
 *   TEST_IMAGE_KEY         key of the test image (PNG or JPEG, at most 4 MiB)
 *   PARAMETER_PREFIX       optional, default `/mlz/models`; parameters are `<prefix>/<model>/arn`
 *   APP_ROLE_ARNS          optional JSON object model → application role ARN to act as
 *   MIN_CONFIDENCE         optional, default 50
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { S3Client } from "@aws-sdk/client-s3";
import { optionalEnv, requireEnv } from "../shared/env";
import { log } from "../shared/log";
import {
  runSmokeTest,
  SmokeTestError,
  type Clock,
  type SmokeTestClients,
  type SmokeTestConfig,
  type SmokeTestReport,
  type SmokeTestRequest,
} from "./core";

/** Reads and checks the configuration; throws naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SmokeTestConfig {
  const modelNames = requireEnv("MODEL_NAMES", env).split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (modelNames.length === 0) throw new Error("environment variable MODEL_NAMES must name at least one model");
  const appRolesRaw = optionalEnv("APP_ROLE_ARNS", "{}", env);
  let appRoleArns: Record<string, string>;
  try {
    appRoleArns = JSON.parse(appRolesRaw);
  } catch {
    throw new Error(`environment variable APP_ROLE_ARNS must be a JSON object of model → role ARN; got '${appRolesRaw}'`);
  }
  if (appRoleArns === null || typeof appRoleArns !== "object" || Array.isArray(appRoleArns) ||
      Object.values(appRoleArns).some((v) => typeof v !== "string")) {
    throw new Error(`environment variable APP_ROLE_ARNS must be a JSON object of model → role ARN; got '${appRolesRaw}'`);
  }
  const minConfidenceRaw = optionalEnv("MIN_CONFIDENCE", "50", env);
  const minConfidence = Number(minConfidenceRaw);
  if (!Number.isFinite(minConfidence) || minConfidence < 0 || minConfidence > 100) {
    throw new Error(`environment variable MIN_CONFIDENCE must be a number from 0 to 100; got '${minConfidenceRaw}'`);
  }
  return {
    region: requireEnv("AWS_REGION", env),
    modelAccessRoleArn: requireEnv("MODEL_ACCESS_ROLE_ARN", env),
    appRoleArns,
    parameterPrefix: optionalEnv("PARAMETER_PREFIX", "/mlz/models", env),
    modelNames,
    imageBucket: requireEnv("TEST_IMAGE_BUCKET", env),
    imageKey: requireEnv("TEST_IMAGE_KEY", env),
    minConfidence,
  };
}

/**
 * SDK clients in the function's region; with credentials, acting as the assumed role. S3 has no
 * credentials parameter: the test image is always read with the function's own identity (the
 * default credential chain, i.e. the Lambda role), through one client kept for the warm container.
 */
export function sdkClients(region: string): SmokeTestClients {
  const s3 = new S3Client({ region });
  return {
    sts: (credentials) => new STSClient({ region, credentials }),
    ssm: (credentials) => new SSMClient({ region, credentials }),
    rekognition: (credentials) => new RekognitionClient({ region, credentials }),
    s3: () => s3,
  };
}


export function createHandler(config: SmokeTestConfig, clients: SmokeTestClients, clock?: Clock) {
  return async (event: SmokeTestRequest | null | undefined): Promise<SmokeTestReport> => {
    const model = typeof event?.model === "string" ? event.model : undefined;
    log("INFO", "smoke test started", { model: model ?? config.modelNames[0] });
    try {
      const report = await runSmokeTest({ model }, config, clients, clock);
      log("INFO", "smoke test passed", {
        model: report.model,
        versionArn: report.versionArn,
        latencyMs: report.latencyMs,
        labels: report.labels,
      });
      return report;
    } catch (e) {
      const code = e instanceof SmokeTestError ? e.code : "Unexpected";
      log("ERROR", "smoke test failed", { model: model ?? config.modelNames[0], code, error: (e as Error).message });
      throw e;
    }
  };
}

const config = loadConfig();
export const handler = createHandler(config, sdkClients(config.region));
