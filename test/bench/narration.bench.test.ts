import { strict as assert } from "node:assert";
import { buildStreams, simulate } from "../../bench/narration.bench";
import { applyEdit, EDIT_MIX, editStream, random } from "../../tools/narration/articles";
import { planReport } from "../../functions/shared/narration";
import { tale, VOICES } from "../helpers/narration";

describe("narration benchmark input", () => {
  it("generates versions with monotonic numbers and edits in the documented mix", () => {
    const stream = editStream(tale("redCap"), 400, 7);
    assert.deepEqual(stream.map((s) => s.article.version), Array.from({ length: 401 }, (_, i) => i + 1));
    const counts = new Map<string, number>();
    for (const s of stream.slice(1)) counts.set(s.edit!, (counts.get(s.edit!) ?? 0) + 1);
    for (const [kind, share] of EDIT_MIX) {
      assert.ok(Math.abs((counts.get(kind) ?? 0) / 400 - share) < 0.06, `${kind}: ${counts.get(kind)} of 400`);
    }
  });

  it("each edit changes what it says: a typo one paragraph, metadata nothing spoken", () => {
    const a = tale("motherHolle");
    const typo = applyEdit(a, "typo", random(3));
    assert.equal(typo.paragraphs.filter((p, i) => p !== a.paragraphs[i]).length, 1);
    assert.equal(planReport(applyEdit(a, "metadata", random(3)), a, VOICES).billedCharacters, 0);
    assert.equal(planReport(applyEdit(a, "add-paragraph", random(3)), a, VOICES).toSynthesize.length, 1);
  });

  it("counts billed characters against full re-synthesis over the streams", () => {
    const f = simulate(buildStreams(1, 5));
    assert.equal(f.versions, 3 * 6);
    assert.ok(f.billedCharacters <= f.billedVsPrevious && f.billedVsPrevious < f.fullCharacters);
    assert.equal(f.billedForSilentSaves, 0);
  });
});
