/**
 * The arrows run one way: functions and components (and lib) at the bottom, stacks above
 * components, plan and promotion above stacks, policies usable by plan without importing it.
 * Reads every source file's imports (static, `import()` and `require`) with the TypeScript parser.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** Top-level folders a folder's code must never import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  lib: ["components", "functions", "stacks", "plan", "promotion", "delivery", "policies", "tools"],
  components: ["stacks", "plan", "promotion", "delivery", "policies", "tools"],
  policies: ["stacks", "plan", "promotion", "delivery", "tools"],
  functions: ["lib", "components", "stacks", "plan", "promotion", "delivery", "policies", "tools"],
  stacks: ["plan", "promotion", "delivery", "policies", "tools"],
};

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(full);
    return /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [full] : [];
  });
}

/** Every module specifier `file` imports. */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The violations of `FORBIDDEN` (and of functions/ importing `@pulumi/*`) in `files`. */
export function layerViolations(files: { file: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { file, text } of files) {
    const folder = path.relative(ROOT, file).split(path.sep)[0];
    const forbidden = FORBIDDEN[folder];
    if (!forbidden) continue;
    for (const spec of importsOf(text)) {
      if (folder === "functions" && spec.startsWith("@pulumi/")) {
        found.push(`${path.relative(ROOT, file)} imports ${spec}`);
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
      if (forbidden.includes(target)) found.push(`${path.relative(ROOT, file)} imports ${spec} (${target}/)`);
    }
  }
  return found;
}

describe("architecture: imports run one way", () => {
  it("finds imports the way TypeScript does (static, type-only, import() and require)", () => {
    assert.deepEqual(
      importsOf(`import a from "./a";\nimport type { B } from "../b";\nexport * from "./c";\nconst d = require("../d");\nasync function f() { await import("@pulumi/e"); }`),
      ["./a", "../b", "./c", "../d", "@pulumi/e"],
    );
  });

  it("reports a component importing stacks/ and a handler importing @pulumi/* or components/", () => {
    const at = (rel: string) => path.join(ROOT, rel);
    assert.deepEqual(layerViolations([
      { file: at("components/models/x.ts"), text: `import { PROJECT } from "../../stacks/config";` },
      { file: at("policies/x.ts"), text: `import type { StackPlan } from "../plan/types";` },
      { file: at("functions/x/index.ts"), text: `import * as pulumi from "@pulumi/pulumi";\nimport { y } from "../../components/aws";` },
      { file: at("components/models/ok.ts"), text: `import { arn } from "../aws";\nimport * as pulumi from "@pulumi/pulumi";` },
      { file: at("plan/ok.ts"), text: `import { x } from "../stacks/config";` },
    ]), [
      "components/models/x.ts imports ../../stacks/config (stacks/)",
      "policies/x.ts imports ../plan/types (plan/)",
      "functions/x/index.ts imports @pulumi/pulumi",
      "functions/x/index.ts imports ../../components/aws (components/)",
    ]);
  });

  it("holds for every source file of the project", () => {
    const files = Object.keys(FORBIDDEN).flatMap((folder) => sourceFiles(path.join(ROOT, folder)))
      .map((file) => ({ file, text: fs.readFileSync(file, "utf8") }));
    assert.ok(files.length > 50, `expected the project's source files; read ${files.length}`);
    assert.deepEqual(layerViolations(files), []);
  });
});
