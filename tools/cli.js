/**
 * `node tools/cli.js <command> [args]`: runs a command from its ahead-of-time bundle in `dist/cli/`
 * (see tools/build.js), rebuilding the bundle first when it is missing or a source file changed
 * since it was built, so an edited checkout never runs stale code. The check stats the bundle's
 * input files (a few milliseconds); esbuild is loaded only to rebuild.
 */
"use strict";
const { COMMANDS, build, bundlePath, isFresh } = require("./build");

const [name, ...args] = process.argv.slice(2);
if (!name || !(name in COMMANDS)) {
  process.stderr.write(`cli: expected a command (${Object.keys(COMMANDS).join(", ")}); got '${name ?? ""}'\n`);
  process.exit(2);
}
const bundle = bundlePath(name);

function start() {
  // The bundle reads its arguments from process.argv.slice(2), as when run directly.
  process.argv = [process.argv[0], bundle, ...args];
  require(bundle);
}

if (isFresh(name)) {
  start();
} else {
  build([name]).then(start, (e) => {
    process.stderr.write(`cli: building ${name} failed: ${e.message}\n`);
    process.exitCode = 2;
  });
}
