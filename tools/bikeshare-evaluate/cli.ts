/**
 * Evaluation command: sends a holdout CSV to an endpoint and prints the report as JSON (the
 * promotion gate reads its `f1`).
 *
 *   npx tsx tools/bikeshare-evaluate/cli.ts --endpoint <name> --holdout holdout.csv \
 *     [--region us-east-1] [--batch-rows 100] [--out report.json] [--min-f1 0.8] \
 *     [--tag-model arn:aws:sagemaker:<region>:<account>:model/<name>]
 *
 * `--tag-model` writes the F1 (4 decimals) as the tag `mlz:f1` on the evaluated model (SageMaker
 * AddTags, in the model's region), which the promotion gate reads; it is written whatever
 * `--min-f1` says, since it records the measurement. Credentials come from the default chain (run
 * it with a role of the ML account, which serves the endpoint and owns the model). Exit status:
 * 0 ok, 2 usage error, 1 evaluation or tagging error, 3 F1 below `--min-f1`.
 */
import * as fs from "node:fs";
import { parseArgs as parseCommandLine } from "node:util";
import { EvaluationError } from "./core";
import { evaluateEndpoint, F1_TAG, modelArnRegion, tagModelWithF1, type EvaluationReport } from "./evaluate";
import type { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import type { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { parseCommand } from "../command";

export const USAGE = "usage: cli.ts --endpoint <name> --holdout <file> [--region <region>] [--batch-rows 100] [--out <file>] [--min-f1 <0..1>] [--tag-model <model ARN>]";

export const HELP = `${USAGE}

Sends the holdout rows to a SageMaker endpoint (target column bike_share_for_all_trip removed by
name) and prints accuracy, precision, recall, F1 and the confusion matrix as JSON.

  --endpoint <name>      endpoint to evaluate, e.g. mlz-bikeshare-classifier-candidate (required)
  --holdout <file>       holdout CSV with header, from the training-set preparation (required)
  --region <region>      endpoint region (default: the SDK's region)
  --batch-rows <n>       rows per InvokeEndpoint call (default 100)
  --out <file>           also write the report to this file
  --min-f1 <0..1>        exit 3 when F1 is below this
  --tag-model <arn>      tag the model with mlz:f1 (the promotion gate reads it)
  -h, --help             show this help

Exit status: 0 ok, 1 evaluation or tagging error, 2 usage error, 3 F1 below --min-f1.
`;

export interface CliArgs {
  endpointName: string;
  holdout: string;
  region?: string;
  batchRows?: number;
  out?: string;
  minF1?: number;
  /** SageMaker model ARN to tag with `mlz:f1`. */
  tagModel?: string;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const fail = (msg: string): never => {
    throw new Error(`${msg}\n${USAGE}`);
  };
  let opts: Record<string, string | undefined> = {};
  try {
    ({ values: opts } = parseCommandLine({
      args: [...argv],
      options: Object.fromEntries(["endpoint", "holdout", "region", "batch-rows", "out", "min-f1", "tag-model"].map((k) => [k, { type: "string" as const }])),
    }) as { values: Record<string, string | undefined> });
  } catch (e) {
    fail((e as Error).message);
  }
  if (!opts.endpoint) fail("--endpoint is required");
  if (!opts.holdout) fail("--holdout is required");
  let batchRows: number | undefined;
  if (opts["batch-rows"] !== undefined) {
    batchRows = Number(opts["batch-rows"]);
    if (!Number.isInteger(batchRows) || batchRows < 1) fail(`--batch-rows must be a whole number ≥ 1; got ${opts["batch-rows"]}`);
  }
  let minF1: number | undefined;
  if (opts["min-f1"] !== undefined) {
    minF1 = Number(opts["min-f1"]);
    if (!(minF1 >= 0 && minF1 <= 1)) fail(`--min-f1 must be between 0 and 1; got ${opts["min-f1"]}`);
  }
  if (opts["tag-model"] !== undefined) {
    try {
      modelArnRegion(opts["tag-model"]);
    } catch (e) {
      fail(`--tag-model ${(e as Error).message}`);
    }
  }
  return { endpointName: opts.endpoint as string, holdout: opts.holdout as string, region: opts.region, batchRows, out: opts.out, minF1, tagModel: opts["tag-model"] };
}

export async function main(
  argv: readonly string[],
  deps: { client?: SageMakerRuntimeClient; sagemaker?: SageMakerClient; out?: (s: string) => void; err?: (s: string) => void } = {},
): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  const err = deps.err ?? ((s: string) => process.stderr.write(s));
  const parsed = parseCommand(argv, HELP, parseArgs, out, err);
  if ("exitCode" in parsed) return parsed.exitCode;
  const args: CliArgs = parsed.args;
  let client = deps.client;
  if (!client) {
    const { SageMakerRuntimeClient } = await import("@aws-sdk/client-sagemaker-runtime");
    client = new SageMakerRuntimeClient(args.region ? { region: args.region } : {});
  }
  let report: EvaluationReport;
  try {
    report = await evaluateEndpoint({ client, endpointName: args.endpointName, holdoutCsv: fs.readFileSync(args.holdout, "utf8"), batchRows: args.batchRows });
  } catch (e) {
    if (e instanceof EvaluationError) {
      err(`evaluation failed: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.out) fs.writeFileSync(args.out, json);
  out(json);
  if (args.tagModel) {
    let sagemaker = deps.sagemaker;
    if (!sagemaker) {
      const { SageMakerClient } = await import("@aws-sdk/client-sagemaker");
      sagemaker = new SageMakerClient({ region: modelArnRegion(args.tagModel) });
    }
    try {
      const value = await tagModelWithF1(sagemaker, args.tagModel, report.f1);
      err(`tagged ${args.tagModel} with ${F1_TAG}=${value}\n`);
    } catch (e) {
      err(`tagging ${args.tagModel} with ${F1_TAG} failed: ${(e as Error).name}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (args.minF1 !== undefined && report.f1 < args.minF1) {
    err(`F1 ${report.f1.toFixed(4)} is below the required ${args.minF1}\n`);
    return 3;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
