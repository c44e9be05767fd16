import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { buildInvocations, FALLBACK_FILE } from "../../bench/bikeshare-transform.bench";

describe("bikeshare-transform benchmark input", () => {
  it("splits real rows into header-carrying records within Firehose's limits, cycling through the file", () => {
    const csv = fs.readFileSync(FALLBACK_FILE, "utf8");
    const header = csv.split("\n")[0];
    const invocations = buildInvocations(csv, 1_000, 100, 30_000);
    const records = invocations.flat();
    assert.equal(records.length, 10);
    const texts = records.map((r) => Buffer.from(r.data, "base64").toString("utf8"));
    assert.ok(texts.every((t) => t.startsWith(`${header}\n`) && t.trimEnd().split("\n").length === 101));
    assert.ok(records.every((r) => Buffer.byteLength(r.data, "base64") < 1_000 * 1024));
    assert.ok(invocations.every((b) => b.reduce((s, r) => s + Buffer.byteLength(r.data, "base64"), 0) <= 30_000));
    assert.equal(new Set(records.map((r) => r.recordId)).size, 10);
    // Row 42 of the stream is row 42 % 41 of the file's data rows.
    const fileRows = csv.trimEnd().split("\n").slice(1);
    assert.equal(texts[0].trimEnd().split("\n")[42], fileRows[41 % fileRows.length]);
    assert.equal(texts[0].trimEnd().split("\n")[42], fileRows[0]);
  });
});
