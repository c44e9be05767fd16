import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "csv-parse/sync";
import { transformCsv } from "../../../functions/bikeshare-transform/core";
import {
  holdoutSize,
  mulberry32,
  negativesToKeep,
  prepareTrainingSet,
  readTrips,
  shuffleInPlace,
  type Table,
} from "../../../tools/bikeshare-training-prep/core";

const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures", "bikeshare");
const rowsOf = (csv: string) => parse(csv) as string[][];

function table(labels: string[]): Table {
  return { columns: ["id", "bike_share_for_all_trip"], rows: labels.map((l, i) => [String(i), l]), droppedColumns: [] };
}

describe("bikeshare-training-prep core", () => {
  it("mulberry32 is a fixed sequence for a seed", () => {
    const a = mulberry32(42);
    const first = [a(), a(), a()];
    const b = mulberry32(42);
    assert.deepEqual([b(), b(), b()], first);
    // Reference values of mulberry32(42) (the widely published algorithm).
    assert.equal(Math.floor(first[0] * 2 ** 32), 2581720956);
    assert.ok(first.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual([mulberry32(43)(), 0], [first[0], 0]);
  });

  it("shuffles in place as a permutation", () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const s = shuffleInPlace([...xs], mulberry32(7));
    assert.notDeepEqual(s, xs);
    assert.deepEqual([...s].sort((p, q) => p - q), xs);
  });

  it("keeps ⌊2.1 × Yes⌋ No rows, in integer arithmetic, never more than there are", () => {
    assert.equal(negativesToKeep(10, 1000), 21);
    assert.equal(negativesToKeep(3, 1000), 6); // 6.3 → 6
    assert.equal(negativesToKeep(1, 1000), 2); // 2.1 → 2
    assert.equal(negativesToKeep(869, 100_000), 1824); // 1824.9 → 1824
    assert.equal(negativesToKeep(100, 150), 150); // not enough No rows: keep them all
    assert.equal(negativesToKeep(10, 1000, 1), 10);
    assert.throws(() => negativesToKeep(10, 10, 0), { message: "[ratio] must be a positive number; got 0" });
  });

  it("holds out round-half-up(5 %) of the rows, at least one", () => {
    assert.equal(holdoutSize(100), 5);
    assert.equal(holdoutSize(10), 1); // 0.5 → 1
    assert.equal(holdoutSize(30), 2); // 1.5 → 2
    assert.equal(holdoutSize(29), 1); // 1.45 → 1
    assert.equal(holdoutSize(3), 1); // 0.15 → at least 1
    assert.equal(holdoutSize(2693), 135); // 134.65 → 135
    assert.throws(() => holdoutSize(10, 1), { message: "[holdoutFraction] must be between 0 and 1 (exclusive); got 1" });
  });

  it("refuses data without the target column, with no rows, with one class, or with other labels", () => {
    const noTarget: Table = { columns: ["a", "b"], rows: [["1", "2"]], droppedColumns: [] };
    assert.throws(() => prepareTrainingSet(noTarget, { seed: 1 }), {
      name: "TrainingDataError",
      message: "training data has no 'bike_share_for_all_trip' column (columns: a, b)",
    });
    assert.throws(() => prepareTrainingSet(table([]), { seed: 1 }), { message: "training data has no data rows" });
    assert.throws(() => prepareTrainingSet(table(["No", "No", "No"]), { seed: 1 }), {
      message: "training data holds one class only: all 3 rows have 'bike_share_for_all_trip' = 'No'; both 'Yes' and 'No' are needed",
    });
    assert.throws(() => prepareTrainingSet(table(["Yes"]), { seed: 1 }), {
      message: "training data holds one class only: all 1 rows have 'bike_share_for_all_trip' = 'Yes'; both 'Yes' and 'No' are needed",
    });
    assert.throws(() => prepareTrainingSet(table(["Yes", "No", "maybe"]), { seed: 1 }), {
      message: "'bike_share_for_all_trip' must be 'Yes' or 'No'; got 'maybe' in data row 3",
    });
    assert.throws(() => prepareTrainingSet(table(["Yes", "No"]), { seed: 1.5 }), { message: "[seed] must be an integer; got 1.5" });
  });

  it("rebalances, shuffles and splits: every Yes kept, ⌊2.1 × Yes⌋ No, 95/5, same header", () => {
    const labels = [...Array(20).fill("Yes"), ...Array(200).fill("No")];
    const sets = prepareTrainingSet(table(labels), { seed: 42 });
    const train = rowsOf(sets.training);
    const hold = rowsOf(sets.holdout);
    assert.deepEqual(train[0], ["id", "bike_share_for_all_trip"]);
    assert.deepEqual(hold[0], ["id", "bike_share_for_all_trip"]);
    const all = [...train.slice(1), ...hold.slice(1)];
    assert.equal(all.length, 20 + 42);
    assert.equal(hold.length - 1, 3); // round(62 × 0.05 = 3.1)
    assert.equal(all.filter((r) => r[1] === "Yes").length, 20);
    assert.equal(all.filter((r) => r[1] === "No").length, 42);
    assert.equal(new Set(all.map((r) => r[0])).size, 62, "no row twice");
    // Every row is an input row, unchanged.
    for (const r of all) assert.equal(labels[Number(r[0])], r[1]);
    // Shuffled: the Yes rows (ids 0-19) are not all first.
    assert.notDeepEqual(train.slice(1, 21).map((r) => r[0]), Array.from({ length: 20 }, (_, i) => String(i)));
    assert.deepEqual(sets.stats, {
      rowsIn: 220, yes: 20, no: 200, noKept: 42, trainingRows: 59, holdoutRows: 3,
      trainingYes: sets.stats.trainingYes, holdoutYes: 20 - sets.stats.trainingYes,
      columns: ["id", "bike_share_for_all_trip"], droppedColumns: [], seed: 42,
    });
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const labels = [...Array(30).fill("Yes"), ...Array(300).fill("No")];
    const a = prepareTrainingSet(table(labels), { seed: 2026 });
    const b = prepareTrainingSet(table(labels), { seed: 2026 });
    const c = prepareTrainingSet(table(labels), { seed: 2027 });
    assert.equal(a.training, b.training);
    assert.equal(a.holdout, b.holdout);
    assert.notEqual(a.training, c.training);
  });

  it("reads concatenated transform output, splitting on repeated headers and matching columns by name", () => {
    const feb = fs.readFileSync(path.join(FIXTURES, "fordgobike-201902-sample.csv"), "utf8");
    const lines = feb.trimEnd().split("\n");
    const rec1 = transformCsv(`${lines[0]}\n${lines.slice(1, 11).join("\n")}\n`).csv!;
    const rec2 = transformCsv(`${lines[0]}\n${lines.slice(11, 21).join("\n")}\n`).csv!;
    const nov = transformCsv(fs.readFileSync(path.join(FIXTURES, "baywheels-201911-semicolons.csv"), "utf8")).csv!;
    const t = readTrips([rec1 + rec2 + nov]);
    assert.deepEqual(t.droppedColumns, ["member_birth_year", "member_gender"]);
    assert.equal(t.columns.length, 18);
    assert.equal(t.columns.includes("member_gender"), false);
    const expectedRows = rowsOf(rec1).length - 1 + rowsOf(rec2).length - 1 + 1;
    assert.equal(t.rows.length, expectedRows);
    // The November trip is mapped by name, not position.
    const last = Object.fromEntries(t.columns.map((c, i) => [c, t.rows[t.rows.length - 1][i]]));
    assert.equal(last.bike_id, "12077");
    assert.equal(last.bike_share_for_all_trip, "No");
    assert.equal(last.day_of_week, "5");
  });

  it("prepares the real February 2019 trips (10,000 rows via the transform) deterministically", () => {
    const input = fs.readFileSync(path.join(FIXTURES, "fordgobike-201902-rows-1-10000.csv"), "utf8");
    const processed = transformCsv(input);
    const t = readTrips([processed.csv!]);
    const yes = t.rows.filter((r) => r[t.columns.indexOf("bike_share_for_all_trip")] === "Yes").length;
    const sets = prepareTrainingSet(t, { seed: 42 });
    const expectedNo = Math.floor((yes * 21) / 10);
    const n = yes + expectedNo;
    assert.equal(sets.stats.noKept, expectedNo);
    assert.equal(sets.stats.holdoutRows, Math.floor((n * 5 + 50) / 100));
    assert.equal(sets.stats.trainingRows + sets.stats.holdoutRows, n);
    assert.equal(rowsOf(sets.training).length - 1, sets.stats.trainingRows);
    assert.equal(sets.stats.trainingYes + sets.stats.holdoutYes, yes);
    assert.equal(prepareTrainingSet(t, { seed: 42 }).training, sets.training);
  });
});
