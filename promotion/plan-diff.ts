/**
 * The offline plan diff for a promotion pull request: plan every stack as the base ref holds it
 * (`npm run plan -- --out <dir>` in a temporary git worktree of the ref), then diff the working
 * tree against those plans (`npm run plan -- --diff <dir> --format markdown`).
 *
 * Exit codes of the plan CLI: 0 clean, 1 mandatory policy violation (the markdown is still
 * produced), 2 error.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface PlanDiffResult {
  readonly markdown: string;
  /** The plan of the working tree has a mandatory policy violation. */
  readonly violations: boolean;
}

/** Computes the markdown diff of the working tree at `root` against `baseRef`. */
export type PlanDiffRunner = (opts: { root: string; baseRef: string }) => Promise<PlanDiffResult>;

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}
export type Exec = (file: string, args: string[], cwd: string) => Promise<ExecResult>;

export const execProcess: Exec = (file, args, cwd) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== "number") {
        reject(error);
        return;
      }
      resolve({ code: error ? ((error as { code?: number }).code as number) : 0, stdout, stderr });
    });
  });

/** The real runner: git worktree + the project's plan CLI through tsx. */
export function offlinePlanDiff(exec: Exec = execProcess): PlanDiffRunner {
  return async ({ root, baseRef }) => {
    if (baseRef.startsWith("-")) throw new Error(`invalid git ref '${baseRef}'`);
    const tsx = path.join(root, "node_modules", ".bin", "tsx");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-plan-"));
    const worktree = path.join(tmp, "base");
    const basePlans = path.join(tmp, "plans");
    try {
      const add = await exec("git", ["worktree", "add", "--detach", worktree, baseRef], root);
      if (add.code !== 0) throw new Error(`git worktree add ${baseRef} failed: ${add.stderr.trim()}`);
      // The base checkout shares this checkout's installed packages.
      fs.symlinkSync(path.join(root, "node_modules"), path.join(worktree, "node_modules"), "dir");
      const out = await exec(tsx, ["plan/cli.ts", "--out", basePlans], worktree);
      if (out.code !== 0 && out.code !== 1) {
        throw new Error(`offline plan of ${baseRef} failed (exit ${out.code}): ${lastLines(out.stderr || out.stdout)}`);
      }
      const diff = await exec(tsx, ["plan/cli.ts", "--diff", basePlans, "--format", "markdown"], root);
      if (diff.code !== 0 && diff.code !== 1) {
        throw new Error(`offline plan diff failed (exit ${diff.code}): ${lastLines(diff.stderr || diff.stdout)}`);
      }
      return { markdown: diff.stdout, violations: diff.code === 1 };
    } finally {
      await exec("git", ["worktree", "remove", "--force", worktree], root).catch(() => undefined);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
}

function lastLines(s: string, n = 5): string {
  return s.trim().split("\n").slice(-n).join(" | ");
}
