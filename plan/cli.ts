/**
 * `npm run plan`: the offline plan of the organization. See `--help`. The command itself is
 * plan/cli-main.ts (callable in process); this file gives it the process's arguments and streams,
 * sets the exit status and watches for stray rejections.
 */
import { EXIT, planCommand } from "./cli-main";

export { HELP } from "./cli-help";

// A program's failed registrations can reject again after its stack was reported as failed; those
// repeats are already in the report. Anything rejected while the plan had no error is a bug here.
let finished: { errors: boolean } | undefined;
const early: unknown[] = [];
const reportUnexpected = (reason: unknown) => {
  process.stderr.write(`plan: unexpected error: ${reason instanceof Error ? reason.message : String(reason)}\n`);
  process.exitCode = EXIT.error;
};
process.on("unhandledRejection", (reason) => {
  if (finished === undefined) early.push(reason);
  else if (!finished.errors) reportUnexpected(reason);
});

planCommand(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then(
  // exitCode, not exit(): a piped stdout must be flushed completely before the process ends.
  ({ exitCode, failedStacks }) => {
    finished = { errors: exitCode === EXIT.error || failedStacks > 0 };
    process.exitCode = exitCode;
    // Rejections during a run that reported errors repeat those errors; otherwise they are bugs.
    if (!finished.errors) early.forEach(reportUnexpected);
  },
  (e) => {
    process.stderr.write(`plan: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.error;
  },
);
