/**
 * The ahead-of-time build of the commands (tools/build.js, tools/cli.js): the bundle answers like
 * the TypeScript source, `--help` loads no package, and an edited source is rebuilt before a run.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { HELP as PLAN_HELP } from "../../plan/cli-help";
import { HELP as GENERATE_HELP } from "../../tools/generate-org";

const ROOT = path.resolve(__dirname, "..", "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require(path.join(ROOT, "tools", "build.js")) as { COMMANDS: Record<string, string>; OUT: string; isFresh(name: string): boolean };

const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, "tools", "cli.js"), ...args], { cwd: ROOT, encoding: "utf8" });

describe("tools/cli.js (commands from their ahead-of-time bundles)", () => {
  it("npm scripts run the commands through tools/cli.js", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
    for (const name of Object.keys(build.COMMANDS)) assert.equal(scripts[name], `node tools/cli.js ${name}`, name);
    assert.equal(scripts.prepare, "node tools/build.js", "npm ci builds the bundles");
  });

  it("plan --help from the bundle prints the help, loading no package", () => {
    assert.equal(cli("plan", "--help").status, 0); // builds the bundle if a source changed
    assert.ok(build.isFresh("plan"));
    const script = `process.argv = [process.argv[0], "cli", "plan", "--help"]; process.on("exit", () => { const pkgs = Object.keys(require.cache).filter((f) => f.includes("node_modules")); process.stderr.write(JSON.stringify(pkgs)); }); require(${JSON.stringify(path.join(ROOT, "tools", "cli.js"))});`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, PLAN_HELP);
    assert.deepEqual(JSON.parse(r.stderr), []);
  });

  it("a bad argument is one line on stderr and exit 2", () => {
    const r = cli("plan", "--format", "yaml");
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "plan: --format must be text, json, markdown or mermaid; got 'yaml'\n");
    const g = cli("generate-org", "--workloads", "x", "--out", "ignored");
    assert.equal(g.status, 2);
    assert.equal(g.stderr, "generate-org: --workloads must be a whole number from 1 to 4000; got 'x'\n");
    const u = cli("nope");
    assert.equal(u.status, 2);
    assert.equal(u.stderr, `cli: expected a command (${Object.keys(build.COMMANDS).join(", ")}); got 'nope'\n`);
  });

  it("every npm command runs from its bundle: --help as the TypeScript source prints it, a bad option one line and exit 2", function () {
    this.timeout(120000);
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
    assert.deepEqual(Object.entries(scripts).filter(([, cmd]) => cmd.includes("tsx")), [], "no npm command transpiles TypeScript at run time");
    for (const [name, entry] of Object.entries(build.COMMANDS)) {
      const help = cli(name, "--help");
      assert.equal(help.status, 0, `${name}: ${help.stderr}`);
      const source = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, entry), "--help"], { cwd: ROOT, encoding: "utf8" });
      assert.equal(help.stdout, source.stdout, name);
      assert.ok(help.stdout.length > 0, name);
      assert.ok(build.isFresh(name), name);
      const bad = cli(name, "--no-such-option");
      assert.equal(bad.status, 2, `${name}: ${bad.stderr}`);
      assert.equal(bad.stdout, "", name);
      assert.equal(bad.stderr.split("\n").length, 2, `${name}: one line: ${bad.stderr}`);
      assert.ok(bad.stderr.includes("--no-such-option"), `${name}: names the option: ${bad.stderr}`);
    }
  });

  it("rebuilds a bundle whose source changed since it was built, before running it", () => {
    assert.equal(cli("generate-org", "--help").stdout, GENERATE_HELP);
    assert.ok(build.isFresh("generate-org"));
    const source = path.join(ROOT, "tools", "generate-org.ts");
    const bundle = path.join(build.OUT, "generate-org.js");
    const before = fs.statSync(bundle).mtimeMs;
    const now = new Date(Date.now() + 1000);
    fs.utimesSync(source, now, now);
    assert.equal(build.isFresh("generate-org"), false, "a newer source makes the bundle stale");
    const r = cli("generate-org", "--help");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, GENERATE_HELP);
    assert.ok(fs.statSync(bundle).mtimeMs > before, "the bundle was rebuilt");
    // A build started before the source's (future) mtime is still stale: no stale run is possible.
    assert.equal(build.isFresh("generate-org"), false);
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(source, past, past);
    assert.equal(build.isFresh("generate-org"), true);
  });
});
