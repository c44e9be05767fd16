/**
 * `tsx delivery/smoke-check.ts --stack <stack> --response <file> --payload <file>`: judges an
 * `aws lambda invoke` of the model smoke-test function after a deploy. Fails (exit 1, one
 * `::error::` line) when the invocation failed (`FunctionError`, non-200 status), the payload is not
 * a smoke-test report, or the report's version is not the one the stack file now pins (the
 * promotion did not reach the parameter the application reads).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { stackConfig } from "../stacks/paths";

export interface InvokeResponse {
  StatusCode?: number;
  FunctionError?: string;
  ExecutedVersion?: string;
}

export interface SmokeVerdict {
  ok: boolean;
  message: string;
}

/** `expected`: model → version ARN the stack file pins. */
export function judgeSmokeTest(response: InvokeResponse, payloadText: string, stack: string, expected: Record<string, string>): SmokeVerdict {
  let payload: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(payloadText);
    payload = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    payload = undefined;
  }
  if (response.FunctionError !== undefined) {
    const type = typeof payload?.errorType === "string" ? payload.errorType : response.FunctionError;
    const message = typeof payload?.errorMessage === "string" ? payload.errorMessage : payloadText.trim().slice(0, 500);
    return { ok: false, message: `smoke test of ${stack} failed: ${type}: ${message}` };
  }
  if (response.StatusCode !== 200) {
    return { ok: false, message: `smoke test of ${stack} failed: invoke returned status ${response.StatusCode ?? "none"}` };
  }
  if (!payload || typeof payload.model !== "string" || typeof payload.versionArn !== "string") {
    return { ok: false, message: `smoke test of ${stack} failed: the function returned no report (got ${payloadText.trim().slice(0, 200) || "nothing"})` };
  }
  const want = expected[payload.model];
  if (want === undefined) {
    return { ok: false, message: `smoke test of ${stack} failed: it tested model '${payload.model}', which stacks/Pulumi.${stack}.yaml does not pin` };
  }
  if (payload.versionArn !== want) {
    return { ok: false, message: `smoke test of ${stack} failed: model '${payload.model}' answered with ${payload.versionArn}, but stacks/Pulumi.${stack}.yaml pins ${want}` };
  }
  const labels = Array.isArray(payload.labels) ? payload.labels.length : 0;
  return { ok: true, message: `smoke test of ${stack} passed: ${payload.model} ${payload.versionArn}, ${labels} label(s) in ${String(payload.latencyMs)} ms` };
}

export const HELP = `Usage: npx tsx delivery/smoke-check.ts --stack <stack> --response <file> --payload <file>

Judges an 'aws lambda invoke' of the stack's model smoke-test function after a deploy: the
invocation succeeded and the report's model version is the one stacks/Pulumi.<stack>.yaml pins.

  --stack <stack>     workload stack deployed (qa, prod)
  --response <file>   the JSON 'aws lambda invoke' printed (StatusCode, FunctionError)
  --payload <file>    the function's output file
  -h, --help          show this help

Exit status: 0 passed, 1 failed or could not run (one ::error:: line), 2 usage error.
`;

/** A command-line mistake: one line on stderr, exit 2. */
export class UsageError extends Error {}

export function main(argv: string[], root = path.resolve(__dirname, "..")): SmokeVerdict {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { stack: { type: "string" }, response: { type: "string" }, payload: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  if (values.help) return { ok: true, message: HELP.trimEnd() };
  if (!values.stack || !values.response || !values.payload) {
    throw new UsageError("--stack, --response and --payload are required (see --help)");
  }
  const { parseStackConfig, readStackFile } = stackConfig();
  const file = readStackFile(values.stack, path.join(root, "stacks"));
  const config = parseStackConfig(file.values, file.file);
  const expected = config.role === "workload"
    ? Object.fromEntries(Object.entries(config.models).map(([m, v]) => [m, v.versionArn]))
    : {};
  const response = JSON.parse(fs.readFileSync(values.response, "utf8")) as InvokeResponse;
  const payload = fs.existsSync(values.payload) ? fs.readFileSync(values.payload, "utf8") : "";
  return judgeSmokeTest(response, payload, values.stack, expected);
}

if (require.main === module) {
  try {
    const verdict = main(process.argv.slice(2));
    process.stdout.write(`${verdict.ok ? "" : "::error::"}${verdict.message}\n`);
    process.exitCode = verdict.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`smoke-check: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stdout.write(`::error::smoke check could not run: ${(e as Error).message.split("\n")[0]}\n`);
      process.exitCode = 1;
    }
  }
}
