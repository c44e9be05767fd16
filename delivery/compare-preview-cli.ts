/**
 * `npm run -s compare-preview`: compares the offline plan with real `pulumi preview --json`
 * documents of the same commit. See `--help`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  InputError,
  buildReport,
  compareStack,
  parseOfflineStack,
  parsePreview,
  simulatedTokens,
  renderJson,
  renderMarkdown,
  renderText,
} from "./compare-preview";

export const HELP = `Usage: npm run -s compare-preview -- --plan <dir> --preview <stack>=<file> [--preview ...] [options]

Compares the offline plan with Pulumi's own preview of the same commit, stack by stack: resources
in both (by URN), only in the real preview, only offline; for resources in both, the input
properties that differ; and the operations the real preview proposes. Values the offline plan marks
[known after apply], values Pulumi writes as unknown, secrets, asset and archive contents, and
inputs only a real deployment has (provider defaults, __meta, a dynamic provider's code, a
provider's plugin version) are not compared. A value that differs only where the offline plan holds
a simulated id or ARN is counted apart, not as a difference.

Options:
  --plan <dir>              Folder written by 'npm run plan -- --out <dir>' (<dir>/<stack>.json).
  --preview <stack>=<file>  'pulumi preview --json --show-sames --stack <stack>' output for a stack
                            (repeatable). Stacks of the plan without a preview are listed as not
                            compared and do not change the exit status.
  --format <f>              text (default), json or markdown (the pull-request comment's line,
                            differences in a collapsed section).
  -h, --help                Show this help.

Exit status: 0 the offline plan agrees with every preview given; 1 they differ; 2 bad input.
`;

function fail(message: string): never {
  throw new InputError(message);
}

export function run(argv: string[]): { code: number; stdout: string } {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        plan: { type: "string" },
        preview: { type: "string", multiple: true },
        format: { type: "string", default: "text" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    });
  } catch (e) {
    fail(`${(e as Error).message} (see --help)`);
  }
  const v = args.values;
  if (v.help) return { code: 0, stdout: HELP };
  const format = v.format ?? "text";
  if (!["text", "json", "markdown"].includes(format)) fail(`--format must be text, json or markdown; got '${format}'`);
  if (!v.plan) fail("--plan <dir> is required: the folder written by 'npm run plan -- --out <dir>'");
  if (!v.preview || v.preview.length === 0) fail("at least one --preview <stack>=<file> is required");
  const planDir = v.plan;
  let entries: string[];
  try {
    if (!fs.statSync(planDir).isDirectory()) fail(`--plan ${planDir}: not a folder`);
    entries = fs.readdirSync(planDir);
  } catch (e) {
    if (e instanceof InputError) throw e;
    fail(`--plan ${planDir}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such folder" : (e as Error).message}`);
  }
  const planned = entries.filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -".json".length)).sort();
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, "utf8");
    } catch (e) {
      fail(`${f}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
  };
  const plans = new Map(planned.map((stack) => {
    const file = path.join(planDir, `${stack}.json`);
    const plan = parseOfflineStack(read(file), file);
    if (plan.stack !== stack) fail(`${file}: holds stack '${plan.stack}', not '${stack}'`);
    return [stack, plan] as const;
  }));
  // A stack reads other stacks' simulated outputs (stack references): discount all of them.
  const tokens = simulatedTokens([...plans.values()].flatMap((p) => p.resources));
  const seen = new Set<string>();
  const specs = v.preview.map((spec) => {
    const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(spec);
    if (!m) fail(`--preview must be <stack>=<file>; got '${spec}'`);
    const [, stack, file] = m;
    if (seen.has(stack)) fail(`--preview: stack '${stack}' given twice`);
    seen.add(stack);
    if (!planned.includes(stack)) fail(`--preview ${spec}: the offline plan in ${planDir} has no stack '${stack}' (${path.join(planDir, `${stack}.json`)} is missing)`);
    return { stack, file };
  });
  const comparisons = specs.map(({ stack, file }) => compareStack(plans.get(stack)!, parsePreview(read(file), file, stack), tokens));
  const report = buildReport(comparisons, planned);
  const stdout = format === "json" ? renderJson(report) : format === "markdown" ? renderMarkdown(report) : renderText(report);
  return { code: report.agrees ? 0 : 1, stdout };
}

if (require.main === module) {
  try {
    const { code, stdout } = run(process.argv.slice(2));
    process.stdout.write(stdout);
    process.exitCode = code;
  } catch (e) {
    process.stderr.write(`compare-preview: ${e instanceof InputError ? e.message : `unexpected error: ${(e as Error).message}`}\n`);
    process.exitCode = 2;
  }
}
