import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { tarball, targz } from "../../helpers/targz";
import { indexArchive, indexKeys, OutputError, readTarGz } from "../../../functions/entities-index/core";

const DIR = path.resolve(__dirname, "..", "..", "fixtures", "legal", "annotations");
/** The three real annotated letters, as Comprehend's output for `Letter N.pdf` (one document per file). */
const LETTERS = fs.readdirSync(DIR).sort().map((f) => {
  const ann = JSON.parse(fs.readFileSync(path.join(DIR, f), "utf8"));
  const pdf = `${f.replace(/-1-[0-9a-f]{8}-ann\.json$/, "")}.pdf`;
  return { pdf, output: { ...ann, File: pdf } };
});

const TYPES = ["Law Firm", "Law Office Address", "Insurance Company", "Insurance Company Address", "Policy Holder Name", "Beneficiary Name", "Policy Number", "Payout", "Required Action", "Sender"];

describe("entities-index core", () => {
  it("indexes every document of an archive built from the real annotations: type, text, score, page, position", async () => {
    const archive = await targz(LETTERS.map((l) => ({ name: `${l.pdf}.out`, content: JSON.stringify(l.output) })));
    const indexes = await indexArchive(archive);
    assert.deepEqual(indexes.map((i) => i.document), ["Letter 0.pdf", "Letter 1.pdf", "Letter 10.pdf"]);
    for (const [n, idx] of indexes.entries()) {
      const ann = LETTERS[n].output;
      assert.equal(idx.pages, 1);
      assert.equal(idx.entities.length, ann.Entities.length);
      assert.deepEqual(idx.entities.map((e) => [e.type, e.text, e.score]), ann.Entities.map((e: any) => [e.Type, e.Text, e.Score]));
      for (const e of idx.entities) {
        assert.ok(TYPES.includes(e.type), e.type);
        assert.equal(e.page, 1);
        const p = e.position;
        assert.ok(p.left >= 0 && p.top >= 0 && p.width > 0 && p.height > 0 && p.left + p.width <= 1 && p.top + p.height <= 1, JSON.stringify(p));
      }
    }
    // Cross-check one entity against its word blocks: "Budget Mutual Insurance Company" in Letter 0.
    const ann0 = LETTERS[0].output;
    const company = ann0.Entities.find((e: any) => e.Text === "Budget Mutual Insurance Company");
    const words = company.BlockReferences[0].ChildBlocks.map((c: any) => ann0.Blocks.find((b: any) => b.Id === c.ChildBlockId).Geometry.BoundingBox);
    const got = indexes[0].entities.find((e) => e.text === "Budget Mutual Insurance Company")!;
    assert.equal(got.position.left, Math.min(...words.map((w: any) => w.Left)));
    assert.equal(got.position.top, Math.min(...words.map((w: any) => w.Top)));
    assert.ok(Math.abs(got.position.left + got.position.width - Math.max(...words.map((w: any) => w.Left + w.Width))) < 1e-12);
  });

  it("a multi-line entity (Required Action over 4 lines) covers all its lines", async () => {
    const l1 = LETTERS[1];
    const indexes = await indexArchive(await targz([{ name: `${l1.pdf}.out`, content: JSON.stringify(l1.output) }]));
    const action = indexes[0].entities.find((e) => e.type === "Required Action")!;
    const lineTops = l1.output.Entities.find((e: any) => e.Type === "Required Action").BlockReferences
      .map((r: any) => l1.output.Blocks.find((b: any) => b.Id === r.BlockId).Geometry.BoundingBox.Top);
    assert.equal(lineTops.length, 4);
    assert.ok(action.position.top <= Math.min(...lineTops) + 1e-9);
    assert.ok(action.position.top + action.position.height >= Math.max(...lineTops));
  });

  it("reports bad or partial output with the file at fault and indexes nothing", async () => {
    const good = { name: `${LETTERS[0].pdf}.out`, content: JSON.stringify(LETTERS[0].output) };
    const broken = structuredClone(LETTERS[1].output);
    broken.Entities[2].BlockReferences[0].BlockId = "no-such-block";
    delete broken.Entities[4].Score;
    const cases: [Buffer, RegExp][] = [
      [await targz([good, { name: "Letter 1.pdf.out", content: JSON.stringify(broken) }]),
        /Letter 1\.pdf\.out: Entities\[2\] \(Law Firm\): references block no-such-block, which the document does not have; Letter 1\.pdf\.out: Entities\[4\]: expected Type, Text and a numeric Score/],
      [await targz([good, { name: "Letter 10.pdf.out", content: JSON.stringify(LETTERS[2].output).slice(0, 5000) }]), /Letter 10\.pdf\.out: is not JSON/],
      [await targz([good, { name: "x.out", content: JSON.stringify({ ...LETTERS[2].output, Errors: [{ Page: 1, ErrorCode: "TEXTRACT_BAD_PAGE" }] }) }]), /x\.out: Comprehend reported 1 page error\(s\)/],
      [await targz([good, { name: "t.out", content: JSON.stringify({ File: "t.txt", Line: 0, Entities: [] }) }]), /t\.out: Blocks is missing/],
      [(await targz([good])).subarray(0, 400), /not a complete gzip file/],
      [gzipSync((await tarball([good])).subarray(0, 700)), /not a complete tar file|holds no document output/],
      [Buffer.from("not an archive"), /not a complete gzip file/],
    ];
    for (const [archive, re] of cases) {
      await assert.rejects(indexArchive(archive), (e: OutputError) => e instanceof OutputError && re.test(e.message) && /nothing was written/.test(e.message));
    }
  });

  it("reads every regular file of the archive in order", async () => {
    const files = await readTarGz(await targz([{ name: "a.out", content: "1" }, { name: "b/c.out", content: "2" }]));
    assert.deepEqual(files.map((f) => [f.name, f.content.toString()]), [["a.out", "1"], ["b/c.out", "2"]]);
  });

  it("puts the indexes under the job's folder", () => {
    assert.deepEqual(indexKeys("entities/output/555555555555-NER-abc123/output/output.tar.gz", "entities/index/", [{ document: "Letter 0.pdf", entities: [] }]),
      ["entities/index/555555555555-NER-abc123/Letter 0.pdf.json"]);
    assert.throws(() => indexKeys("entities/output/x.tar.gz", "entities/index/", []), /not a Comprehend job archive/);
  });
});
