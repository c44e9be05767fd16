/**
 * `npm run plan`: the offline plan of the organization. See `--help`.
 *
 * Only Node's own modules load at start: the planner (and with it the Pulumi SDK, @pulumi/aws and
 * the stack programs) is imported once the arguments are known to be good, so `--help` and a bad
 * argument answer at once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { HELP } from "./cli-help";

/** Exit status of the plan (the same values as `EXIT` of plan/run.ts). */
const EXIT = { ok: 0, violations: 1, error: 2 } as const;
/** The stack files' folder (stacks/config.ts's STACKS_DIR, without loading it). */
const STACKS_DIR = path.resolve(__dirname, "..", "stacks");

export { HELP };

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", multiple: true },
        format: { type: "string", default: "text" },
        out: { type: "string" },
        diff: { type: "string" },
        "stacks-dir": { type: "string" },
        "policy-config": { type: "string" },
        prices: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  for (const name of ["format", "out", "diff", "stacks-dir", "policy-config", "prices"] as const) {
    if (v[name] === "") return usage(`--${name} needs a value; got ''`);
  }
  if ((v.stack ?? []).includes("")) return usage("--stack needs a stack name; got ''");
  const stacksDir = path.resolve(v["stacks-dir"] ?? STACKS_DIR);
  if (!isDirectory(stacksDir)) return usage(`--stacks-dir ${v["stacks-dir"] ?? stacksDir}: ${fs.existsSync(stacksDir) ? "is not a directory" : "no such directory"}`);
  if (v.diff !== undefined && !isDirectory(v.diff)) return usage(`--diff ${v.diff}: ${fs.existsSync(v.diff) ? "is not a directory" : "no such directory"} (write base plans with --out first)`);
  if (v.out !== undefined) {
    if (fs.existsSync(v.out) && !isDirectory(v.out)) return usage(`--out ${v.out}: is a file, expected a directory`);
    try {
      fs.mkdirSync(v.out, { recursive: true });
    } catch (e) {
      return usage(`--out ${v.out}: cannot create the directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const format = v.format ?? "text";
  if (!["text", "json", "markdown", "mermaid"].includes(format)) {
    return usage(`--format must be text, json, markdown or mermaid; got '${format}'`);
  }
  // Loaded only now that the arguments are good (see the top of this file).
  const { DEFAULT_POLICY_CONFIG, PolicyConfigError, readPolicyConfig } = require("./policy-config") as typeof import("./policy-config");
  let policyConfig: Record<string, unknown> | undefined;
  const policyConfigFile = v["policy-config"] ?? (fs.existsSync(DEFAULT_POLICY_CONFIG) ? DEFAULT_POLICY_CONFIG : undefined);
  if (policyConfigFile) {
    try {
      policyConfig = readPolicyConfig(policyConfigFile);
    } catch (e) {
      if (!(e instanceof PolicyConfigError)) throw e;
      process.stderr.write(`plan: --policy-config ${e.message}\n`);
      return EXIT.error;
    }
  }
  const { runPlan } = require("./run") as typeof import("./run");
  const { renderJson, renderMarkdown, renderText, stackFile } = require("./render") as typeof import("./render");
  const { stableStringify } = require("./planner") as typeof import("./planner");
  const { report, exitCode, failedStacks } = await runPlan({
    stacksDir,
    stacks: v.stack,
    diffDir: v.diff,
    policyConfig,
    pricesFile: v.prices ? path.resolve(v.prices) : undefined,
  });
  failed = failedStacks > 0;
  if (v.out) {
    for (const s of report.stacks) {
      fs.writeFileSync(path.join(v.out, `${s.plan.stack}.json`), stableStringify(stackFile(s), 2) + "\n");
    }
  }
  const rendered = format === "json" ? renderJson(report) : format === "markdown" ? renderMarkdown(report) : format === "mermaid" ? (report.topology ? `${report.topology}\n` : "") : renderText(report);
  process.stdout.write(rendered);
  return exitCode;
}

/** A user error: one line on stderr, exit 2. */
function usage(message: string): number {
  process.stderr.write(`plan: ${message}\n`);
  return EXIT.error;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a stack failed to plan (its failed registrations may reject again later). */
let failed = false;

// A program's failed registrations can reject again after its stack was reported as failed; those
// repeats are already in the report. Anything rejected while the plan had no error is a bug here.
let finished: { errors: boolean } | undefined;
const early: unknown[] = [];
const reportUnexpected = (reason: unknown) => {
  process.stderr.write(`plan: unexpected error: ${reason instanceof Error ? reason.message : String(reason)}\n`);
  process.exitCode = EXIT.error;
};
process.on("unhandledRejection", (reason) => {
  if (finished === undefined) early.push(reason);
  else if (!finished.errors) reportUnexpected(reason);
});

main(process.argv.slice(2)).then(
  // exitCode, not exit(): a piped stdout must be flushed completely before the process ends.
  (code) => {
    finished = { errors: code === EXIT.error || failed };
    process.exitCode = code;
    // Rejections during a run that reported errors repeat those errors; otherwise they are bugs.
    if (!finished.errors) early.forEach(reportUnexpected);
  },
  (e) => {
    process.stderr.write(`plan: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.error;
  },
);
