/**
 * `npm run promote -- <model> --to <stack> (--from <stack> | --version <arn>) [--base <ref>] [--offline] [--open-pr] [--repo <owner/repo>]`
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { PromoteDeps } from "./promote";
import { stackConfig } from "../stacks/paths";
// The promotion modules (stack config, GitHub client, …) load once the arguments are good, so
// `--help` and a bad argument answer at once.

export const HELP = `Usage: npm run promote -- <model> --to <stack> (--from <stack> | --version <arn>) [options]

Sets config["ml-landing-zone:models"][<model>].versionArn in stacks/Pulumi.<stack>.yaml
(only that value changes; comments and formatting are kept).

  <model>              key of the stacks' models map, e.g. defect-detector
  --to <stack>         stack to promote to (a workload stack: qa, prod)
  --from <stack>       take the version that stack holds, e.g. --from qa
  --version <arn>      take this version ARN (Rekognition project version, SageMaker model or Comprehend recognizer version)
  --base <git ref>     read QA's stack file (the gate for prod) at this ref, as a pull request
                       would see it, and diff the offline plan against it; default: QA from the
                       working tree, plan diff against HEAD
  --offline            skip the AWS checks (version exists, trained, F1 >= minF1 and >= the
                       replaced version's F1); the pull request says the checks were skipped
  --open-pr            open (or update) the pull request on branch promote/<stack>/<model>
                       with labels 'promotion' and <stack>; needs GITHUB_TOKEN. The replaced
                       version is then read from --base (default HEAD), so running the command
                       again updates the pull request
  --repo <owner/repo>  repository for --open-pr; default: GITHUB_REPOSITORY
  -h, --help           show this help

Environment: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL (default https://api.github.com),
and AWS credentials for the checks (the default credential chain).

Before anything is written (and before --open-pr opens anything), the stack files as the promotion
leaves them go through the offline plan (npm run plan): stack-file schema, programs, policy pack
and cross-stack checks; any reason the plan would reject them refuses the promotion.

Exit status: 0 promoted, 1 refused or failed, 2 usage error.`;

export class UsageError extends Error {}

export interface ParsedArgs {
  help: boolean;
  model?: string;
  to?: string;
  from?: string;
  version?: string;
  base?: string;
  offline: boolean;
  openPr: boolean;
  repo?: string;
}

export function parseCliArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        to: { type: "string" },
        from: { type: "string" },
        version: { type: "string" },
        base: { type: "string" },
        offline: { type: "boolean", default: false },
        "open-pr": { type: "boolean", default: false },
        repo: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  for (const name of ["to", "from", "version", "base", "repo"] as const) {
    if (values[name] === "") throw new UsageError(`--${name} needs a value; got ''`);
  }
  const args: ParsedArgs = {
    help: values.help === true,
    model: positionals[0],
    to: values.to,
    from: values.from,
    version: values.version,
    base: values.base,
    offline: values.offline === true,
    openPr: values["open-pr"] === true,
    repo: values.repo,
  };
  if (args.help) return args;
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "missing <model>" : `expected one <model>; got ${positionals.join(", ")}`);
  }
  if (!args.to) throw new UsageError("missing --to <stack>");
  if ((args.from === undefined) === (args.version === undefined)) {
    throw new UsageError("give exactly one of --from <stack> and --version <arn>");
  }
  return args;
}

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Runs the command; returns the exit status. */
export async function main(argv: string[], io: CliIo, deps: Partial<PromoteDeps> & { root?: string } = {}): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseCliArgs(argv);
  } catch (e) {
    io.err(`promote: ${(e as Error).message} (see --help)`);
    return 2;
  }
  if (args.help) {
    io.out(HELP);
    return 0;
  }
  const root = deps.root ?? path.resolve(__dirname, "..");
  const env = deps.env ?? process.env;
  // Loaded only now that the arguments are good.
  const { ConfigError } = stackConfig();
  const { createOctokit } = require("./github") as typeof import("./github");
  const { offlinePlanDiff } = require("./plan-diff") as typeof import("./plan-diff");
  const { promote } = require("./promote") as typeof import("./promote");
  const { PromotionError } = require("./rules") as typeof import("./rules");
  const { workingTreeSource } = require("./stack-source") as typeof import("./stack-source");
  try {
    await promote(
      {
        model: args.model as string,
        to: args.to as string,
        from: args.from,
        version: args.version,
        base: args.base,
        offline: args.offline,
        openPr: args.openPr,
        repository: args.repo,
        root,
      },
      {
        source: deps.source ?? workingTreeSource(root),
        describe: deps.describe,
        planDiff: deps.planDiff ?? offlinePlanDiff(),
        github: deps.github ?? ((token) => createOctokit({ token, baseUrl: env.GITHUB_API_URL || undefined })),
        env,
        log: deps.log ?? io.out,
        validate: deps.validate,
      },
    );
    return 0;
  } catch (e) {
    if (e instanceof PromotionError || e instanceof ConfigError) {
      io.err(`refused: ${e.message}`);
      return 1;
    }
    io.err(`error: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
