import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "csv-parse/sync";
import {
  ADDED_COLUMNS,
  DEFAULT_MAX_RESPONSE_BYTES,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  dayOfWeek,
  decodeRecordData,
  detectDelimiter,
  parseLocalTimestamp,
  partOfDay,
  transformBatch,
  transformCsv,
  type InputRecord,
} from "../../../functions/bikeshare-transform/core";

const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures", "bikeshare");
const fixture = (f: string) => fs.readFileSync(path.join(FIXTURES, f), "utf8");
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
const rowsOf = (csv: string) => parse(csv) as string[][];

const FEB_2019 = fixture("fordgobike-201902-sample.csv");
const FEB_HEADER = FEB_2019.split("\n")[0];
const INPUT_COLUMNS_2019 = [
  "duration_sec", "start_time", "end_time", "start_station_id", "start_station_name",
  "start_station_latitude", "start_station_longitude", "end_station_id", "end_station_name",
  "end_station_latitude", "end_station_longitude", "bike_id", "user_type", "member_birth_year",
  "member_gender", "bike_share_for_all_trip",
];

/** Independent oracle: 1 February 2019 was a Friday (Mon=0 → 4); 1 January 2018 a Monday (0). */
function febOrMarch2019Dow(date: string): number {
  const [, m, d] = date.split(" ")[0].split("-").map(Number);
  const dayOfYear = (m === 2 ? 31 : 59) + d; // days since 31 Jan 2019 (a Thursday, Mon=0 → 3)
  return (3 + dayOfYear - 31) % 7;
}

/** Checks every output row against its input row, column by column. */
function checkColumnByColumn(input: string, output: string, dow: (date: string) => number): { kept: number; dropped: number } {
  const inRows = rowsOf(input);
  const outRows = rowsOf(output);
  const inHeader = inRows[0];
  const outHeader = outRows[0];
  assert.deepEqual(outHeader, [...inHeader.filter((h) => h !== "rental_access_method"), ...ADDED_COLUMNS]);
  let o = 1;
  let dropped = 0;
  for (let r = 1; r < inRows.length; r++) {
    const rec = Object.fromEntries(inHeader.map((h, i) => [h, inRows[r][i]]));
    const keptValues = inHeader.filter((h) => h !== "rental_access_method").map((h) => rec[h]);
    if (keptValues.some((v) => v === "" || v === "NULL")) {
      dropped++;
      continue;
    }
    const out = Object.fromEntries(outHeader.map((h, i) => [h, outRows[o][i]]));
    for (const h of inHeader) {
      if (h === "rental_access_method") assert.equal(h in out, false);
      else assert.equal(out[h], rec[h], `row ${r} column ${h}`);
    }
    const [date, time] = rec.start_time.split(" ");
    const hour = Number(time.slice(0, 2));
    assert.equal(out.day_of_week, String(dow(rec.start_time)), `row ${r} day_of_week (${date})`);
    assert.equal(out.hour_of_day, String(hour), `row ${r} hour_of_day`);
    assert.equal(out.trip_month, String(Number(date.slice(5, 7))), `row ${r} trip_month`);
    const expectedPart = hour >= 5 && hour < 12 ? "morning" : hour >= 12 && hour < 18 ? "afternoon" : hour >= 18 && hour < 21 ? "evening" : "night";
    assert.equal(out.part_of_day, expectedPart, `row ${r} part_of_day`);
    o++;
  }
  assert.equal(outRows.length, o, "no extra output rows");
  return { kept: o - 1, dropped };
}

describe("bikeshare-transform core", () => {
  describe("timestamps and derived fields", () => {
    it("parses local timestamps without a zone and refuses impossible dates", () => {
      assert.deepEqual(parseLocalTimestamp("2019-02-28 17:32:10.1450"), { year: 2019, month: 2, day: 28, hour: 17, minute: 32, second: 10 });
      assert.deepEqual(parseLocalTimestamp("2019-11-30 23:54:47"), { year: 2019, month: 11, day: 30, hour: 23, minute: 54, second: 47 });
      assert.equal(parseLocalTimestamp("2019-02-29 10:00:00"), undefined);
      assert.equal(parseLocalTimestamp("2019-13-01 10:00:00"), undefined);
      assert.equal(parseLocalTimestamp("2019-02-01 24:00:00"), undefined);
      assert.equal(parseLocalTimestamp("2019-02-01T10:00:00Z"), undefined);
      assert.equal(parseLocalTimestamp("yesterday"), undefined);
    });

    it("counts days of the week from Monday = 0, as pandas does", () => {
      // 2019-02-25 was a Monday, 2019-03-03 a Sunday.
      const days = [25, 26, 27, 28].map((d) => dayOfWeek({ year: 2019, month: 2, day: d, hour: 0, minute: 0, second: 0 }));
      assert.deepEqual(days, [0, 1, 2, 3]);
      assert.equal(dayOfWeek({ year: 2019, month: 3, day: 3, hour: 0, minute: 0, second: 0 }), 6);
    });

    it("splits the day at 5, 12, 18 and 21 o'clock", () => {
      const parts = Array.from({ length: 24 }, (_, h) => partOfDay(h));
      assert.deepEqual(parts, [
        "night", "night", "night", "night", "night",
        "morning", "morning", "morning", "morning", "morning", "morning", "morning",
        "afternoon", "afternoon", "afternoon", "afternoon", "afternoon", "afternoon",
        "evening", "evening", "evening",
        "night", "night", "night",
      ]);
    });

    it("detects the delimiter from the header line", () => {
      assert.equal(detectDelimiter(FEB_2019), ",");
      assert.equal(detectDelimiter(fixture("baywheels-201911-semicolons.csv")), ";");
    });
  });

  describe("transformCsv on real Bay Wheels exports", () => {
    it("transforms the February 2019 slice column by column and drops rows with missing values", () => {
      const t = transformCsv(FEB_2019);
      assert.deepEqual(t.columns, [...INPUT_COLUMNS_2019, "day_of_week", "hour_of_day", "trip_month", "part_of_day"]);
      assert.equal(t.rowsIn, 41);
      // 3 rows with empty birth year/gender + 1 row with NULL stations.
      assert.equal(t.rowsDroppedMissing, 4);
      assert.equal(t.rowsOut, 37);
      const checked = checkColumnByColumn(FEB_2019, t.csv!, febOrMarch2019Dow);
      assert.deepEqual(checked, { kept: 37, dropped: 4 });
    });

    it("keeps start_time and end_time as they are and derives from start_time, not end_time", () => {
      const t = transformCsv(FEB_2019);
      const out = rowsOf(t.csv!);
      // First trip: 2019-02-28 17:32 (Thursday) → 2019-03-01 08:01 (Friday).
      assert.deepEqual(out[1], [
        "52185", "2019-02-28 17:32:10.1450", "2019-03-01 08:01:55.9750", "21",
        "Montgomery St BART Station (Market St at 2nd St)", "37.7896254", "-122.400811", "13",
        "Commercial St at Montgomery St", "37.794231", "-122.402923", "4902", "Customer", "1984", "Male", "No",
        "3", "17", "2", "afternoon",
      ]);
    });

    it("writes station names holding commas quoted, so they parse back whole", () => {
      const input = `${FEB_HEADER}\n600,"2019-02-28 08:10:00.0000","2019-02-28 08:20:00.0000",1,"Townsend St at 7th St, Lot B",37.7,-122.4,2,"Mission St at 1st St",37.7,-122.4,3,"Subscriber",1990,"Female","Yes"\n`;
      const t = transformCsv(input);
      assert.match(t.csv!, /"Townsend St at 7th St, Lot B"/);
      const out = rowsOf(t.csv!);
      assert.equal(out[1][4], "Townsend St at 7th St, Lot B");
      assert.deepEqual(out[1].slice(-4), ["3", "8", "2", "morning"]);
      assert.equal(out[1].length, 20);
    });

    it("transforms the January 2018 golden file (Monday 1 January 2018 = 0)", () => {
      const input = fixture("fordgobike-201801-golden.csv");
      const t = transformCsv(input);
      const jan2018 = (date: string) => {
        const [y, m, d] = date.split(" ")[0].split("-").map(Number);
        assert.ok(y === 2018 && m === 1, `unexpected date ${date}`);
        return (d - 1) % 7;
      };
      assert.deepEqual(checkColumnByColumn(input, t.csv!, jan2018), { kept: 44, dropped: 5 });
    });

    it("reads the semicolon export, drops rental_access_method by name and writes commas", () => {
      const t = transformCsv(fixture("baywheels-201911-semicolons.csv"));
      assert.deepEqual(t.columns, [
        "duration_sec", "start_time", "end_time", "start_station_id", "start_station_name",
        "start_station_latitude", "start_station_longitude", "end_station_id", "end_station_name",
        "end_station_latitude", "end_station_longitude", "bike_id", "user_type", "bike_share_for_all_trip",
        "day_of_week", "hour_of_day", "trip_month", "part_of_day",
      ]);
      // The empty rental_access_method does not drop the row: that column is removed first.
      assert.equal(t.rowsDroppedMissing, 0);
      assert.equal(t.csv, [
        "duration_sec,start_time,end_time,start_station_id,start_station_name,start_station_latitude,start_station_longitude,end_station_id,end_station_name,end_station_latitude,end_station_longitude,bike_id,user_type,bike_share_for_all_trip,day_of_week,hour_of_day,trip_month,part_of_day",
        // Saturday 30 November 2019, 23:54 → 5, 23, 11, night
        "707,2019-11-30 23:54:47.2970,2019-12-01 00:06:34.3780,30,San Francisco Caltrain (Townsend St at 4th St),37.776598,-122.395282,4,Cyril Magnin St at Ellis St,37.7858806269,-122.4089150084,12077,Customer,No,5,23,11,night",
        "",
      ].join("\n"));
    });

    it("handles a rental_access_method column in the middle, keeping the others in input order", () => {
      const input = "start_time,rental_access_method,end_time,bike_share_for_all_trip\n2019-07-01 06:00:00,app,2019-07-01 06:10:00,No\n";
      const t = transformCsv(input);
      assert.equal(t.csv, "start_time,end_time,bike_share_for_all_trip,day_of_week,hour_of_day,trip_month,part_of_day\n2019-07-01 06:00:00,2019-07-01 06:10:00,No,0,6,7,morning\n");
    });

    it("accepts CRLF line endings and a UTF-8 byte-order mark", () => {
      const crlf = "\uFEFFstart_time,end_time,bike_share_for_all_trip\r\n2019-02-28 21:05:00,2019-02-28 21:15:00,Yes\r\n";
      assert.equal(transformCsv(crlf).csv, "start_time,end_time,bike_share_for_all_trip,day_of_week,hour_of_day,trip_month,part_of_day\n2019-02-28 21:05:00,2019-02-28 21:15:00,Yes,3,21,2,night\n");
    });

    it("transforms all 10,000 trips of February 2019 (the whole fixture file), column by column", function () {
      const input = fixture("fordgobike-201902-rows-1-10000.csv");
      const t = transformCsv(input);
      assert.equal(t.rowsIn, 10_000);
      const checked = checkColumnByColumn(input, t.csv!, febOrMarch2019Dow);
      assert.equal(checked.kept + checked.dropped, 10_000);
      assert.equal(t.rowsOut, checked.kept);
      assert.equal(t.rowsDroppedMissing, checked.dropped);
      assert.ok(checked.dropped >= 8, "the file holds 8 NULL-station trips at least");
    });
  });

  describe("transformCsv edge cases", () => {
    it("treats whitespace-only and header-only payloads as having no rows", () => {
      assert.deepEqual(transformCsv(""), { csv: undefined, columns: [], rowsIn: 0, rowsOut: 0, rowsDroppedMissing: 0 });
      assert.deepEqual(transformCsv(" \n\n"), { csv: undefined, columns: [], rowsIn: 0, rowsOut: 0, rowsDroppedMissing: 0 });
      const h = transformCsv(`${FEB_HEADER}\n`);
      assert.equal(h.csv, undefined);
      assert.equal(h.rowsIn, 0);
      assert.equal(h.columns.length, 20);
    });

    it("refuses malformed payloads with a message naming the problem", () => {
      const row = FEB_2019.split("\n")[1];
      assert.throws(() => transformCsv(`${FEB_HEADER}\n${row.replace('"Customer"', '"Customer')}\n`), { name: "MalformedRecordError", message: "CSV does not parse (InvalidQuotes, data row 1)" });
      assert.throws(() => transformCsv(`${FEB_HEADER}\n${row}\n"unclosed,1\n`), { name: "MalformedRecordError", message: /^CSV does not parse \((InvalidQuotes|MissingQuotes), data row 2\)$/ });
      assert.throws(() => transformCsv(`${FEB_HEADER}\n${row},extra\n`), { name: "MalformedRecordError", message: "CSV does not parse (TooManyFields, data row 1: 17 fields, the header has 16)" });
      assert.throws(() => transformCsv("duration_sec,end_time\n1,2019-02-01 00:00:00\n"), { message: "header has no 'start_time' column" });
      assert.throws(() => transformCsv("start_time,end_time,start_time\n1,2,3\n"), { message: "header names column 'start_time' twice" });
      assert.throws(() => transformCsv("start_time,end_time,day_of_week\n1,2,3\n"), { message: "header already has derived column 'day_of_week' (record transformed twice?)" });
      assert.throws(() => transformCsv("start_time,end_time\n2019-02-30 10:00:00,2019-03-01 10:00:00\n"), { message: "data row 1: start_time is not a 'YYYY-MM-DD HH:MM:SS[.fff]' timestamp" });
      assert.throws(() => transformCsv("start_time,end_time\n2019-02-03 10:00:00,soon\n"), { message: "data row 1: end_time is not a 'YYYY-MM-DD HH:MM:SS[.fff]' timestamp" });
    });

    it("drops and counts a row cut short (fewer fields than the header), keeping the rest of the record", () => {
      const [first, second, third] = FEB_2019.split("\n").slice(1, 4);
      const cut = second.slice(0, second.indexOf(",", second.indexOf(",") + 1)); // duration and start_time only
      const t = transformCsv(`${FEB_HEADER}\n${first}\n${cut}\n${third}\n`);
      assert.equal(t.rowsIn, 3);
      assert.equal(t.rowsOut, 2);
      assert.equal(t.rowsDroppedMissing, 1);
      assert.deepEqual(rowsOf(t.csv!).slice(1), rowsOf(transformCsv(`${FEB_HEADER}\n${first}\n${third}\n`).csv!).slice(1));
      // The last row of a record a producer split mid-line.
      const split = transformCsv(`${FEB_HEADER}\n${first}\n${cut}`);
      assert.deepEqual([split.rowsIn, split.rowsOut, split.rowsDroppedMissing], [2, 1, 1]);
      // Split inside a quoted station name: the open quote ends the record.
      const inQuote = transformCsv(`${FEB_HEADER}\n${first}\n${second.slice(0, second.indexOf('"', second.indexOf("2019-02")) + 30)}`);
      assert.deepEqual([inQuote.rowsIn, inQuote.rowsOut, inQuote.rowsDroppedMissing], [2, 1, 1]);
      // Split right after the opening quote of a row's first field: still a row, cut short and counted.
      const atQuote = transformCsv(`${FEB_HEADER}\n${first}\n"`);
      assert.deepEqual([atQuote.rowsIn, atQuote.rowsOut, atQuote.rowsDroppedMissing], [2, 1, 1]);
      // An empty line is not a row.
      const blank = transformCsv(`${FEB_HEADER}\n${first}\n\n${third}\n\n`);
      assert.deepEqual([blank.rowsIn, blank.rowsOut, blank.rowsDroppedMissing], [2, 2, 0]);
      // An open quote that swallows whole rows is not a cut row: the record fails.
      assert.throws(() => transformCsv(`${FEB_HEADER}\n${first}\n"open,1\n${third}\n${third}`), { message: /^CSV does not parse \((InvalidQuotes|MissingQuotes), data row 2\)$/ });
    });

    it("decodes base64 strictly and refuses non-UTF-8 data", () => {
      assert.throws(() => decodeRecordData("YWJj ZA=="), { message: "data is not base64" });
      assert.throws(() => decodeRecordData("YW=j"), { message: "data is not base64" });
      assert.equal(decodeRecordData(b64("a,b\n")), "a,b\n");
      assert.throws(() => decodeRecordData("not base64!"), { message: "data is not base64" });
      assert.throws(() => decodeRecordData(undefined as unknown as string), { message: "data is not base64" });
      assert.throws(() => decodeRecordData(b64(Buffer.from([0x61, 0xff, 0xfe, 0x0a]))), { message: "data is not UTF-8 text" });
    });
  });

  describe("transformBatch (Firehose records)", () => {
    const lines = FEB_2019.trimEnd().split("\n");
    const chunk = (from: number, to: number) => `${FEB_HEADER}\n${lines.slice(from, to).join("\n")}\n`;

    it("answers every recordId in order; a malformed record fails alone", () => {
      const input: InputRecord[] = [
        { recordId: "r1", data: b64(chunk(1, 21)) },
        { recordId: "r2", data: b64(`${FEB_HEADER}\n${lines[21].replace(/,"No"$/, ',"No",oops')}\n`) },
        { recordId: "r3", data: b64(chunk(21, 43)) },
        { recordId: "r4", data: "" },
        { recordId: "r5", data: b64(`${FEB_HEADER}\n`) },
        { recordId: "r6", data: b64(`${FEB_HEADER}\n${lines[41]}\n`) }, // the NULL-station trip only
      ];
      const res = transformBatch(input);
      assert.deepEqual(res.records.map((r) => [r.recordId, r.result]), [
        ["r1", "Ok"], ["r2", "ProcessingFailed"], ["r3", "Ok"], ["r4", "Dropped"], ["r5", "Dropped"], ["r6", "Dropped"],
      ]);
      assert.deepEqual(res.reports.map((r) => r.reason), [
        undefined, "CSV does not parse (TooManyFields, data row 1: 17 fields, the header has 16)", undefined, "empty", "header-only", "all-rows-missing-values",
      ]);
      assert.deepEqual(res.records.filter((r) => r.result !== "Ok").map((r) => r.data), ["", "", "", ""]);
      // The two Ok records together hold exactly what the whole slice gives.
      const okRows = [unb64(res.records[0].data), unb64(res.records[2].data)].flatMap((c) => rowsOf(c).slice(1));
      assert.deepEqual(okRows, rowsOf(transformCsv(FEB_2019).csv!).slice(1));
      assert.deepEqual(res.summary, {
        records: 6, ok: 2, dropped: 3, failed: 1, failedResponseSize: 0,
        rowsIn: 20 + 21 + 1, rowsOut: 37, rowsDroppedMissing: 5,
        responseBytes: Buffer.byteLength(JSON.stringify({ records: res.records })),
      });
    });

    it("keeps the response within the byte budget, failing the records that do not fit", () => {
      const input: InputRecord[] = Array.from({ length: 8 }, (_, i) => ({ recordId: `rec-${i}`, data: b64(chunk(1 + i * 5, 6 + i * 5)) }));
      const full = transformBatch(input);
      assert.equal(full.summary.ok, 8);
      const fullBytes = Buffer.byteLength(JSON.stringify({ records: full.records }));
      assert.equal(full.summary.responseBytes, fullBytes);

      const budget = Math.floor(fullBytes / 2);
      const res = transformBatch(input, { maxResponseBytes: budget });
      const bytes = Buffer.byteLength(JSON.stringify({ records: res.records }));
      assert.ok(bytes <= budget, `${bytes} > ${budget}`);
      assert.equal(res.summary.responseBytes, bytes);
      assert.deepEqual(res.records.map((r) => r.recordId), input.map((r) => r.recordId));
      const results = res.records.map((r) => r.result);
      const firstFailed = results.indexOf("ProcessingFailed");
      assert.ok(firstFailed > 0 && firstFailed < 8);
      assert.deepEqual(results, [...Array(firstFailed).fill("Ok"), ...Array(8 - firstFailed).fill("ProcessingFailed")]);
      assert.ok(res.reports.filter((r) => r.result === "ProcessingFailed").every((r) => r.reason === "response-size-limit" && r.rowsOut === 0 && r.rowsDroppedMissing === 0));
      assert.equal(res.summary.failedResponseSize, 8 - firstFailed);
      // The admitted ones are byte-identical to the unconstrained run.
      assert.deepEqual(res.records.slice(0, firstFailed), full.records.slice(0, firstFailed));
    });

    it("fails an oversized record that alone exceeds the budget but still answers it", () => {
      const big = b64(chunk(1, 42).repeat(1)); // one record with the slice
      const res = transformBatch([{ recordId: "small", data: b64(chunk(1, 3)) }, { recordId: "big", data: big }], { maxResponseBytes: 2048 });
      assert.deepEqual(res.records.map((r) => [r.recordId, r.result]), [["small", "Ok"], ["big", "ProcessingFailed"]]);
      assert.equal(res.reports[1].reason, "response-size-limit");
      assert.ok(Buffer.byteLength(JSON.stringify({ records: res.records })) <= 2048);
    });

    it("fails a real record whose output alone would pass the 6 MB response limit, under the default budget", () => {
      const tenThousand = fixture("fordgobike-201902-rows-1-10000.csv").trimEnd().split("\n");
      const rows = tenThousand.slice(1);
      const huge = `${tenThousand[0]}\n${[...rows, ...rows, ...rows].join("\n")}\n`; // 30,000 trips, ~6.4 MB
      assert.ok(Buffer.byteLength(huge) > 6_000_000);
      const res = transformBatch([
        { recordId: "small-1", data: b64(chunk(1, 11)) },
        { recordId: "huge", data: b64(huge) },
        { recordId: "small-2", data: b64(chunk(11, 21)) },
      ]);
      assert.deepEqual(res.records.map((r) => [r.recordId, r.result]), [["small-1", "Ok"], ["huge", "ProcessingFailed"], ["small-2", "ProcessingFailed"]]);
      assert.deepEqual(res.reports.map((r) => r.reason), [undefined, "response-size-limit", "response-size-limit"]);
      const bytes = Buffer.byteLength(JSON.stringify({ records: res.records }));
      assert.ok(bytes <= DEFAULT_MAX_RESPONSE_BYTES && bytes < LAMBDA_RESPONSE_LIMIT_BYTES);
      assert.equal(res.summary.rowsIn, 30_020);
    });

    it("defaults to a budget below Lambda's 6 MB response limit", () => {
      assert.equal(LAMBDA_RESPONSE_LIMIT_BYTES, 6_291_456);
      assert.ok(DEFAULT_MAX_RESPONSE_BYTES < LAMBDA_RESPONSE_LIMIT_BYTES);
      assert.equal(DEFAULT_MAX_RESPONSE_BYTES, 6_000_000);
    });
  });
});
