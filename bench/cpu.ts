/**
 * CPU time of finished child processes, for benchmarks that compare against another program on a
 * possibly shared machine: wall time there mostly measures waiting for a core, CPU time the work.
 */
import * as fs from "node:fs";

/**
 * CPU time (user + system, ms) of this process's finished children (and theirs), from Linux's
 * /proc/self/stat (cutime, cstime); undefined elsewhere.
 */
export function childrenCpuMs(): number | undefined {
  try {
    const fields = fs.readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
    // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** The median of a list of numbers (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of no values");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Environment for a reference run in Python: numpy's OpenBLAS (and any OpenMP pool) limited to one
 * thread. Left alone, they start a helper thread that busy-waits, so the Python process burns more
 * CPU than wall time on an idle machine, and its CPU time would overstate what the reference costs.
 */
export function singleThreadedPythonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
}
