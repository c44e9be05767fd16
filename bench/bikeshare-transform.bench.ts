/**
 * Benchmark of the bike-share Firehose transform on a 100,000-row batch of real Bay Wheels trips
 * (the 10,000-row February 2019 file repeated ten times).
 *
 * The rows reach the transform the way a real stream sends them: producers put records of
 * `ROWS_PER_RECORD` rows, each a CSV payload with its header (well under Firehose's 1,000 KiB
 * record limit); Firehose buffers records into Lambda invocations of about
 * `INVOCATION_BUFFER_BYTES` (its default 1 MB processing buffer). Every invocation runs
 * `transformBatch` exactly as the handler does.
 *
 * Metrics: rows/s and MB/s over the whole batch (after one warm-up invocation), invocations,
 * records, the largest response, and peak memory: the process's RSS high-water mark from the OS
 * (`resourceUsage().maxRSS`, exact) and the V8 heap high-water mark sampled after every invocation.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { transformBatch, type InputRecord } from "../functions/bikeshare-transform/core";
import { childrenCpuMs, median, singleThreadedPythonEnv } from "./cpu";

const FIXTURES = path.resolve(__dirname, "..", "test", "fixtures", "bikeshare");
/** The benchmark's input: the 10,000 real February 2019 trips, kept in the repository (see the fixtures' README). */
export const SOURCE_FILE = path.join(FIXTURES, "fordgobike-201902-rows-1-10000.csv");
/** The 41-trip slice of the same file; the benchmark no longer falls back to it (SOURCE_FILE is in the repository), its unit test uses it. */
export const FALLBACK_FILE = path.join(FIXTURES, "fordgobike-201902-sample.csv");
export const TOTAL_ROWS = 100_000;
export const ROWS_PER_RECORD = 500;
export const INVOCATION_BUFFER_BYTES = 1_000_000;

/** Splits `totalRows` real rows (cycling through the file) into Firehose records and invocations. */
export function buildInvocations(csv: string, totalRows = TOTAL_ROWS, rowsPerRecord = ROWS_PER_RECORD, bufferBytes = INVOCATION_BUFFER_BYTES): InputRecord[][] {
  const lines = csv.trimEnd().split("\n");
  const header = lines[0];
  const rows = lines.slice(1);
  const invocations: InputRecord[][] = [];
  let current: InputRecord[] = [];
  let currentBytes = 0;
  let n = 0;
  let recordNo = 0;
  while (n < totalRows) {
    const count = Math.min(rowsPerRecord, totalRows - n);
    const chunk: string[] = [];
    for (let i = 0; i < count; i++) chunk.push(rows[(n + i) % rows.length]);
    n += count;
    const payload = Buffer.from(`${header}\n${chunk.join("\n")}\n`);
    if (current.length > 0 && currentBytes + payload.length > bufferBytes) {
      invocations.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push({ recordId: `49546986683135544286507457936321625675700192471156785154${String(recordNo++).padStart(6, "0")}`, data: payload.toString("base64") });
    currentBytes += payload.length;
  }
  if (current.length > 0) invocations.push(current);
  return invocations;
}

export async function run(): Promise<{ name: string; metrics: Record<string, number | string> }> {
  // The side-by-side comparison first, while the process holds only its event (the pandas side
  // runs in a fresh process holding only the event; the 100,000-row batch below would otherwise
  // stay live through it and make every garbage collection of ours mark it again).
  const pandas = comparePandas();
  const source = SOURCE_FILE;
  const csv = fs.readFileSync(source, "utf8");
  const invocations = buildInvocations(csv);
  const inputBytes = invocations.flat().reduce((s, r) => s + Buffer.byteLength(r.data, "base64"), 0);

  transformBatch(invocations[0]); // warm-up (JIT, csv-parse/csv-stringify initialization)
  globalThis.gc?.();

  let heapHighWater = process.memoryUsage().heapUsed;
  let rowsIn = 0;
  let rowsOut = 0;
  let rowsDropped = 0;
  let failed = 0;
  let maxResponseBytes = 0;
  const started = performance.now();
  for (const batch of invocations) {
    const { summary } = transformBatch(batch);
    rowsIn += summary.rowsIn;
    rowsOut += summary.rowsOut;
    rowsDropped += summary.rowsDroppedMissing;
    failed += summary.failed;
    maxResponseBytes = Math.max(maxResponseBytes, summary.responseBytes);
    heapHighWater = Math.max(heapHighWater, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - started) / 1000;
  if (rowsIn !== TOTAL_ROWS) throw new Error(`benchmark read ${rowsIn} rows, expected ${TOTAL_ROWS}`);

  // Peak memory of the process: the 100,000-row run (the comparison before it holds one 1 MB event).
  const peakRssMB = Number((process.resourceUsage().maxRSS / 1024).toFixed(1));
  return {
    name: "bikeshare-transform",
    metrics: {
      ...pandas,
      source: path.basename(source),
      rows: rowsIn,
      rowsOut,
      rowsDroppedMissing: rowsDropped,
      recordsFailed: failed,
      records: invocations.reduce((s, b) => s + b.length, 0),
      invocations: invocations.length,
      inputMB: Number((inputBytes / 1e6).toFixed(2)),
      seconds: Number(seconds.toFixed(3)),
      rowsPerSecond: Math.round(rowsIn / seconds),
      mbPerSecond: Number((inputBytes / 1e6 / seconds).toFixed(2)),
      maxResponseBytes,
      "peakRssMB (goal <= 256)": peakRssMB,
      peakHeapUsedMB: Number((heapHighWater / 1024 / 1024).toFixed(1)),
    },
  };
}

/** The seed's reference (shared/bench): the pandas transform and the Firehose event builder. */
const SHARED_BENCH = path.resolve(__dirname, "..", "..", "shared", "bench");
/** The figure: the first 4,646 trips, 500 per record (plus the builder's one garbage record). */
export const PANDAS_TRIPS = 4646;
const PANDAS_PASSES = 20;

/** A Python with pandas: the one on PATH, or Debian's (python3-pandas). */
function pythonWithPandas(): string | undefined {
  for (const py of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(py, ["-c", "import pandas"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** Interleaved rounds of the side-by-side comparison; the figure is the median round. */
export const PANDAS_ROUNDS = 5;

/**
 * Side by side with the seed's pandas transform on the same Firehose event (4,646 trips), in
 * PANDAS_ROUNDS interleaved rounds (pandas, then ours), the median round on each side:
 * - CPU time per event, the headline (on a shared machine wall time mostly measures waiting for a
 *   core): pandas' is the difference between two runs of the reference, with PANDAS_PASSES + 1 and
 *   with 1 timed passes, in the children's CPU time (/proc/self/stat), so Python's start, the pandas
 *   import and the warm-up cancel out; ours is `process.cpuUsage()` over PANDAS_PASSES passes;
 * - wall time per event next to it: the reference's own figure (`--bench`), ours over the same passes.
 * Skipped, with a note, without Python + pandas or without ../shared/bench.
 */
function comparePandas(): Record<string, number | string> {
  const builder = path.join(SHARED_BENCH, "firehose_event.py");
  const reference = path.join(SHARED_BENCH, "pandas_transform.py");
  if (!fs.existsSync(builder) || !fs.existsSync(reference)) return { pandas: `skipped: ${SHARED_BENCH} not found` };
  const py = pythonWithPandas();
  if (!py) return { pandas: "skipped: no Python with pandas (Debian: apt-get install python3-pandas)" };
  const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "mlz-bench-"));
  try {
    const lines = fs.readFileSync(SOURCE_FILE, "utf8").split("\n");
    const csv = path.join(dir, "trips.csv");
    fs.writeFileSync(csv, lines.slice(0, PANDAS_TRIPS + 1).join("\n") + "\n");
    const built = spawnSync(py, [builder, csv, String(ROWS_PER_RECORD)], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (built.status !== 0) throw new Error(`firehose_event.py failed: ${built.stderr}`);
    const eventFile = path.join(dir, "event.json");
    fs.writeFileSync(eventFile, built.stdout);
    const pandas = (passes: number): { wall: number; cpuMs: number | undefined } => {
      const before = childrenCpuMs();
      const r = spawnSync(py, [reference, eventFile, "--bench", String(passes)], { encoding: "utf8", env: singleThreadedPythonEnv() });
      const after = childrenCpuMs();
      if (r.status !== 0) throw new Error(`pandas_transform.py failed: ${r.stderr}`);
      return { wall: Number(r.stdout.trim()), cpuMs: before === undefined || after === undefined ? undefined : after - before };
    };
    const records = (JSON.parse(built.stdout) as { records: InputRecord[] }).records;
    // Warm-up to steady state, as a warm Lambda container runs (the JIT needs more than the one
    // pass the reference's warm-up gives pandas' compiled code).
    for (let i = 0; i < PANDAS_PASSES; i++) transformBatch(records);
    const rounds: { pandasWall: number; pandasCpu?: number; oursWall: number; oursCpu: number }[] = [];
    for (let round = 0; round < PANDAS_ROUNDS; round++) {
      const many = pandas(PANDAS_PASSES + 1);
      const one = pandas(1);
      const pandasCpu = many.cpuMs === undefined || one.cpuMs === undefined ? undefined : (many.cpuMs - one.cpuMs) / 1000 / PANDAS_PASSES;
      const c = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < PANDAS_PASSES; i++) transformBatch(records);
      const oursWall = (performance.now() - t) / 1000 / PANDAS_PASSES;
      const used = process.cpuUsage(c);
      rounds.push({ pandasWall: many.wall, pandasCpu, oursWall, oursCpu: (used.user + used.system) / 1e6 / PANDAS_PASSES });
    }
    const pandasWall = median(rounds.map((r) => r.pandasWall));
    const oursWall = median(rounds.map((r) => r.oursWall));
    const oursCpu = median(rounds.map((r) => r.oursCpu));
    const cpuRounds = rounds.flatMap((r) => (r.pandasCpu === undefined ? [] : [r.pandasCpu]));
    const pandasCpu = cpuRounds.length === rounds.length ? median(cpuRounds) : undefined;
    return {
      pandasEventTrips: PANDAS_TRIPS,
      "rounds × passes": `${PANDAS_ROUNDS} × ${PANDAS_PASSES} interleaved (median round, each side)`,
      ...(pandasCpu === undefined ? {} : {
        pandasCpuSecondsPerEvent: Number(pandasCpu.toFixed(4)),
        oursCpuSecondsPerEvent: Number(oursCpu.toFixed(4)),
        "speedupOverPandas, CPU (goal >= 5)": Number((pandasCpu / oursCpu).toFixed(2)),
      }),
      pandasSecondsPerEvent: Number(pandasWall.toFixed(4)),
      oursSecondsPerEvent: Number(oursWall.toFixed(4)),
      "speedupOverPandas, wall (goal >= 5)": Number((pandasWall / oursWall).toFixed(2)),
      "machine load (1-min average)": Number(require("node:os").loadavg()[0].toFixed(1)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
