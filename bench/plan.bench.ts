/**
 * The offline plan, as users run it:
 * - `npm run plan` (npm, node start, the ahead-of-time bundle, the plan of the example
 *   organization) next to the bare load of @pulumi/pulumi + @pulumi/aws in a fresh `node`, measured
 *   in the same run, alternating (goal: command ≤ 3 × load); `npm run plan -- --help` (goal: well
 *   under a second);
 * - the time each stack's program takes (in process, all passes);
 * - scale: generated organizations of 10, 25, 50 and 100 workload stacks
 *   (`npm run -s generate-org`), planned by the command (goal: 100 in under 60 s, linear: the time
 *   per added workload stays flat).
 * Each figure is taken in a fresh process; timings are the median (and range) of several runs.
 * The machine may be shared: ranges show the noise.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { childrenCpuMs } from "./cpu";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.MLZ_BENCH_RUNS ?? 5);
const SCALE = (process.env.MLZ_BENCH_SCALE ?? "10,25,50,100").split(",").filter(Boolean).map(Number);
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

let lastCpuMs: number | undefined;

/** Wall time of a command, in ms (its CPU time in `lastCpuMs`); fails on an unexpected exit status. */
function timeCommand(cmd: string, args: string[], okStatus = [0]): number {
  const cpu = childrenCpuMs();
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t;
  const after = childrenCpuMs();
  lastCpuMs = cpu === undefined || after === undefined ? undefined : after - cpu;
  if (r.status === null || !okStatus.includes(r.status)) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return ms;
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}
const fmt = (x: { median: number; min: number; max: number }) => `${Math.round(x.median)} (${Math.round(x.min)}–${Math.round(x.max)})`;

const LOAD = [`-e`, `require("@pulumi/pulumi"); const aws = require("@pulumi/aws"); void aws.iam; void aws.s3;`];

/** Per-stack program time of the example organization, in process (one extra child). */
function perStack(): Record<string, number> {
  const script = `require("./plan/organization").planOrganization({ stacksDir: require("node:path").resolve("stacks") }).then((o) => process.stdout.write("@@MS " + JSON.stringify(o.stackMs) + "\\n"));`;
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("@@MS "));
  if (r.status !== 0 || !line) throw new Error(`per-stack timing failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line.slice(5));
}

export async function run() {
  // Build once outside the timings (npm ci does it; a stale bundle would be rebuilt in the first run).
  timeCommand(process.execPath, [path.join(ROOT, "tools", "build.js")]);
  const load: number[] = [];
  const plan: number[] = [];
  const help: number[] = [];
  const helpDirect: number[] = [];
  const loadCpu: number[] = [];
  const planCpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    load.push(timeCommand(process.execPath, LOAD));
    if (lastCpuMs !== undefined) loadCpu.push(lastCpuMs);
    plan.push(timeCommand(NPM, ["run", "-s", "plan"]));
    if (lastCpuMs !== undefined) planCpu.push(lastCpuMs);
    help.push(timeCommand(NPM, ["run", "-s", "plan", "--", "--help"]));
    helpDirect.push(timeCommand(process.execPath, [path.join(ROOT, "tools", "cli.js"), "plan", "--help"]));
  }
  const ratio = (a: number[], b: number[]) => {
    const r = stats(a.map((x, i) => x / b[i]));
    return `${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
  };
  const metrics: Record<string, number | string> = {
    runs: RUNS,
    "bare node -e require(@pulumi/pulumi + @pulumi/aws) (wall ms, median (range))": fmt(stats(load)),
    "npm run plan, example organization (wall ms)": fmt(stats(plan)),
    "npm run plan / bare load, wall (goal ≤ 3)": ratio(plan, load),
    ...(planCpu.length === RUNS && loadCpu.length === RUNS ? {
      "bare load (CPU ms)": fmt(stats(loadCpu)),
      "npm run plan (CPU ms)": fmt(stats(planCpu)),
      "npm run plan / bare load, CPU (goal ≤ 3)": ratio(planCpu, loadCpu),
    } : {}),
    "npm run plan -- --help (wall ms; goal well under 1000)": fmt(stats(help)),
    "node tools/cli.js plan --help, without npm (wall ms)": fmt(stats(helpDirect)),
  };
  for (const [stack, ms] of Object.entries(perStack())) metrics[`program time of stack ${stack} (ms, all passes)`] = Math.round(ms);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-bench-org-"));
  try {
    const points: { n: number; ms: number; cpuMs?: number }[] = [];
    for (const n of SCALE) {
      const dir = path.join(tmp, String(n));
      timeCommand(NPM, ["run", "-s", "generate-org", "--", "--workloads", String(n), "--out", dir]);
      const ms = timeCommand(NPM, ["run", "-s", "plan", "--", "--stacks-dir", dir]);
      points.push({ n, ms, cpuMs: lastCpuMs });
      metrics[`npm run plan, ${n} workload accounts (wall ms${n === 100 ? "; goal < 60000" : ""})`] = Math.round(ms);
      if (lastCpuMs !== undefined) metrics[`npm run plan, ${n} workload accounts (CPU ms)`] = Math.round(lastCpuMs);
    }
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1];
      const b = points[i];
      metrics[`wall ms per added workload, ${a.n}→${b.n} (linear: flat)`] = Math.round((b.ms - a.ms) / (b.n - a.n));
      if (a.cpuMs !== undefined && b.cpuMs !== undefined) metrics[`CPU ms per added workload, ${a.n}→${b.n} (linear: flat)`] = Math.round((b.cpuMs - a.cpuMs) / (b.n - a.n));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { name: "offline plan: the command against the SDK's load time, per stack, and at scale", metrics };
}
