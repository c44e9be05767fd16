/**
 * What the command-line tools share: `--help` / `-h` prints the help (exit 0); a usage error is one
 * line on stderr and exit 2; otherwise the parsed arguments.
 */
export function parseCommand<T>(
  argv: readonly string[],
  help: string,
  parse: (argv: readonly string[]) => T,
  out: (s: string) => void,
  err: (s: string) => void,
): { args: T } | { exitCode: number } {
  if (argv.includes("--help") || argv.includes("-h")) {
    out(help);
    return { exitCode: 0 };
  }
  try {
    return { args: parse(argv) };
  } catch (e) {
    // One line: the usage is one --help away.
    err(`${(e as Error).message.split("\n")[0]} (see --help)\n`);
    return { exitCode: 2 };
  }
}
