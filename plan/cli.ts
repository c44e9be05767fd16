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

export { HELP };

/** The policy configuration the workflows pass to `pulumi preview/up --policy-pack-config`. */
export const DEFAULT_POLICY_CONFIG = path.resolve(__dirname, "..", "policies", "policy-config.json");

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
    process.stderr.write(`plan: ${(e as Error).message}\n\n${HELP}`);
    return EXIT.error;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const format = v.format ?? "text";
  if (!["text", "json", "markdown", "mermaid"].includes(format)) {
    process.stderr.write(`plan: --format must be text, json, markdown or mermaid; got '${format}'\n`);
    return EXIT.error;
  }
  let policyConfig: Record<string, unknown> | undefined;
  const policyConfigFile = v["policy-config"] ?? (fs.existsSync(DEFAULT_POLICY_CONFIG) ? DEFAULT_POLICY_CONFIG : undefined);
  if (policyConfigFile) {
    try {
      policyConfig = JSON.parse(fs.readFileSync(policyConfigFile, "utf8"));
    } catch (e) {
      process.stderr.write(`plan: --policy-config ${policyConfigFile}: ${(e as Error).message}\n`);
      return EXIT.error;
    }
  }
  // Loaded only now that the arguments are good (see the top of this file).
  const { STACKS_DIR } = require("../stacks/config") as typeof import("../stacks/config");
  const { runPlan } = require("./run") as typeof import("./run");
  const { renderJson, renderMarkdown, renderText, stackFile } = require("./render") as typeof import("./render");
  const { stableStringify } = require("./planner") as typeof import("./planner");
  const { report, exitCode } = await runPlan({
    stacksDir: path.resolve(v["stacks-dir"] ?? STACKS_DIR),
    stacks: v.stack,
    diffDir: v.diff,
    policyConfig,
    pricesFile: v.prices ? path.resolve(v.prices) : undefined,
  });
  if (v.out) {
    fs.mkdirSync(v.out, { recursive: true });
    for (const s of report.stacks) {
      fs.writeFileSync(path.join(v.out, `${s.plan.stack}.json`), stableStringify(stackFile(s), 2) + "\n");
    }
  }
  const rendered = format === "json" ? renderJson(report) : format === "markdown" ? renderMarkdown(report) : format === "mermaid" ? (report.topology ? `${report.topology}\n` : "") : renderText(report);
  process.stdout.write(rendered);
  return exitCode;
}

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
    finished = { errors: code === EXIT.error };
    process.exitCode = code;
    // Rejections during a run that reported errors repeat those errors; otherwise they are bugs.
    if (!finished.errors) early.forEach(reportUnexpected);
  },
  (e) => {
    process.stderr.write(`plan: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.error;
  },
);
