/**
 * Training-set preparation command.
 *
 *   npx tsx tools/bikeshare-training-prep/cli.ts --seed 42 --out-dir out/ <file or folder>...
 *
 * Reads processed trips (files, or every file under a folder, recursively and in name order;
 * gzip-compressed files are detected by their magic bytes), and writes `<out-dir>/train.csv` and
 * `<out-dir>/holdout.csv`; prints a JSON summary on stdout. Copy the processed objects down first
 * (`aws s3 sync s3://<raw-trips bucket>/trips/ trips/`), and the training CSV up to the training-set
 * bucket under the prefix the Autopilot job reads (`aws s3 cp out/train.csv s3://<training bucket>/<prefix>/train.csv`).
 *
 * Options: `--seed <int>` (required), `--out-dir <dir>` (required), `--ratio <n>` (default 2.1),
 * `--holdout <fraction>` (default 0.05). Exit status 2 on a usage error, 1 on refused data.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { parseArgs as parseCommandLine } from "node:util";
import { DEFAULT_HOLDOUT_FRACTION, DEFAULT_NEGATIVE_RATIO, TrainingDataError, prepareTrainingSet, readTrips } from "./core";
import { parseCommand } from "../command";

export const USAGE = "usage: cli.ts --seed <integer> --out-dir <dir> [--ratio 2.1] [--holdout 0.05] <file or folder>...";

export const HELP = `${USAGE}

Prepares the Autopilot training set from processed trips (files, or every file under a folder;
gzip detected by magic bytes): keeps every 'Yes' trip and a seeded random ⌊ratio × Yes⌋ of the 'No'
trips, shuffles with the seed, and writes <out-dir>/train.csv (with header) and
<out-dir>/holdout.csv (the holdout fraction, at least one row). Prints a JSON summary.

  --seed <integer>       shuffle and sampling seed (required)
  --out-dir <dir>        where train.csv and holdout.csv go (required)
  --ratio <n>            'No' rows kept per 'Yes' row (default 2.1)
  --holdout <fraction>   share of rows held out (default 0.05)
  -h, --help             show this help

Exit status: 0 written, 1 data refused (no target column, one class only), 2 usage error.
`;

export interface CliArgs {
  seed: number;
  outDir: string;
  ratio: number;
  holdoutFraction: number;
  inputs: string[];
}

/** Parses the command line; throws an Error starting with the problem, then the usage line. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const fail = (msg: string): never => {
    throw new Error(`${msg}\n${USAGE}`);
  };
  let opts: Record<string, string | undefined> = {};
  let inputs: string[] = [];
  try {
    ({ values: opts, positionals: inputs } = parseCommandLine({
      args: [...argv],
      allowPositionals: true,
      options: { seed: { type: "string" }, "out-dir": { type: "string" }, ratio: { type: "string" }, holdout: { type: "string" } },
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (opts.seed === undefined || !/^-?\d+$/.test(opts.seed)) fail(`--seed must be an integer; got ${opts.seed ?? "nothing"}`);
  if (!opts["out-dir"]) fail("--out-dir is required");
  if (inputs.length === 0) fail("name at least one input file or folder");
  const num = (key: string, fallback: number) => {
    if (opts[key] === undefined) return fallback;
    const n = Number(opts[key]);
    if (!Number.isFinite(n)) fail(`--${key} must be a number; got ${opts[key]}`);
    return n;
  };
  return {
    seed: Number(opts.seed),
    outDir: opts["out-dir"] as string,
    ratio: num("ratio", DEFAULT_NEGATIVE_RATIO),
    holdoutFraction: num("holdout", DEFAULT_HOLDOUT_FRACTION),
    inputs,
  };
}

/** Input files in a stable order (folders expanded recursively, names sorted, dot-files skipped). */
export function listInputFiles(inputs: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) if (!name.startsWith(".")) walk(path.join(p, name));
    } else {
      files.push(p);
    }
  };
  inputs.forEach(walk);
  return files;
}

function readText(file: string): string {
  const buf = fs.readFileSync(file);
  const gz = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  return (gz ? zlib.gunzipSync(buf) : buf).toString("utf8");
}

/** Runs the command; returns the exit status. */
export function main(argv: readonly string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  const parsed = parseCommand(argv, HELP, parseArgs, out, err);
  if ("exitCode" in parsed) return parsed.exitCode;
  const args: CliArgs = parsed.args;
  try {
    const files = listInputFiles(args.inputs);
    const table = readTrips(files.map(readText));
    const sets = prepareTrainingSet(table, { seed: args.seed, ratio: args.ratio, holdoutFraction: args.holdoutFraction });
    fs.mkdirSync(args.outDir, { recursive: true });
    const trainPath = path.join(args.outDir, "train.csv");
    const holdoutPath = path.join(args.outDir, "holdout.csv");
    fs.writeFileSync(trainPath, sets.training);
    fs.writeFileSync(holdoutPath, sets.holdout);
    out(`${JSON.stringify({ files: files.length, training: trainPath, holdout: holdoutPath, ...sets.stats })}\n`);
    return 0;
  } catch (e) {
    if (e instanceof TrainingDataError) {
      err(`refused: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
