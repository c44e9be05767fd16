/**
 * `npm run -s drift-report`: one GitHub issue per drifted stack, from refreshed previews. See `--help`.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { InputError, parsePreview } from "./compare-preview";
import { driftReport, issueBody, syncDriftIssue, type DriftReport, type SyncResult } from "./drift";
import { createOctokit } from "../promotion/github";

export const HELP = `Usage: npm run -s drift-report -- --stack <stack>=<preview.json> [--stack ...] [--repo <owner/name>] [--run-url <url>] [--dry-run]

Reads 'pulumi preview --refresh --expect-no-changes --json --stack <stack>' output for each stack
and keeps one GitHub issue per stack (label 'drift', title 'Drift: stack <stack>'): opened or
updated with the drifted resources and properties while AWS differs from the program, closed with
a comment when the stack is clean again. A preview that reported errors touches no issue.

Options:
  --stack <stack>=<file>  A stack's refreshed preview (repeatable).
  --repo <owner/name>     Repository for the issues. Default: $GITHUB_REPOSITORY.
  --run-url <url>         Link to the workflow run, written into the issues.
  --dry-run               Print each stack's status and issue text; call no API.
  -h, --help              Show this help.

Environment: GITHUB_TOKEN (issues: write), GITHUB_API_URL (default https://api.github.com).

Exit status: 0 every stack clean; 1 a stack drifted or its preview reported errors; 2 bad input
or an API error.
`;

interface Options {
  stacks: Array<{ stack: string; file: string }>;
  repo?: { owner: string; repo: string };
  runUrl?: string;
  dryRun: boolean;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): { help: true } | (Options & { help: false }) {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", multiple: true },
        repo: { type: "string" },
        "run-url": { type: "string" },
        "dry-run": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    });
  } catch (e) {
    throw new InputError(`${(e as Error).message} (see --help)`);
  }
  const v = args.values;
  if (v.help) return { help: true };
  if (!v.stack || v.stack.length === 0) throw new InputError("at least one --stack <stack>=<preview.json> is required");
  const seen = new Set<string>();
  const stacks = v.stack.map((spec) => {
    const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(spec);
    if (!m) throw new InputError(`--stack must be <stack>=<preview.json>; got '${spec}'`);
    if (seen.has(m[1])) throw new InputError(`--stack: stack '${m[1]}' given twice`);
    seen.add(m[1]);
    return { stack: m[1], file: m[2] };
  });
  const dryRun = v["dry-run"] === true;
  const repoText = v.repo ?? env.GITHUB_REPOSITORY;
  let repo: Options["repo"];
  if (repoText !== undefined) {
    const m = /^([\w.-]+)\/([\w.-]+)$/.exec(repoText);
    if (!m) throw new InputError(`--repo must be <owner>/<name>; got '${repoText}'`);
    repo = { owner: m[1], repo: m[2] };
  } else if (!dryRun) throw new InputError("--repo <owner/name> is required (or GITHUB_REPOSITORY)");
  if (!dryRun && !env.GITHUB_TOKEN) throw new InputError("GITHUB_TOKEN is not set: the drift issues need a token with issues: write");
  return { help: false, stacks, repo, runUrl: v["run-url"], dryRun };
}

export function readReports(stacks: Options["stacks"]): DriftReport[] {
  return stacks.map(({ stack, file }) => {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new InputError(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
    return driftReport(stack, parsePreview(text, file, stack));
  });
}

export function statusLine(r: DriftReport, s?: SyncResult): string {
  const what = r.status === "clean" ? "clean" : r.status === "error" ? `preview failed (${r.errors[0] ?? "error"}); issue left as it is` : `drifted: ${r.resources.length} resource(s)`;
  const issue = s && s.action !== "none" && s.action !== "skipped" ? `; issue #${s.number} ${s.action}` : "";
  return `${r.stack}: ${what}${issue}`;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string }> {
  const o = parseCli(argv, env);
  if (o.help) return { code: 0, stdout: HELP };
  const reports = readReports(o.stacks);
  const lines: string[] = [];
  if (o.dryRun) {
    for (const r of reports) {
      lines.push(statusLine(r));
      if (r.status === "drifted") lines.push(issueBody(r, o.runUrl));
    }
  } else {
    const octokit = await createOctokit({ token: env.GITHUB_TOKEN!, baseUrl: env.GITHUB_API_URL });
    for (const r of reports) lines.push(statusLine(r, await syncDriftIssue(octokit, o.repo!, r, o.runUrl)));
  }
  return { code: reports.every((r) => r.status === "clean") ? 0 : 1, stdout: lines.join("\n") + "\n" };
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    ({ code, stdout }) => {
      process.stdout.write(stdout);
      process.exitCode = code;
    },
    (e) => {
      const msg = e instanceof InputError ? e.message : `GitHub API: ${(e as Error).message}`;
      process.stderr.write(`drift-report: ${msg.split("\n")[0]}\n`);
      process.exitCode = 2;
    },
  );
}
