/**
 * `npm run bench`: speed and memory figures, never timed tests. Runs each benchmark in a fresh
 * Node process so load times are real, prints a table and writes `.bench/results.json`.
 *
 * Benchmarks: `bench/*.bench.ts`, each exporting `run(): Promise<{ name, metrics }>`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

interface BenchResult {
  name: string;
  metrics: Record<string, number | string>;
}

function runInChild(file: string): BenchResult {
  const script = `Promise.resolve().then(async () => { const m = require(${JSON.stringify(path.join(ROOT, "bench", file))}); const r = await m.run(); process.stdout.write("\\n@@RESULT " + JSON.stringify(r) + "\\n"); }).catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "--expose-gc", "-e", script], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("@@RESULT "));
  if (r.status !== 0 || !line) {
    throw new Error(`benchmark ${file} failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  }
  return JSON.parse(line.slice("@@RESULT ".length));
}

export const HELP = `Usage: npm run bench [-- <name filter>...]

Runs each benchmark (bench/*.bench.ts) in a fresh Node process, prints its figures and writes
.bench/results.json. With filters, only the benchmarks whose file name contains one of them.

  -h, --help   show this help

Exit status: 0 done, 1 a benchmark failed, 2 usage error.
`;

function main(): number {
  const only = process.argv.slice(2);
  if (only.includes("--help") || only.includes("-h")) {
    process.stdout.write(HELP);
    return 0;
  }
  const option = only.find((o) => o.startsWith("-"));
  if (option !== undefined) {
    process.stderr.write(`bench: unknown option '${option}' (see --help)\n`);
    return 2;
  }
  const files = fs.readdirSync(path.join(ROOT, "bench")).filter((f) => f.endsWith(".bench.ts")).sort()
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
  if (files.length === 0) {
    process.stderr.write(`bench: no benchmark matches ${only.map((o) => `'${o}'`).join(", ")} (see --help)\n`);
    return 2;
  }
  const results: BenchResult[] = [];
  for (const file of files) {
    process.stderr.write(`running ${file} …\n`);
    const result = runInChild(file);
    results.push(result);
    process.stdout.write(`\n${result.name}\n`);
    for (const [k, v] of Object.entries(result.metrics)) process.stdout.write(`  ${k.padEnd(36)} ${v}\n`);
  }
  fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, ".bench", "results.json"), JSON.stringify({ node: process.version, results }, null, 2) + "\n");
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
