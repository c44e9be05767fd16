/**
 * What `pulumi up` needs from the project: Pulumi.yaml pointing at the entry in stacks/, stack
 * config in stacks/, a TypeScript 5 compiler (the Pulumi runtime compiles through ts-node and the
 * TypeScript API), and a program that compiles and runs that way.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");

describe("Pulumi project and runtime", function () {
  this.timeout(120000);

  it("declares the project, the TypeScript runtime, the entry in stacks/ and stackConfigDir", () => {
    const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    assert.deepEqual(
      { name: project.name, runtime: project.runtime, main: project.main, stackConfigDir: project.stackConfigDir },
      { name: "ml-landing-zone", runtime: { name: "nodejs", options: { typescript: true } }, main: "stacks/index.ts", stackConfigDir: "stacks" },
    );
    assert.ok(fs.existsSync(path.join(ROOT, project.main)));
  });

  it("pins a TypeScript 5 compiler with a JS API, and ts-node for the Pulumi runtime", () => {
    const ts = require("typescript") as { version: string; transpileModule: unknown };
    assert.match(ts.version, /^5\./);
    assert.equal(typeof ts.transpileModule, "function");
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    assert.match(pkg.devDependencies.typescript, /^~5\./);
    assert.ok(pkg.devDependencies["ts-node"], "ts-node must be installed for the Pulumi runtime");
  });

  // One ts-node process (transpile-only, as the Pulumi runtime runs a TypeScript program) serves
  // the two tests below: it loads the entry, then plans every stack.
  let runtime: { status: number | null; stdout: string; stderr: string };
  let result: { entry: string; exit: number; stacks: string[]; errors: unknown[] };
  before(function () {
    this.timeout(120000);
    const script = `const m = require("./stacks/index.ts"); const entry = typeof m + ":" + m.name;
      require("./plan/run.ts").runPlan({ stacksDir: require("path").resolve("stacks") })
      .then((r) => process.stdout.write(JSON.stringify({ entry, exit: r.exitCode, stacks: r.report.stacks.map((s) => s.plan.stack), errors: r.report.errors })));`;
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, encoding: "utf8" });
    runtime = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    result = r.status === 0 ? JSON.parse(r.stdout) : undefined;
  });

  it("compiles and runs every stack program through ts-node, as the Pulumi runtime does", () => {
    assert.equal(runtime.status, 0, runtime.stderr);
    const { exit, stacks, errors } = result;
    assert.deepEqual({ exit, stacks, errors }, { exit: 0, stacks: ["management", "cicd", "lakehouse", "ml", "prod", "qa"], errors: [] });
  });

  it("exports the program as a function whose result becomes the stack outputs", () => {
    assert.equal(runtime.status, 0, runtime.stderr);
    assert.equal(result.entry, "function:runStack", runtime.stderr);
  });
});
