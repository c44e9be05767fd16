/**
 * `npm test`: the type check (`tsc --noEmit`) and the mocha suite, run side by side (the type check
 * takes one core for ~11 s, the suite mostly one core for the rest), so the whole takes the time of
 * the suite. Mocha's output streams as it runs; the type check's is printed once it ends. Exits
 * non-zero when either fails (with mocha's status, else tsc's); arguments are passed to mocha.
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const bin = (pkg, file) => path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] })), file);

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`Usage: npm test [-- <mocha arguments>]

Type-checks the project (tsc --noEmit -p tsconfig.json) and runs every test (mocha, test/**/*.test.ts)
side by side. Arguments after -- go to mocha (e.g. a file: npm test -- test/plan/cli.test.ts).

Exit status: 0 when both pass; otherwise mocha's status, or tsc's when only the type check failed.
`);
  process.exit(0);
}

let tscOut = "";
const tsc = spawn(process.execPath, [bin("typescript", "bin/tsc"), "--noEmit", "-p", "tsconfig.json"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
tsc.stdout.on("data", (d) => (tscOut += d));
tsc.stderr.on("data", (d) => (tscOut += d));
const tscDone = new Promise((resolve) => tsc.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0))));

const mocha = spawn(process.execPath, [bin("mocha", "bin/mocha.js"), ...(args.length > 0 ? args : ["test/**/*.test.ts"])], { cwd: ROOT, stdio: "inherit" });
const mochaDone = new Promise((resolve) => mocha.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0))));

Promise.all([tscDone, mochaDone]).then(([tscCode, mochaCode]) => {
  process.stdout.write(tscCode === 0 ? "\ntype check (tsc --noEmit): no errors\n" : `\ntype check (tsc --noEmit) failed:\n${tscOut}`);
  process.exitCode = mochaCode !== 0 ? mochaCode : tscCode;
});
