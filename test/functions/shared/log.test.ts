import { strict as assert } from "node:assert";
import { log, logLine } from "../../../functions/shared/log";

describe("functions/shared/log", () => {
  it("writes one JSON object per line with level and message, which fields cannot override", () => {
    assert.deepEqual(JSON.parse(logLine("WARN", "record failed", { recordId: "a", level: "x", message: "y" })), { recordId: "a", level: "WARN", message: "record failed" });
  });

  it("sends INFO to console.info, WARN to console.warn and ERROR to console.error", () => {
    const seen: [string, string][] = [];
    const { info, warn, error } = console;
    console.info = (s: string) => seen.push(["info", s]);
    console.warn = (s: string) => seen.push(["warn", s]);
    console.error = (s: string) => seen.push(["error", s]);
    try {
      log("INFO", "a");
      log("WARN", "b", { n: 1 });
      log("ERROR", "c");
    } finally {
      Object.assign(console, { info, warn, error });
    }
    assert.deepEqual(seen, [
      ["info", '{"level":"INFO","message":"a"}'],
      ["warn", '{"n":1,"level":"WARN","message":"b"}'],
      ["error", '{"level":"ERROR","message":"c"}'],
    ]);
  });
});
