import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { main, parseArgs, USAGE } from "../../../tools/bikeshare-training-prep/cli";
import { transformCsv } from "../../../functions/bikeshare-transform/core";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const FEB = fs.readFileSync(path.join(ROOT, "test", "fixtures", "bikeshare", "fordgobike-201902-sample.csv"), "utf8");

function run(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const status = main(argv, (s) => { stdout += s; }, (s) => { stderr += s; });
  return { status, stdout, stderr };
}

describe("bikeshare-training-prep cli", () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "bikeshare-prep-")); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("parses options and refuses bad command lines with the usage", () => {
    assert.deepEqual(parseArgs(["--seed", "7", "--out-dir", "o", "a.csv", "b"]), { seed: 7, outDir: "o", ratio: 2.1, holdoutFraction: 0.05, inputs: ["a.csv", "b"] });
    assert.deepEqual(parseArgs(["--seed", "7", "--out-dir", "o", "--ratio", "3", "--holdout", "0.1", "x"]).ratio, 3);
    assert.throws(() => parseArgs(["--out-dir", "o", "x"]), { message: `--seed must be an integer; got nothing\n${USAGE}` });
    assert.throws(() => parseArgs(["--seed", "1", "x"]), { message: `--out-dir is required\n${USAGE}` });
    assert.throws(() => parseArgs(["--seed", "1", "--out-dir", "o"]), { message: `name at least one input file or folder\n${USAGE}` });
    assert.throws(() => parseArgs(["--seed", "1", "--out-dir", "o", "--frac", "1", "x"]), (e: Error) => e.message.startsWith("Unknown option '--frac'") && e.message.endsWith(`\n${USAGE}`));
  });

  it("reads a folder of processed objects (plain and gzip) and writes train.csv and holdout.csv", () => {
    const lines = FEB.trimEnd().split("\n");
    const processed = transformCsv(FEB).csv!;
    const input = path.join(dir, "trips", "year=2019", "month=02");
    fs.mkdirSync(input, { recursive: true });
    fs.writeFileSync(path.join(input, "part-1"), processed);
    fs.writeFileSync(path.join(input, "part-2.gz"), zlib.gzipSync(transformCsv(`${lines[0]}\n${lines[1]}\n`).csv!));
    const out = path.join(dir, "out");
    const r = run(["--seed", "42", "--out-dir", out, path.join(dir, "trips")]);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    // 37 processed rows + 1: 5 Yes, 33 No → keep ⌊10.5⌋ = 10 No → 15 rows, holdout round(0.75) = 1.
    assert.deepEqual([summary.files, summary.yes, summary.no, summary.noKept, summary.trainingRows, summary.holdoutRows], [2, 5, 33, 10, 14, 1]);
    assert.equal(fs.readFileSync(path.join(out, "train.csv"), "utf8").split("\n")[0], processed.split("\n")[0]);
    assert.equal(fs.readFileSync(path.join(out, "holdout.csv"), "utf8").trimEnd().split("\n").length, 2);
  });

  it("exits 1 with the refusal message on one-class data", () => {
    const lines = FEB.trimEnd().split("\n");
    const noOnly = [lines[0], ...lines.slice(1).filter((l) => l.endsWith('"No"'))].join("\n") + "\n";
    fs.writeFileSync(path.join(dir, "no.csv"), transformCsv(noOnly).csv!);
    const r = run(["--seed", "1", "--out-dir", path.join(dir, "out"), path.join(dir, "no.csv")]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "refused: training data holds one class only: all 32 rows have 'bike_share_for_all_trip' = 'No'; both 'Yes' and 'No' are needed\n");
    assert.equal(fs.existsSync(path.join(dir, "out")), false);
  });

  it("runs with npx tsx as a command", () => {
    fs.writeFileSync(path.join(dir, "p.csv"), transformCsv(FEB).csv!);
    const stdout = execFileSync("npx", ["tsx", "tools/bikeshare-training-prep/cli.ts", "--seed", "5", "--out-dir", path.join(dir, "o"), path.join(dir, "p.csv")], { cwd: ROOT, encoding: "utf8" });
    assert.equal(JSON.parse(stdout).trainingRows, 14);
    assert.ok(fs.existsSync(path.join(dir, "o", "holdout.csv")));
  });
});

describe("bikeshare-training-prep cli --help", () => {
  it("prints the options it accepts and exits 0 without reading any file", () => {
    let stdout = "";
    let stderr = "";
    const status = main(["--help"], (s) => { stdout += s; }, (s) => { stderr += s; });
    assert.equal(status, 0);
    assert.equal(stderr, "");
    assert.ok(stdout.startsWith(`${USAGE}\n`));
    for (const option of ["--seed", "--out-dir", "--ratio", "--holdout"]) assert.ok(stdout.includes(option), option);
    assert.match(stdout, /Exit status: 0 written, 1 data refused \(no target column, one class only\), 2 usage error\./);
  });
});
