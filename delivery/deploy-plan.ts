/**
 * `tsx delivery/deploy-plan.ts --base <sha> --head <sha> [--github-output]`: the ordered deploy
 * steps for the commits between base and head, as JSON (with `--github-output`, also the outputs
 * `steps` (step ids in order), `stacks` (distinct stack names in order), and `workloads` /
 * `gated-workloads` (the workload stacks the two matrix jobs deploy, as JSON lists)). deploy.yml runs it and gates one job per
 * step id; every step id must be a job of `.github/workflows/deploy.yml`, or this fails loudly.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { deploySteps, gateDepth, modelsChanged, type ChangeSet, type DeployStep, type StackInfo } from "./deploy-order";
import { stackConfig } from "../stacks/paths";

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
  const { parseStackFileText, stackFilePath } = stackConfig();
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

/** The matrix jobs of deploy.yml that deploy workload stacks: ungated ones, then gated ones (prod). */
export const WORKLOAD_JOBS = ["workloads", "gated-workloads"] as const;

/**
 * The deploy.yml job that runs a step: a workload stack's deploy is a leg of the `workloads` matrix
 * (or of `gated-workloads` for a stack behind a promotion gate, e.g. prod after qa); every other
 * step has a job named by its id. A chain of gates deeper than one (a gate of a gated stack) would
 * need a third wave of jobs and is refused.
 */
export function jobOf(step: DeployStep, stacks: readonly StackInfo[]): string {
  const role = stacks.find((s) => s.name === step.stack)?.role;
  if (role !== "workload" || step.purpose !== "deploy") return step.id;
  const depth = gateDepth(step.stack);
  if (depth > 1) throw new Error(`stack '${step.stack}' is behind ${depth} promotion gates (promotion/gates.ts); ${DEPLOY_WORKFLOW} deploys at most one gated wave`);
  return WORKLOAD_JOBS[depth];
}

/** Throws when a step has no job in the deploy workflow. */
export function checkJobsExist(steps: DeployStep[], workflowText: string, stacks: readonly StackInfo[] = []): void {
  const jobs = Object.keys((parse(workflowText) as { jobs?: Record<string, unknown> }).jobs ?? {});
  const missing = steps.filter((s) => !jobs.includes(jobOf(s, stacks)));
  if (missing.length > 0) {
    throw new Error(`${DEPLOY_WORKFLOW} has no job for step(s) ${missing.map((s) => `${s.id} (job ${jobOf(s, stacks)})`).join(", ")}: add one per stack`);
  }
}

/** The workload stacks each matrix job deploys, in deploy order. */
export function workloadMatrices(steps: DeployStep[], stacks: readonly StackInfo[]): Record<(typeof WORKLOAD_JOBS)[number], string[]> {
  const out: Record<string, string[]> = Object.fromEntries(WORKLOAD_JOBS.map((j) => [j, []]));
  for (const step of steps) {
    const job = jobOf(step, stacks);
    if (job in out) out[job].push(step.stack);
  }
  return out as Record<(typeof WORKLOAD_JOBS)[number], string[]>;
}

export const HELP = `Usage: npx tsx delivery/deploy-plan.ts --base <sha> --head <sha> [--github-output]

Prints, as JSON, the ordered deploy steps (jobs of ${DEPLOY_WORKFLOW}) for the commits between
base and head: stacks in dependency order; a promotion deploys the ML stack, the stack, then
<ml>-revoke. A base of all zeros or unknown to this clone deploys every stack.

  --base <sha>       commit before the change (the push's 'before')
  --head <sha>       commit after the change
  --github-output    also append steps=<json>, stacks=<json> and the workload matrices to $GITHUB_OUTPUT
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
  const cs = changeSetBetween(reader, values.base, values.head);
  const steps = deploySteps(cs);
  checkJobsExist(steps, fs.readFileSync(path.join(root, DEPLOY_WORKFLOW), "utf8"), cs.stacks);
  const ids = JSON.stringify(steps.map((s) => s.id));
  const stacks = JSON.stringify([...new Set(steps.map((s) => s.stack))]);
  const matrices = workloadMatrices(steps, cs.stacks);
  if (values["github-output"]) {
    if (!env.GITHUB_OUTPUT) throw new Error("--github-output needs GITHUB_OUTPUT");
    fs.appendFileSync(env.GITHUB_OUTPUT, `steps=${ids}\nstacks=${stacks}\n${WORKLOAD_JOBS.map((j) => `${j}=${JSON.stringify(matrices[j])}\n`).join("")}`);
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
