import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { rewriteManifest } from "../../../../components/pipelines/language/manifest";

const MANIFEST = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "..", "datasets", "legal-entities", "output.manifest"), "utf8");
const ATTR = "legal-entity-label-job-labeling-job-20220104T172242";
const R = { bucket: "example-mlz-ml-legal-entities", sourcePrefix: "source/", annotationsPrefix: "annotations/", attributeName: ATTR };

describe("augmented manifest rewrite", () => {
  it("points all 296 letters and annotations of the real manifest at the training bucket, changing nothing else", () => {
    const out = rewriteManifest(MANIFEST, R);
    assert.equal(out.lines, 296);
    assert.deepEqual(out.labels, ["Law Firm", "Law Office Address", "Insurance Company", "Insurance Company Address", "Policy Holder Name", "Beneficiary Name", "Policy Number", "Payout", "Required Action", "Sender"]);
    const before = MANIFEST.trim().split("\n").map((l) => JSON.parse(l));
    const after = out.text.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(after[0]["source-ref"], "s3://example-mlz-ml-legal-entities/source/Letter 36.pdf");
    assert.equal(after[0][ATTR]["annotation-ref"], "s3://example-mlz-ml-legal-entities/annotations/Letter 36-1-21e16c6e-ann.json");
    for (const [i, a] of after.entries()) {
      assert.ok(a["source-ref"].startsWith("s3://example-mlz-ml-legal-entities/source/"));
      assert.ok(a[ATTR]["annotation-ref"].startsWith("s3://example-mlz-ml-legal-entities/annotations/"));
      const b = before[i];
      assert.deepEqual({ ...a, "source-ref": "", [ATTR]: {} }, { ...b, "source-ref": "", [ATTR]: {} });
      assert.deepEqual({ ...a[ATTR], "annotation-ref": "" }, { ...b[ATTR], "annotation-ref": "" });
    }
    assert.ok(out.text.endsWith("}\n"));
  });

  it("reports a wrong attribute name and malformed lines with their line numbers", () => {
    assert.throws(() => rewriteManifest(MANIFEST, { ...R, attributeName: "labels" }, "output.manifest"),
      /output\.manifest:1: has no labels\.annotation-ref \(attributes with annotations: legal-entity-label-job-labeling-job-20220104T172242\); .* and 286 more/);
    const lines = MANIFEST.split("\n");
    const broken = [lines[0], "{not json", lines[2].replace('"source-ref":"s3://', '"source-ref":"http://')].join("\n");
    assert.throws(() => rewriteManifest(broken, R, "m"), /m:2: not JSON .*; m:3: source-ref must be an s3:\/\/ object URI/);
    assert.throws(() => rewriteManifest("\n", R, "m"), /m: the augmented manifest holds no document/);
  });
});
