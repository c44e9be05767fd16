import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { changedLines, getModelVersion, setModelVersion } from "../../promotion/yaml-edit";
import { fixtureText, NEW_BIKE, NEW_DEFECT, QA_BIKE, QA_DEFECT } from "./fixture";

describe("promotion/yaml-edit", () => {
  const qa = fixtureText("qa");

  it("changes exactly the one line holding the version and keeps its trailing comment", () => {
    const out = setModelVersion(qa, "stacks/Pulumi.qa.yaml", "defect-detector", NEW_DEFECT);
    const before = qa.split("\n");
    const after = out.split("\n");
    assert.equal(after.length, before.length);
    const diff = after.map((l, i) => [i, before[i], l] as const).filter(([, a, b]) => a !== b);
    assert.equal(diff.length, 1);
    const [index, oldLine, newLine] = diff[0];
    assert.equal(oldLine, `      versionArn: ${QA_DEFECT} # promoted 2026-11-10`);
    assert.equal(newLine, `      versionArn: ${NEW_DEFECT} # promoted 2026-11-10`);
    assert.equal(before[index - 1], "      kind: rekognition");
    // Comments, the blank line and the other model are untouched.
    assert.ok(out.startsWith("# QA: the first environment a model version reaches.\nconfig:\n"));
    assert.ok(out.includes("    # Rekognition Custom Labels model trained in the ML account.\n"));
    assert.ok(out.includes("      minF1: 0.85\n\n    bikeshare-classifier:\n"));
    assert.equal(getModelVersion(out, "defect-detector"), NEW_DEFECT);
    assert.equal(getModelVersion(out, "bikeshare-classifier"), QA_BIKE);
  });

  it("keeps the quoting style of a double-quoted value", () => {
    const out = setModelVersion(qa, "stacks/Pulumi.qa.yaml", "bikeshare-classifier", NEW_BIKE);
    assert.deepEqual(changedLines(qa, out), [17]);
    assert.equal(out.split("\n")[16], `      versionArn: "${NEW_BIKE}"`);
  });

  it("keeps a comment line directly above the value (prod fixture)", () => {
    const prod = fixtureText("prod");
    const out = setModelVersion(prod, "stacks/Pulumi.prod.yaml", "defect-detector", NEW_DEFECT);
    assert.equal(changedLines(prod, out).length, 1);
    assert.ok(out.includes(`      # the version serving customers\n      versionArn: ${NEW_DEFECT}\n`));
  });

  it("refuses a model the file does not have, naming the file and key", () => {
    assert.throws(
      () => setModelVersion(qa, "stacks/Pulumi.qa.yaml", "nope", NEW_DEFECT),
      { message: "stacks/Pulumi.qa.yaml: key 'ml-landing-zone:models.nope.versionArn' not found" },
    );
  });

  it("refuses a versionArn that is not a string value", () => {
    const text = "config:\n  ml-landing-zone:models:\n    m:\n      versionArn:\n        nested: 1\n";
    assert.throws(
      () => setModelVersion(text, "f.yaml", "m", NEW_DEFECT),
      { message: "f.yaml: key 'ml-landing-zone:models.m.versionArn' must be a string value" },
    );
  });

  it("refuses invalid YAML", () => {
    assert.throws(() => setModelVersion("config: [\n", "f.yaml", "m", NEW_DEFECT), /^Error: f\.yaml: cannot parse YAML: /);
  });

  it("refuses to write when serialising would reformat other lines", () => {
    // A flow map is re-serialised on one line with different spacing.
    const text = "config:\n  ml-landing-zone:models: {m: {kind: rekognition,\n    versionArn: a}}\n";
    assert.throws(
      () => setModelVersion(text, "f.yaml", "m", NEW_DEFECT),
      /^Error: f\.yaml: refusing to write: editing 'ml-landing-zone:models\.m\.versionArn' would change \d+ lines \(expected exactly 1\)$/,
    );
  });

  it("edits every model of the repository's own workload stack files in exactly one line", () => {
    const dir = path.resolve(__dirname, "..", "..", "stacks");
    let edited = 0;
    for (const f of fs.readdirSync(dir).filter((n) => /^Pulumi\..+\.yaml$/.test(n))) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      const models = (parseDocument(text).toJS() as { config: Record<string, Record<string, { versionArn?: string }>> }).config["ml-landing-zone:models"] ?? {};
      for (const [model, m] of Object.entries(models)) {
        if (m.versionArn === undefined) continue;
        const next = m.versionArn.includes(":sagemaker:") ? NEW_BIKE : NEW_DEFECT;
        const out = setModelVersion(text, `stacks/${f}`, model, next);
        assert.equal(changedLines(text, out).length, 1, `${f} ${model}`);
        assert.equal(getModelVersion(out, model), next);
        edited++;
      }
    }
    assert.ok(edited >= 4, `edited ${edited} model pins`);
  });

  it("counts changed lines", () => {
    assert.deepEqual(changedLines("a\nb\nc", "a\nB\nc"), [2]);
    assert.deepEqual(changedLines("a\nb", "a\nb\nc"), [3]);
    assert.deepEqual(changedLines("a", "a"), []);
  });
});
