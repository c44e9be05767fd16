/**
 * Pulumi dynamic provider that keeps a Rekognition Custom Labels project version RUNNING (with a
 * given number of inference units) or STOPPED, and stops it when the resource is deleted.
 *
 * The provider object is serialized as a closure into the Pulumi state, so:
 * - the AWS SDK is imported INSIDE each method (`await import(...)`), never captured from the top
 *   of this module (a captured SDK class is native code and cannot be serialized);
 * - everything the provider calls is a plain function of this module (no Set/Map/class instances
 *   captured), and this module imports nothing at run time except types.
 *
 * The logic (`convergeProjectVersion`, `stopProjectVersion`, `diffProjectVersion`, …) takes its
 * dependencies (`RunnerDeps`: a Rekognition client, `sleep`, `now`) as an argument so tests drive
 * it with aws-sdk-client-mock and a fake clock.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { RekognitionClient, ProjectVersionDescription } from "@aws-sdk/client-rekognition";

/** Value of the `kind` input: tells the offline plan what this dynamic resource is. */
export const PROJECT_VERSION_RUNNER_KIND = "mlz:rekognition:ProjectVersionRunner";

export type DesiredState = "RUNNING" | "STOPPED";

/**
 * Bounds of `waitTimeoutSeconds` (a model start usually takes 10–30 minutes). The upper bound is
 * the longest wait a deploy job leaves room for (MAX_PROVIDER_WAIT_SECONDS, components/deploy-limits.ts).
 */
export const MIN_WAIT_TIMEOUT_SECONDS = 60;
// A literal, not an import: the provider is serialized as a closure (a test keeps it equal to
// MAX_PROVIDER_WAIT_SECONDS).
export const MAX_WAIT_TIMEOUT_SECONDS = 3600;
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 1800;
/** Bounds of `pollSeconds`. */
export const MIN_POLL_SECONDS = 1;
export const MAX_POLL_SECONDS = 300;
export const DEFAULT_POLL_SECONDS = 30;
/** Upper bound on inference units (a guard against typos; the account quota is usually lower). */
export const MAX_INFERENCE_UNITS = 100;

/** Inputs of the dynamic resource (all plain values once resolved). */
export interface ProjectVersionRunnerInputs {
  kind: typeof PROJECT_VERSION_RUNNER_KIND;
  /** ARN of the project version. */
  projectVersionArn: string;
  /** ARN of the project holding the version (API form `arn:…:project/<name>/<timestamp>`). */
  projectArn: string;
  /** Version name (from the version ARN), needed by DescribeProjectVersions. */
  versionName: string;
  minInferenceUnits: number;
  maxInferenceUnits?: number;
  desiredState: DesiredState;
  /** Region of the project (from the version ARN). */
  region: string;
  waitTimeoutSeconds: number;
  pollSeconds: number;
  /** Role to assume for the Rekognition calls (the ML account's deploy role); ambient credentials if absent. */
  assumeRoleArn?: string;
}

export interface ProjectVersionRunnerOutputs extends ProjectVersionRunnerInputs {
  /** Status last observed (RUNNING or STOPPED after a successful create/update). */
  status: string;
  /** Status message last observed ("" when AWS gave none). */
  statusMessage: string;
}

/** What the logic needs from the outside world. */
export interface RunnerDeps {
  client: RekognitionClient;
  sleep(ms: number): Promise<void>;
  /** Milliseconds, monotonic enough for timeouts. */
  now(): number;
}

export interface InputFailure {
  property: string;
  reason: string;
}

// Plain arrays, not Sets: this module's values are serialized with the provider closure.
/** States from which a version can never be started. */
const BROKEN_STATES = ["TRAINING_FAILED", "FAILED", "COPYING_FAILED", "DELETING", "DEPRECATED", "EXPIRED"];
/** States that change by themselves: wait them out. */
const TRANSITIONAL_STATES = ["TRAINING_IN_PROGRESS", "COPYING_IN_PROGRESS", "STARTING", "STOPPING"];
const QUOTA_ERRORS = ["LimitExceededException", "ServiceQuotaExceededException"];

/**
 * What the engine passes to a dynamic provider's `check`/`diff` for a value not known yet during
 * preview (e.g. the ARN of a project about to be created). Such values are not checked.
 */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Checks resolved inputs; an empty list means valid. Used by `check` and by the component. */
export function projectVersionInputFailures(inputs: Partial<ProjectVersionRunnerInputs>): InputFailure[] {
  const failures: InputFailure[] = [];
  const fail = (property: string, reason: string) => {
    if ((inputs as Record<string, unknown>)[property] !== UNKNOWN_VALUE) failures.push({ property, reason });
  };
  if (inputs.kind !== PROJECT_VERSION_RUNNER_KIND) {
    fail("kind", `must be '${PROJECT_VERSION_RUNNER_KIND}'; got ${JSON.stringify(inputs.kind)}`);
  }
  for (const key of ["projectVersionArn", "projectArn", "versionName", "region"] as const) {
    const v = inputs[key];
    if (typeof v !== "string" || v.length === 0) fail(key, `must be a non-empty string; got ${JSON.stringify(v)}`);
  }
  if (typeof inputs.projectVersionArn === "string" && !/^arn:[^:]+:rekognition:[^:]+:\d{12}:project\/[^/]+\/version\/[^/]+\/\d+$/.test(inputs.projectVersionArn)) {
    fail("projectVersionArn", `must be a Rekognition project-version ARN; got '${inputs.projectVersionArn}'`);
  }
  if (typeof inputs.projectArn === "string" && !/^arn:[^:]+:rekognition:[^:]+:\d{12}:project\/[^/]+\/\d+$/.test(inputs.projectArn)) {
    fail("projectArn", `must be a Rekognition project ARN (arn:aws:rekognition:<region>:<account>:project/<name>/<timestamp>); got '${inputs.projectArn}'`);
  }
  const min = inputs.minInferenceUnits;
  if (!Number.isInteger(min) || (min as number) < 1 || (min as number) > MAX_INFERENCE_UNITS) {
    fail("minInferenceUnits", `must be a whole number from 1 to ${MAX_INFERENCE_UNITS}; got ${JSON.stringify(min)}`);
  }
  const max = inputs.maxInferenceUnits;
  if (max !== undefined && max !== null) {
    if (!Number.isInteger(max) || max < 1 || max > MAX_INFERENCE_UNITS) {
      fail("maxInferenceUnits", `must be a whole number from 1 to ${MAX_INFERENCE_UNITS}; got ${JSON.stringify(max)}`);
    } else if (Number.isInteger(min) && max < (min as number)) {
      fail("maxInferenceUnits", `must be at least minInferenceUnits (${min}); got ${max}`);
    }
  }
  if (inputs.desiredState !== "RUNNING" && inputs.desiredState !== "STOPPED") {
    fail("desiredState", `must be 'RUNNING' or 'STOPPED'; got ${JSON.stringify(inputs.desiredState)}`);
  }
  const timeout = inputs.waitTimeoutSeconds;
  if (!Number.isInteger(timeout) || (timeout as number) < MIN_WAIT_TIMEOUT_SECONDS || (timeout as number) > MAX_WAIT_TIMEOUT_SECONDS) {
    fail("waitTimeoutSeconds", `must be a whole number of seconds from ${MIN_WAIT_TIMEOUT_SECONDS} to ${MAX_WAIT_TIMEOUT_SECONDS}; got ${JSON.stringify(timeout)}`);
  }
  const poll = inputs.pollSeconds;
  if (!Number.isInteger(poll) || (poll as number) < MIN_POLL_SECONDS || (poll as number) > MAX_POLL_SECONDS) {
    fail("pollSeconds", `must be a whole number of seconds from ${MIN_POLL_SECONDS} to ${MAX_POLL_SECONDS}; got ${JSON.stringify(poll)}`);
  } else if (Number.isInteger(timeout) && (poll as number) > (timeout as number)) {
    fail("pollSeconds", `must not exceed waitTimeoutSeconds (${timeout}); got ${poll}`);
  }
  if (inputs.assumeRoleArn !== undefined && inputs.assumeRoleArn !== null && !/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(inputs.assumeRoleArn)) {
    fail("assumeRoleArn", `must be an IAM role ARN; got '${inputs.assumeRoleArn}'`);
  }
  return failures;
}

/** Name of an AWS SDK error (`LimitExceededException`, …). */
function errorName(err: unknown): string {
  const e = err as { name?: unknown; Code?: unknown } | undefined;
  if (e && typeof e.name === "string" && e.name !== "Error") return e.name;
  if (e && typeof e.Code === "string") return e.Code;
  return "Error";
}

function errorText(err: unknown): string {
  const message = (err as { message?: unknown } | undefined)?.message;
  return `${errorName(err)}: ${typeof message === "string" ? message : String(err)}`;
}

/** Wraps an AWS error of `operation` into a message naming the version and, for quotas, what to do. */
function awsFailure(operation: string, inputs: ProjectVersionRunnerInputs, err: unknown): Error {
  const name = errorName(err);
  if (QUOTA_ERRORS.includes(name)) {
    return new Error(
      `${operation} for Rekognition project version ${inputs.projectVersionArn} hit a service quota ` +
      `(${errorText(err)}); request a quota increase for Rekognition Custom Labels inference units or lower minInferenceUnits/maxInferenceUnits ` +
      `(asked min ${inputs.minInferenceUnits}${inputs.maxInferenceUnits !== undefined ? `, max ${inputs.maxInferenceUnits}` : ""})`,
    );
  }
  return new Error(`${operation} failed for Rekognition project version ${inputs.projectVersionArn}: ${errorText(err)}`);
}

function statusText(desc: ProjectVersionDescription): string {
  return desc.StatusMessage ? `${desc.Status} (${desc.StatusMessage})` : `${desc.Status}`;
}

/**
 * DescribeProjectVersions for exactly this version. Returns `undefined` when the version (or, with
 * `tolerateMissingProject`, its project) does not exist.
 */
export async function describeProjectVersion(
  deps: RunnerDeps,
  inputs: ProjectVersionRunnerInputs,
  tolerateMissingProject = false,
): Promise<ProjectVersionDescription | undefined> {
  const { DescribeProjectVersionsCommand } = await import("@aws-sdk/client-rekognition");
  let response;
  try {
    response = await deps.client.send(new DescribeProjectVersionsCommand({
      ProjectArn: inputs.projectArn,
      VersionNames: [inputs.versionName],
    }));
  } catch (err) {
    if (errorName(err) === "ResourceNotFoundException") {
      if (tolerateMissingProject) return undefined;
      throw new Error(`Rekognition project ${inputs.projectArn} of version ${inputs.projectVersionArn} was not found (${errorText(err)})`);
    }
    throw awsFailure("DescribeProjectVersions", inputs, err);
  }
  return (response.ProjectVersionDescriptions ?? []).find(
    (d) => d.ProjectVersionArn === inputs.projectVersionArn,
  );
}

function notFound(inputs: ProjectVersionRunnerInputs): Error {
  return new Error(
    `Rekognition project version ${inputs.projectVersionArn} was not found in project ${inputs.projectArn} ` +
    `(DescribeProjectVersions returned no version named '${inputs.versionName}')`,
  );
}

function broken(inputs: ProjectVersionRunnerInputs, desc: ProjectVersionDescription): Error {
  return new Error(
    `Rekognition project version ${inputs.projectVersionArn} cannot be started: ` +
    `its status is ${desc.Status}${desc.StatusMessage ? ` (${desc.StatusMessage})` : ""}`,
  );
}

/**
 * Polls until `done(status)` holds, a broken state shows up, or the deadline (`startedAt` +
 * `waitTimeoutSeconds`) passes. Returns the last description, or `undefined` when the version
 * disappeared and `missingOk`.
 */
async function waitUntil(
  deps: RunnerDeps,
  inputs: ProjectVersionRunnerInputs,
  startedAt: number,
  target: string,
  done: (status: string | undefined) => boolean,
  missingOk = false,
): Promise<ProjectVersionDescription | undefined> {
  const timeoutMs = inputs.waitTimeoutSeconds * 1000;
  let last: ProjectVersionDescription | undefined;
  for (;;) {
    const elapsedMs = deps.now() - startedAt;
    if (elapsedMs >= timeoutMs) {
      throw new Error(
        `Timed out after ${Math.round(elapsedMs / 1000)}s (limit ${inputs.waitTimeoutSeconds}s) waiting for Rekognition project version ` +
        `${inputs.projectVersionArn} to reach ${target}; last status ${last ? statusText(last) : "unknown"}`,
      );
    }
    await deps.sleep(inputs.pollSeconds * 1000);
    last = await describeProjectVersion(deps, inputs, missingOk);
    if (!last) {
      if (missingOk) return undefined;
      throw notFound(inputs);
    }
    if (done(last.Status)) return last;
    if (BROKEN_STATES.includes(last.Status ?? "")) {
      throw new Error(
        `Rekognition project version ${inputs.projectVersionArn} went to ${statusText(last)} while waiting for ${target} ` +
        `(after ${Math.round((deps.now() - startedAt) / 1000)}s)`,
      );
    }
  }
}

function unitsMatch(inputs: ProjectVersionRunnerInputs, desc: ProjectVersionDescription): boolean {
  if (desc.MinInferenceUnits !== undefined && desc.MinInferenceUnits !== inputs.minInferenceUnits) return false;
  if (desc.MaxInferenceUnits === undefined) return true;
  // Without a maximum the version must not auto-scale (AWS may report max = min).
  return desc.MaxInferenceUnits === (inputs.maxInferenceUnits ?? inputs.minInferenceUnits);
}

function outputsOf(inputs: ProjectVersionRunnerInputs, desc: ProjectVersionDescription): ProjectVersionRunnerOutputs {
  return { ...inputs, status: desc.Status ?? "UNKNOWN", statusMessage: desc.StatusMessage ?? "" };
}

async function sendStop(deps: RunnerDeps, inputs: ProjectVersionRunnerInputs): Promise<void> {
  const { StopProjectVersionCommand } = await import("@aws-sdk/client-rekognition");
  try {
    await deps.client.send(new StopProjectVersionCommand({ ProjectVersionArn: inputs.projectVersionArn }));
  } catch (err) {
    throw awsFailure("StopProjectVersion", inputs, err);
  }
}

async function sendStart(deps: RunnerDeps, inputs: ProjectVersionRunnerInputs): Promise<void> {
  const { StartProjectVersionCommand } = await import("@aws-sdk/client-rekognition");
  try {
    await deps.client.send(new StartProjectVersionCommand({
      ProjectVersionArn: inputs.projectVersionArn,
      MinInferenceUnits: inputs.minInferenceUnits,
      ...(inputs.maxInferenceUnits !== undefined ? { MaxInferenceUnits: inputs.maxInferenceUnits } : {}),
    }));
  } catch (err) {
    throw awsFailure("StartProjectVersion", inputs, err);
  }
}

/**
 * Create/update: brings the version to `desiredState`.
 * - not found, or TRAINING_FAILED / FAILED / COPYING_FAILED / DELETING / DEPRECATED / EXPIRED → error;
 * - TRAINING_IN_PROGRESS, COPYING_IN_PROGRESS, STARTING, STOPPING → waits for a settled state;
 * - RUNNING: kept when the inference units match; otherwise stopped and started again with the new
 *   units (Rekognition cannot change the units of a running version: a short outage);
 * - STOPPED / TRAINING_COMPLETED / COPYING_COMPLETED → StartProjectVersion, then waits for RUNNING;
 * - desiredState STOPPED: a running (or starting) version is stopped and waited for; any state
 *   that does not serve, failed ones included, is accepted as it is; a missing version is an error.
 * All waiting shares one deadline of `waitTimeoutSeconds`.
 */
export async function convergeProjectVersion(
  deps: RunnerDeps,
  inputs: ProjectVersionRunnerInputs,
): Promise<ProjectVersionRunnerOutputs> {
  const startedAt = deps.now();
  let desc = await describeProjectVersion(deps, inputs);
  if (!desc) throw notFound(inputs);

  if (inputs.desiredState === "STOPPED") {
    // Anything that does not serve (including a failed or training version) is stopped enough.
    if (desc.Status === "STARTING" || desc.Status === "STOPPING") {
      desc = (await waitUntil(deps, inputs, startedAt, "a settled state", (s) => s !== "STARTING" && s !== "STOPPING"))!;
    }
    if (desc.Status === "RUNNING") {
      await sendStop(deps, inputs);
      desc = (await waitUntil(deps, inputs, startedAt, "STOPPED", (s) => s === "STOPPED"))!;
    }
    return outputsOf(inputs, desc);
  }

  if (BROKEN_STATES.includes(desc.Status ?? "")) throw broken(inputs, desc);
  if (TRANSITIONAL_STATES.includes(desc.Status ?? "")) {
    desc = (await waitUntil(deps, inputs, startedAt, "a settled state", (s) => !TRANSITIONAL_STATES.includes(s ?? "")))!;
    if (BROKEN_STATES.includes(desc.Status ?? "")) throw broken(inputs, desc);
  }

  if (desc.Status === "RUNNING") {
    if (unitsMatch(inputs, desc)) return outputsOf(inputs, desc);
    await sendStop(deps, inputs);
    desc = (await waitUntil(deps, inputs, startedAt, "STOPPED", (s) => s === "STOPPED"))!;
  }
  await sendStart(deps, inputs);
  desc = (await waitUntil(deps, inputs, startedAt, "RUNNING", (s) => s === "RUNNING"))!;
  return outputsOf(inputs, desc);
}

/**
 * Delete: stops the version if it runs (or is starting) and waits until STOPPED. A version or
 * project that no longer exists, or a version that is already stopped (or never ran), is fine.
 */
export async function stopProjectVersionOnDelete(deps: RunnerDeps, inputs: ProjectVersionRunnerInputs): Promise<void> {
  const startedAt = deps.now();
  let desc = await describeProjectVersion(deps, inputs, true);
  if (!desc) return;
  if (desc.Status === "STARTING") {
    desc = await waitUntil(deps, inputs, startedAt, "a settled state", (s) => s !== "STARTING", true);
    if (!desc) return;
  }
  if (desc.Status === "STOPPING") {
    await waitUntil(deps, inputs, startedAt, "STOPPED", (s) => s !== "STOPPING", true);
    return;
  }
  if (desc.Status !== "RUNNING") return;
  try {
    await sendStop(deps, inputs);
  } catch (err) {
    // Someone else may have stopped (or deleted) it in between: look again before failing.
    const now = await describeProjectVersion(deps, inputs, true);
    if (!now || (now.Status !== "RUNNING" && now.Status !== "STARTING")) {
      if (now?.Status === "STOPPING") await waitUntil(deps, inputs, startedAt, "STOPPED", (s) => s !== "STOPPING", true);
      return;
    }
    throw err;
  }
  await waitUntil(deps, inputs, startedAt, "STOPPED", (s) => s === "STOPPED", true);
}

/**
 * Keys whose change means a different version, hence a new resource. `versionName` and `region`
 * come from the version ARN. `projectArn` is NOT one: the same version ARN is the same model, and
 * a replacement would create (adopt) it and then delete, i.e. STOP, the very version just kept.
 */
const REPLACE_KEYS = ["projectVersionArn", "versionName", "region"];
/** Keys whose change is applied in place. */
const UPDATE_KEYS = ["kind", "projectArn", "minInferenceUnits", "maxInferenceUnits", "desiredState", "waitTimeoutSeconds", "pollSeconds", "assumeRoleArn"];

/**
 * Replace on a different version; update on inference units, desired state, timing or role; and
 * update when the last observed status (after `pulumi refresh`) differs from the desired state.
 */
export function diffProjectVersion(
  olds: Partial<ProjectVersionRunnerOutputs>,
  news: ProjectVersionRunnerInputs,
): pulumi.dynamic.DiffResult {
  const differs = (k: string) => (olds as Record<string, unknown>)[k] !== (news as unknown as Record<string, unknown>)[k];
  const replaces = REPLACE_KEYS.filter(differs);
  const updates = UPDATE_KEYS.filter(differs);
  // A STOPPED resource is satisfied by any state that does not serve (STOPPED, TRAINING_COMPLETED, …).
  const drifted = news.desiredState === "RUNNING"
    ? olds.status !== "RUNNING"
    : olds.status === "RUNNING" || olds.status === "STARTING";
  return {
    changes: replaces.length > 0 || updates.length > 0 || drifted,
    replaces,
    deleteBeforeReplace: false,
  };
}

/** Runtime dependencies for the real provider: an SDK client (optionally with an assumed role). */
async function defaultDeps(inputs: ProjectVersionRunnerInputs): Promise<RunnerDeps> {
  const { RekognitionClient } = await import("@aws-sdk/client-rekognition");
  let credentials;
  if (inputs.assumeRoleArn) {
    const roleArn = inputs.assumeRoleArn;
    const region = inputs.region;
    let cached: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } | undefined;
    credentials = async () => {
      if (cached && cached.expiration && cached.expiration.getTime() - Date.now() > 5 * 60 * 1000) return cached;
      const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
      const sts = new STSClient({ region });
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "mlz-project-version-runner" }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
      cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
      return cached;
    };
  }
  return {
    client: new RekognitionClient({ region: inputs.region, ...(credentials ? { credentials } : {}) }),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

/**
 * Builds the provider. `depsFor` yields the runtime dependencies; tests pass one that returns a
 * mocked client and a fake clock. The default is the real SDK.
 */
export function makeProjectVersionProvider(
  depsFor: (inputs: ProjectVersionRunnerInputs) => Promise<RunnerDeps> = defaultDeps,
): pulumi.dynamic.ResourceProvider<ProjectVersionRunnerInputs, ProjectVersionRunnerOutputs> {
  return {
    async check(_olds, news) {
      const failures = projectVersionInputFailures(news);
      return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
    },
    async diff(_id, olds, news) {
      return diffProjectVersion(olds, news);
    },
    async create(inputs) {
      const outs = await convergeProjectVersion(await depsFor(inputs), inputs);
      return { id: inputs.projectVersionArn, outs };
    },
    async read(id, props) {
      if (!props) return { id, props };
      const desc = await describeProjectVersion(await depsFor(props), props, true);
      if (!desc) return {};
      return { id, props: { ...props, status: desc.Status ?? "UNKNOWN", statusMessage: desc.StatusMessage ?? "" } };
    },
    async update(_id, _olds, news) {
      return { outs: await convergeProjectVersion(await depsFor(news), news) };
    },
    async delete(_id, props) {
      await stopProjectVersionOnDelete(await depsFor(props), props);
    },
  };
}

/** The provider used by `RekognitionModelVersion` (real AWS SDK). */
export const projectVersionProvider = makeProjectVersionProvider();
