import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { lockedVersions, runtimePackages } from "../../components/lambda/native-packages";
import { enforceLocalPrerequisites, localPrerequisiteProblems, runsUnderMocks } from "../../stacks/prerequisites";
import type { StackConfig } from "../../stacks/config";

/** A lakehouse config with only the fields the check reads. */
function lakehouse(architecture?: "arm64" | "x86_64"): StackConfig {
  const imageNormalization = architecture ? { architecture } : undefined;
  return { role: "lakehouse", imageNormalization } as unknown as StackConfig;
}

/** Writes package.json files for sharp's arm64 runtime packages under `root`, at the locked versions unless `override` says otherwise. */
function prepare(root: string, override: Record<string, string> = {}): void {
  for (const p of lockedVersions(runtimePackages("sharp", "arm64"))) {
    const dir = path.join(root, "linux-arm64", "node_modules", p.name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: p.name, version: override[p.name] ?? p.version }));
  }
}

describe("local prerequisites of a stack's deployment", () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-native-")); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("names the missing native packages and the command, per architecture", () => {
    const sharp = lockedVersions(["sharp"])[0].version;
    const [arm] = localPrerequisiteProblems("lakehouse", lakehouse("arm64"), root);
    assert.match(arm, /^stacks\/Pulumi\.lakehouse\.yaml: imageNormalization: the Lambda code archive ships sharp for linux-arm64 from .*linux-arm64\/node_modules, which lacks /);
    assert.ok(arm.includes(`sharp@${sharp}`) && arm.includes(`@img/sharp-linux-arm64@${sharp}`), arm);
    assert.ok(arm.endsWith(": run `npm run lambda:native` before pulumi preview or pulumi up"), arm);
    const [x86] = localPrerequisiteProblems("lh", lakehouse("x86_64"), root);
    assert.ok(x86.includes("linux-x64") && x86.endsWith("run `npm run lambda:native -- --arch x86_64` before pulumi preview or pulumi up"), x86);
  });

  it("is satisfied by a prepared folder at the locked versions, not by another version", () => {
    prepare(root);
    assert.deepEqual(localPrerequisiteProblems("lakehouse", lakehouse("arm64"), root), []);
    prepare(root, { "@img/sharp-libvips-linux-arm64": "0.0.1" });
    const [p] = localPrerequisiteProblems("lakehouse", lakehouse("arm64"), root);
    assert.match(p, /which lacks @img\/sharp-libvips-linux-arm64@[\d.]+: run/);
  });

  it("asks nothing of a stack without image normalization", () => {
    assert.deepEqual(localPrerequisiteProblems("lakehouse", lakehouse(), root), []);
    assert.deepEqual(localPrerequisiteProblems("ml", { role: "ml" } as unknown as StackConfig, root), []);
  });

  it("throws for a real deployment, warns under the runtime mocks, and is silent when nothing is missing", () => {
    const warned: string[] = [];
    assert.throws(() => enforceLocalPrerequisites(["a: missing x", "b: missing y"], false, (m) => warned.push(m)), /^Error: a: missing x\nb: missing y$/);
    assert.equal(warned.length, 0);
    enforceLocalPrerequisites(["a: missing x"], true, (m) => warned.push(m));
    assert.deepEqual(warned, ["a: missing x (the offline plan does not read code archives; pulumi up would fail)"]);
    enforceLocalPrerequisites([], false, () => assert.fail("no warning expected"));
  });

  it("recognizes the SDK's runtime mocks (the offline plan's and the tests' monitor)", () => {
    pulumi.runtime.setMocks({ newResource: () => ({ id: "x", state: {} }), call: () => ({}) }, "ml-landing-zone", "lakehouse", false);
    assert.equal(runsUnderMocks(), true);
  });
});
