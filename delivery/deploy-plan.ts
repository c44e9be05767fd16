/**
 * `tsx delivery/deploy-plan.ts --base <sha> --head <sha> [--github-output]`: the ordered deploy
 * steps for the commits between base and head, as JSON (with `--github-output`, also the outputs
 * `steps` (job ids in order) and `stacks` (distinct stack names in order)). deploy.yml runs it and gates one job per
 * step id; every step id must be a job of `.github/workflows/deploy.yml`, or this fails loudly.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { parseStackFileText, stackFilePath } from "../stacks/config";
import { deploySteps, modelsChanged, type ChangeSet, type DeployStep, type StackInfo } from "./deploy-order";

export const DEPLOY_WORKFLOW = ".github/workflows/deploy.yml";

export interface GitReader {
  /** `git diff --name-only base head` */
  changedFiles(base: string, head: string): string[];
  /** Stack file names under `stacks/` at `ref`. */
  stackFiles(ref: string): string[];
  /** File text at `ref`, or `undefined` when absent. */
  show(ref: string, file: string): string | undefined;
  /** Whether `ref` names a commit this clone has. */
  hasCommit(ref: string): boolean;
}

export function gitReader(root: string): GitReader {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return {
    changedFiles: (base, head) => git("diff", "--name-only", "--no-renames", base, head).split("\n").filter(Boolean),
    stackFiles: (ref) => git("ls-tree", "--name-only", `${ref}:stacks`).split("\n").filter((f) => /^Pulumi\..+\.yaml$/.test(f)),
    show: (ref, file) => {
      try {
        return git("show", `${ref}:${file}`);
      } catch {
        return undefined;
      }
    },
    hasCommit: (ref) => {
      try {
        git("cat-file", "-e", `${ref}^{commit}`);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Builds the change set between two commits. `base` of all zeros (a new branch) or unknown → everything. */
export function changeSetBetween(reader: GitReader, base: string, head: string): ChangeSet {
  const stacks: StackInfo[] = reader.stackFiles(head).map((f) => {
    const name = /^Pulumi\.(.+)\.yaml$/.exec(f)![1];
    const parsed = parseStackFileText(name, reader.show(head, stackFilePath(name)) ?? "");
    return { name, role: String(parsed.values.role) };
  });
  if (/^0+$/.test(base) || !reader.hasCommit(base)) {
    return { files: [], stacks, modelChanges: [], all: true };
  }
  const files = reader.changedFiles(base, head);
  const modelChanges = stacks
    .filter((s) => files.includes(stackFilePath(s.name)))
    .filter((s) => modelsChanged(reader.show(base, stackFilePath(s.name)), reader.show(head, stackFilePath(s.name))))
    .map((s) => s.name);
  return { files, stacks, modelChanges };
}

/** Throws when a step has no job in the deploy workflow. */
export function checkJobsExist(steps: DeployStep[], workflowText: string): void {
  const jobs = Object.keys((parse(workflowText) as { jobs?: Record<string, unknown> }).jobs ?? {});
  const missing = steps.filter((s) => !jobs.includes(s.id));
  if (missing.length > 0) {
    throw new Error(`${DEPLOY_WORKFLOW} has no job for step(s) ${missing.map((s) => s.id).join(", ")}: add one per stack`);
  }
}

export const HELP = `Usage: npx tsx promotion/deploy-plan.ts --base <sha> --head <sha> [--github-output]

Prints, as JSON, the ordered deploy steps (jobs of ${DEPLOY_WORKFLOW}) for the commits between
base and head: stacks in dependency order; a promotion deploys the ML stack, the stack, then
<ml>-revoke. A base of all zeros or unknown to this clone deploys every stack.

  --base <sha>       commit before the change (the push's 'before')
  --head <sha>       commit after the change
  --github-output    also append steps=<json> and stacks=<json> to $GITHUB_OUTPUT
  -h, --help         show this help

Exit status: 0 steps printed, 1 a step has no job or git failed, 2 usage error.
`;

/** A command-line mistake: one line on stderr, exit 2. */
export class UsageError extends Error {}

export function main(argv: string[], root = path.resolve(__dirname, ".."), reader: GitReader = gitReader(root), env = process.env): { code: number; output: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { base: { type: "string" }, head: { type: "string" }, "github-output": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  if (values.help) return { code: 0, output: HELP.trimEnd() };
  if (!values.base || !values.head) throw new UsageError("--base <sha> and --head <sha> are required (see --help)");
  const steps = deploySteps(changeSetBetween(reader, values.base, values.head));
  checkJobsExist(steps, fs.readFileSync(path.join(root, DEPLOY_WORKFLOW), "utf8"));
  const ids = JSON.stringify(steps.map((s) => s.id));
  const stacks = JSON.stringify([...new Set(steps.map((s) => s.stack))]);
  if (values["github-output"]) {
    if (!env.GITHUB_OUTPUT) throw new Error("--github-output needs GITHUB_OUTPUT");
    fs.appendFileSync(env.GITHUB_OUTPUT, `steps=${ids}\nstacks=${stacks}\n`);
  }
  return { code: 0, output: JSON.stringify({ steps: steps.map((s) => s.id), details: steps }, null, 2) };
}

if (require.main === module) {
  try {
    const { code, output } = main(process.argv.slice(2));
    process.stdout.write(`${output}\n`);
    process.exitCode = code;
  } catch (e) {
    process.stderr.write(`deploy-plan: ${(e as Error).message.split("\n")[0]}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}
