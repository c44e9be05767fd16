import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { costMarkdown, costRows, readPrices, type PriceFile } from "../../../../components/pipelines/images/cost";
import { costTable } from "../../../../tools/image-normalization-cost";

const PRICES: PriceFile = {
  region: "us-east-1",
  currency: "USD",
  pinned: "2026-12-05",
  lambda: { perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 }, perMillionRequests: 0.2 },
  sagemakerTrainingPerHour: { "ml.p2.xlarge": 1.125 },
};

describe("image normalization cost table", () => {
  it("prices an hour of Lambda at the configured memory against an hour of ml.p2.xlarge", () => {
    const rows = costRows(2048, "x86_64", PRICES);
    assert.deepEqual(rows.map((r) => r.compute), ["Lambda arm64, 2048 MB", "Lambda x86_64, 2048 MB", "SageMaker ml.p2.xlarge (training)"]);
    assert.ok(Math.abs(rows[0].perHour - 2 * 3600 * 0.0000133334) < 1e-12);
    assert.ok(Math.abs(rows[1].perHour - 2 * 3600 * 0.0000166667) < 1e-12);
    assert.equal(rows[2].perHour, 1.125);
    assert.ok(Math.abs(rows[1].shareOfGpu - rows[1].perHour / 1.125) < 1e-12);
    assert.deepEqual(rows.map((r) => r.configured), [false, true, false]);
    assert.throws(() => costRows(100, "arm64", PRICES), /\[memoryMb\] must be a whole number from 128 to 10240; got 100/);
  });

  it("renders the markdown table", () => {
    assert.equal(costMarkdown("lakehouse", 1024, "arm64", PRICES), [
      "| compute (stack `lakehouse`: 1024 MB, arm64) | USD per hour | share of ml.p2.xlarge |",
      "|---|---:|---:|",
      "| Lambda arm64, 1024 MB (configured) | 0.0480 | 4.3 % |",
      "| Lambda x86_64, 1024 MB | 0.0600 | 5.3 % |",
      "| SageMaker ml.p2.xlarge (training) | 1.1250 | 100.0 % |",
      "",
      "Prices: prices.json (us-east-1, pinned 2026-12-05); Lambda adds USD 0.2 per million requests. arm64 costs 20 % less than x86_64 per hour of run time.",
      "",
    ].join("\n"));
  });

  it("README shows exactly the table of the example lakehouse stack", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "..", "README.md"), "utf8");
    assert.ok(readme.includes(costTable("lakehouse")), "README's cost table is out of date: paste `npm run -s cost:images`");
  });

  it("refuses a price file with a missing price, naming the field", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-prices-"));
    try {
      const file = path.join(dir, "prices.json");
      fs.writeFileSync(file, JSON.stringify({ ...PRICES, sagemakerTrainingPerHour: {} }));
      assert.throws(() => readPrices(file), /prices\.json: sagemakerTrainingPerHour\.ml\.p2\.xlarge must be a positive number; got undefined/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(readPrices().sagemakerTrainingPerHour["ml.p2.xlarge"], 1.125);
  });

  it("the command refuses a stack that is not a lakehouse stack", () => {
    assert.throws(() => costTable("ml"), /stack 'ml' has role 'ml'; image normalization lives in a lakehouse stack/);
  });
});
