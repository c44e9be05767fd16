import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Alias, parseDocument } from "yaml";
import { changedLines, detectLayout, getModelVersion, serialiseEdited, setModelVersion } from "../../promotion/yaml-edit";
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
    assert.deepEqual(changedLines(qa, out), [19]);
    assert.equal(out.split("\n")[18], `      versionArn: "${NEW_BIKE}"`);
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

  describe("line endings, byte-order mark and final newline", () => {
    const QA_LINE_12_BEFORE = `      versionArn: ${QA_DEFECT} # promoted 2026-11-10`;
    const QA_LINE_12_AFTER = `      versionArn: ${NEW_DEFECT} # promoted 2026-11-10`;
    const lfEdited = qa.replace(QA_LINE_12_BEFORE, QA_LINE_12_AFTER);

    it("keeps CRLF line endings and changes exactly line 14", () => {
      const crlf = qa.replace(/\n/g, "\r\n");
      const out = setModelVersion(crlf, "stacks/Pulumi.qa.yaml", "defect-detector", NEW_DEFECT);
      assert.equal(out, lfEdited.replace(/\n/g, "\r\n"));
      assert.deepEqual(changedLines(crlf, out), [14]);
      assert.equal(out.split("\r\n")[13], QA_LINE_12_AFTER);
      assert.equal(out.replace(/\r\n/g, "").includes("\n"), false, "no bare LF left");
      assert.equal(getModelVersion(out, "defect-detector"), NEW_DEFECT);
    });

    it("keeps a file without a final newline without one, changing exactly the edited line", () => {
      const bare = qa.replace(/\n$/, "");
      assert.ok(!bare.endsWith("\n"));
      const last = setModelVersion(bare, "stacks/Pulumi.qa.yaml", "bikeshare-classifier", NEW_BIKE);
      assert.equal(last, bare.replace(QA_BIKE, NEW_BIKE));
      assert.deepEqual(changedLines(bare, last), [19]);
      assert.ok(last.endsWith(`      versionArn: "${NEW_BIKE}"`));
      const middle = setModelVersion(bare, "stacks/Pulumi.qa.yaml", "defect-detector", NEW_DEFECT);
      assert.equal(middle, lfEdited.replace(/\n$/, ""));
      assert.deepEqual(changedLines(bare, middle), [14]);
    });

    it("keeps CRLF without a final newline and a byte-order mark together", () => {
      const text = `\uFEFF${qa.replace(/\n$/, "").replace(/\n/g, "\r\n")}`;
      const out = setModelVersion(text, "stacks/Pulumi.qa.yaml", "defect-detector", NEW_DEFECT);
      assert.equal(out, `\uFEFF${lfEdited.replace(/\n$/, "").replace(/\n/g, "\r\n")}`);
      assert.deepEqual(changedLines(text, out), [14]);
    });

    it("refuses mixed line endings and bare CRs, naming the file and the cause", () => {
      const mixed = qa.replace("config:\n", "config:\r\n");
      assert.throws(() => setModelVersion(mixed, "stacks/Pulumi.qa.yaml", "defect-detector", NEW_DEFECT), {
        message: "stacks/Pulumi.qa.yaml: refusing to edit: the file mixes line endings (1 CRLF, 18 LF); use one throughout",
      });
      assert.throws(() => setModelVersion("config:\r  a: b\n", "f.yaml", "m", NEW_DEFECT), {
        message: "f.yaml: refusing to edit: the file holds 1 bare CR (\\r) line ending(s); use LF or CRLF throughout",
      });
    });

    it("detects each layout", () => {
      assert.deepEqual(detectLayout("a: 1\n", "f"), { eol: "\n", bom: false, finalNewline: true });
      assert.deepEqual(detectLayout("a: 1\r\nb: 2", "f"), { eol: "\r\n", bom: false, finalNewline: false });
      assert.deepEqual(detectLayout("\uFEFFa: 1\r\n", "f"), { eol: "\r\n", bom: true, finalNewline: true });
    });
  });

  describe("anchors and aliases", () => {
    const KEY_A = "ml-landing-zone:models.a.versionArn";
    const doc = (a: string, b: string) =>
      `config:\n  ml-landing-zone:models:\n    a:\n      kind: rekognition\n      versionArn: ${a}\n    b:\n      kind: rekognition\n      versionArn: ${b}\n`;

    it("refuses a value whose anchor an alias elsewhere refers to (instead of the library's bare 'Unresolved alias')", () => {
      assert.throws(() => setModelVersion(doc(`&v ${QA_DEFECT}`, "*v"), "stacks/Pulumi.qa.yaml", "a", NEW_DEFECT), {
        message: `stacks/Pulumi.qa.yaml: key '${KEY_A}' cannot be edited: the value carries the anchor &v that an alias (*v) elsewhere refers to, so the edit would change that value too; replace the alias with its own value first`,
      });
    });

    it("refuses a value that is itself an alias", () => {
      assert.throws(() => setModelVersion(doc(`&v ${QA_DEFECT}`, "*v"), "stacks/Pulumi.qa.yaml", "b", NEW_DEFECT), {
        message: "stacks/Pulumi.qa.yaml: key 'ml-landing-zone:models.b.versionArn' cannot be edited: the value is the alias *v to a node defined elsewhere; write it out in place of the alias first",
      });
    });

    it("refuses a value inside an anchored map that an alias reuses, and one reached through an alias", () => {
      const text = `config:\n  ml-landing-zone:models:\n    a: &base\n      kind: rekognition\n      versionArn: ${QA_DEFECT}\n    b: *base\n`;
      assert.throws(() => setModelVersion(text, "f.yaml", "a", NEW_DEFECT), {
        message: `f.yaml: key '${KEY_A}' cannot be edited: the map 'ml-landing-zone:models.a' carries the anchor &base that an alias (*base) elsewhere refers to, so the edit would change that value too; replace the alias with its own value first`,
      });
      assert.throws(() => setModelVersion(text, "f.yaml", "b", NEW_DEFECT), {
        message: "f.yaml: key 'ml-landing-zone:models.b.versionArn' cannot be edited: the map 'ml-landing-zone:models.b' is the alias *base to a node defined elsewhere; write it out in place of the alias first",
      });
    });

    it("keeps an anchor no alias uses, changing only that line", () => {
      const text = doc(`&v ${QA_DEFECT}`, QA_BIKE);
      const out = setModelVersion(text, "f.yaml", "a", NEW_DEFECT);
      assert.equal(out, doc(`&v ${NEW_DEFECT}`, QA_BIKE));
      assert.deepEqual(changedLines(text, out), [5]);
    });

    it("reports a serialisation error of the YAML library naming the file and key", () => {
      const d = parseDocument("config:\n  a: x\n");
      d.setIn(["config", "b"], new Alias("v"));
      assert.throws(() => serialiseEdited(d, "stacks/Pulumi.qa.yaml", KEY_A), {
        message: `stacks/Pulumi.qa.yaml: cannot write '${KEY_A}': serialising the edited YAML failed: Unresolved alias (the anchor must be set before the alias): v`,
      });
    });
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
