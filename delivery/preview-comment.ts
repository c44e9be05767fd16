/**
 * `tsx delivery/preview-comment.ts --base <ref> --out <file>`: the pull-request preview comment.
 * Plans every stack at `<ref>` (git worktree) and diffs the working tree against it with the
 * offline plan CLI, and writes the comment (markdown, starting with PREVIEW_MARKER so the comment
 * workflow finds and updates the same comment on each push).
 *
 * Exit status: 0 clean, 1 mandatory policy violation, 2 the plan could not run. The comment is
 * written in every case.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { offlinePlanDiff, type PlanDiffRunner } from "../promotion/plan-diff";

/** Hidden marker identifying the preview comment. */
export const PREVIEW_MARKER = "<!-- mlz-preview -->";

/** GitHub refuses comments over 65,536 characters. */
export const MAX_COMMENT = 65_000;

export function previewComment(opts: { baseRef: string; headSha?: string; markdown?: string; violations?: boolean; error?: string }): string {
  // The plan's markdown brings its own heading.
  const lines = [PREVIEW_MARKER, `_Every stack planned offline (no cloud access) at \`${opts.headSha ?? "HEAD"}\` and compared with \`${opts.baseRef}\`._`, ""];
  if (opts.error !== undefined) {
    lines.push("> [!CAUTION]", `> The offline plan failed: ${opts.error.replace(/\s+/g, " ").trim()}`);
  } else {
    if (opts.violations) lines.push("> [!CAUTION]", "> **Mandatory policy violation**: this change will not deploy as is.", "");
    lines.push(opts.markdown?.trim() || "_No changes._");
  }
  let body = `${lines.join("\n")}\n`;
  if (body.length > MAX_COMMENT) {
    body = `${body.slice(0, MAX_COMMENT)}\n\n_…truncated: the full diff is in the workflow run's \`preview-comment\` artifact._\n`;
  }
  return body;
}

export const HELP = `Usage: npx tsx delivery/preview-comment.ts --base <ref> --out <file> [--head <sha>] [--full <file>]

Plans every stack at <ref> and diffs the working tree against it (the offline plan, with its
promotion-gates check on the change), and writes the pull-request comment to <file>.

  --base <ref>    git ref the pull request merges into
  --out <file>    where the comment (markdown) is written
  --head <sha>    commit named in the comment; default HEAD
  --full <file>   also write the whole plan diff (markdown) there
  -h, --help      show this help

Exit status: 0 clean, 1 mandatory policy violation or failed check, 2 the plan could not run or
usage error. The comment is written whenever the plan ran.
`;

/** A command-line mistake: one line on stderr, exit 2. */
export class UsageError extends Error {}

export async function main(argv: string[], root = path.resolve(__dirname, ".."), run: PlanDiffRunner = offlinePlanDiff(), out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { base: { type: "string" }, head: { type: "string" }, out: { type: "string" }, full: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (!values.base || !values.out) throw new UsageError("--base <ref> and --out <file> are required (see --help)");
  let code: number;
  let body: string;
  try {
    const diff = await run({ root, baseRef: values.base });
    body = previewComment({ baseRef: values.base, headSha: values.head, markdown: diff.markdown, violations: diff.violations });
    if (values.full) fs.writeFileSync(values.full, diff.markdown);
    code = diff.violations ? 1 : 0;
  } catch (e) {
    body = previewComment({ baseRef: values.base, headSha: values.head, error: (e as Error).message });
    code = 2;
  }
  fs.writeFileSync(values.out, body);
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      process.stderr.write(`preview-comment: ${e.message.split("\n")[0]}\n`);
      process.exitCode = 2;
    },
  );
}
