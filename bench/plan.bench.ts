/**
 * Whole-organization offline plan time next to the bare load time of @pulumi/pulumi + @pulumi/aws,
 * measured in the same run (goal: plan ≤ 3 × load). Each figure is taken in a fresh process,
 * the median of several runs.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = 5;

function timeChild(code: string): number {
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", code], { cwd: ROOT, encoding: "utf8" });
  const line = r.stdout.split("\n").find((l) => l.startsWith("@@MS "));
  if (r.status !== 0 || !line) throw new Error(`child failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return Number(line.slice(4));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const LOAD = `const t = performance.now(); require("@pulumi/pulumi"); const aws = require("@pulumi/aws"); void aws.iam; void aws.s3; process.stdout.write("@@MS " + (performance.now() - t) + "\\n");`;
const PLAN = `const t = performance.now(); require("./plan/run").runPlan({ stacksDir: require("node:path").resolve("stacks") }).then((r) => { if (r.report.errors.length) { console.error(JSON.stringify(r.report.errors)); process.exit(1); } process.stdout.write("@@MS " + (performance.now() - t) + "\\n"); });`;

export async function run() {
  const load: number[] = [];
  const plan: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    load.push(timeChild(LOAD));
    plan.push(timeChild(PLAN));
  }
  const loadMs = median(load);
  const planMs = median(plan);
  return {
    name: "offline plan of the whole organization (6 stacks)",
    metrics: {
      runs: RUNS,
      "load @pulumi/pulumi + @pulumi/aws (ms, median)": Math.round(loadMs),
      "plan, incl. that load + policies (ms, median)": Math.round(planMs),
      "plan / load (goal ≤ 3)": Number((planMs / loadMs).toFixed(2)),
    },
  };
}
