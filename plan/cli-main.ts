/**
 * The plan command as a function: `npm run plan` (plan/cli.ts) calls it with the process's
 * arguments and streams, tests call it in process with captured output. Importing this module does
 * nothing: no listener, no exit code, nothing loaded but Node's own modules.
 *
 * Only Node's own modules load at start: the planner (and with it the Pulumi SDK, @pulumi/aws and
 * the stack programs) is imported once the arguments are known to be good, so `--help` and a bad
 * argument answer at once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { HELP } from "./cli-help";
import type { runPlan as RunPlan } from "./run";
import { STACKS_DIR } from "../stacks/paths";

/** Exit status of the plan (the same values as `EXIT` of plan/run.ts). */
export const EXIT = { ok: 0, violations: 1, error: 2 } as const;

/** Where the command writes: the process's stdout and stderr, or a test's buffers. */
export interface PlanCliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

/** What the command calls; tests may pass a runner that plans each set of inputs once. */
export interface PlanCliDeps {
  /** Defaults to plan/run.ts's `runPlan`, loaded once the arguments are good. */
  readonly runPlan?: typeof RunPlan;
}

/** Runs `npm run plan -- <argv>`; returns the exit status. */
export async function runPlanCli(argv: string[], io: PlanCliIo, deps: PlanCliDeps = {}): Promise<number> {
  return (await planCommand(argv, io, deps)).exitCode;
}

/**
 * Runs the command; returns the exit status and the number of stacks that failed to plan (their
 * failed registrations may reject again after the command returned: see plan/cli.ts).
 */
export async function planCommand(argv: string[], io: PlanCliIo, deps: PlanCliDeps = {}): Promise<{ exitCode: number; failedStacks: number }> {
  try {
    return await plan(argv, io, deps);
  } catch (e) {
    io.stderr(`plan: ${e instanceof Error ? e.message : String(e)}\n`);
    return { exitCode: EXIT.error, failedStacks: 0 };
  }
}

async function plan(argv: string[], io: PlanCliIo, deps: PlanCliDeps): Promise<{ exitCode: number; failedStacks: number }> {
  /** A user error: one line on stderr, exit 2. */
  const usage = (message: string) => {
    io.stderr(`plan: ${message}\n`);
    return { exitCode: EXIT.error, failedStacks: 0 };
  };
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
    io.stdout(HELP);
    return { exitCode: EXIT.ok, failedStacks: 0 };
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
      io.stderr(`plan: --policy-config ${e.message}\n`);
      return { exitCode: EXIT.error, failedStacks: 0 };
    }
  }
  const runPlan = deps.runPlan ?? (require("./run") as typeof import("./run")).runPlan;
  const { renderJson, renderMarkdown, renderText, stackFile } = require("./render") as typeof import("./render");
  const { stableStringify } = require("./planner") as typeof import("./planner");
  const { report, exitCode, failedStacks } = await runPlan({
    stacksDir,
    stacks: v.stack,
    diffDir: v.diff,
    policyConfig,
    pricesFile: v.prices ? path.resolve(v.prices) : undefined,
  });
  if (v.out) {
    for (const s of report.stacks) {
      fs.writeFileSync(path.join(v.out, `${s.plan.stack}.json`), stableStringify(stackFile(s), 2) + "\n");
    }
  }
  const rendered = format === "json" ? renderJson(report) : format === "markdown" ? renderMarkdown(report) : format === "mermaid" ? (report.topology ? `${report.topology}\n` : "") : renderText(report);
  io.stdout(rendered);
  return { exitCode, failedStacks };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
