/**
 * Test plumbing for the plan command: run it in process with captured output, plan each set of
 * inputs once per test file (the formats and `--out` of one plan reuse it), and temporary folders
 * that are removed after the file's tests.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runPlanCli } from "../../plan/cli-main";
import { planOrganization } from "../../plan/organization";
import { runPlan, type RunPlanOptions } from "../../plan/run";
import { listStacks, STACKS_DIR } from "../../stacks/config";
import { examplePlan } from "./example-plan";

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** The files of a folder (names and contents), as a digest: a cache key that sees any edit. */
function folderDigest(dir: string | undefined): string {
  if (dir === undefined || !fs.existsSync(dir)) return "";
  const hash = crypto.createHash("sha256");
  for (const f of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, f);
    if (!fs.statSync(file).isFile()) continue;
    hash.update(f).update("\0").update(fs.readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** `compute()` once per key; a rejected promise is not kept (the next call computes again). */
function memo<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  let result = cache.get(key);
  if (!result) {
    result = compute();
    cache.set(key, result);
    result.catch(() => cache.delete(key));
  }
  return result;
}

/**
 * `runPlan` that plans each set of inputs once. A run is kept by its options, the contents of the
 * stacks and diff folders, and MLZ_ASSUME_ROLE_NAME (which the plan must ignore, so a test
 * comparing runs with and without it gets two real plans): the formats of one plan reuse it. The
 * organization's plan under it is kept by the stacks folder alone, as `planOrganization` plans every
 * stack whatever `--stack` reports (a `--stack` naming no stack file still gets the real error), so
 * `--diff` and `--stack` runs of the same stack files plan them once; the repository's own stack
 * files are the plan all test files share (./example-plan.ts). Results are shared: renderers must
 * not change them.
 */
export function cachedRunPlan(): typeof runPlan {
  const runs = new Map<string, ReturnType<typeof runPlan>>();
  const orgs = new Map<string, ReturnType<typeof planOrganization>>();
  const plan: typeof planOrganization = (opts) => {
    if ((opts.stacks ?? []).some((s) => !listStacks(opts.stacksDir).includes(s)) || opts.maxPasses !== undefined) return planOrganization(opts);
    // The repository's own stack files: the plan the other test files share.
    if (path.resolve(opts.stacksDir) === path.resolve(STACKS_DIR) && process.env.MLZ_ASSUME_ROLE_NAME === undefined) return examplePlan();
    return memo(orgs, JSON.stringify([opts.stacksDir, folderDigest(opts.stacksDir), process.env.MLZ_ASSUME_ROLE_NAME ?? null]), () => planOrganization({ stacksDir: opts.stacksDir }));
  };
  return (opts: RunPlanOptions) => memo(runs, JSON.stringify([opts, folderDigest(opts.stacksDir), folderDigest(opts.diffDir), process.env.MLZ_ASSUME_ROLE_NAME ?? null]), () => runPlan(opts, { planOrganization: plan }));
}

/** `npm run plan -- <args>` in process: exit status and what it wrote to stdout and stderr. */
export async function planCli(args: string[], deps: { runPlan?: typeof runPlan } = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await runPlanCli(args, { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) }, deps);
  return { status, stdout: stdout.join(""), stderr: stderr.join("") };
}

/** Temporary folders named `<prefix>XXXXXX` under the OS temp dir; `removeAll()` deletes them. */
export function tempDirs(): { make: (prefix: string) => string; removeAll: () => void } {
  const made: string[] = [];
  return {
    make(prefix) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
