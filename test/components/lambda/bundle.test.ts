/**
 * bundleFunction's disk cache: reused only while every input file is unchanged, and then exactly
 * what esbuild builds. Each case runs in a fresh process (the in-process cache would answer).
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "ml-landing-zone", "functions", "bikeshare-transform.json");

/** bundleFunction in a fresh process: the bundle's sha256, and whether it was built (the cache entry rewritten). */
function bundleInChild(): { sha256: string; built: boolean } {
  const before = fs.existsSync(CACHE) ? fs.statSync(CACHE).mtimeMs : undefined;
  const script = `const b = require("./components/lambda/bundle.ts").bundleFunction("bikeshare-transform"); process.stdout.write(b.sha256);`;
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return { sha256: r.stdout, built: fs.statSync(CACHE).mtimeMs !== before };
}

describe("bundleFunction disk cache", () => {
  it("reuses a bundle whose inputs are unchanged and rebuilds, identically, when an input's size or mtime differs", () => {
    const first = bundleInChild();
    assert.ok(fs.existsSync(CACHE));
    // Written a moment later than the first entry, so a rewrite shows in the mtime.
    const entry = JSON.parse(fs.readFileSync(CACHE, "utf8")) as { inputs: [string, number, number][]; code: string };
    assert.ok(entry.inputs.some(([f]) => f === "functions/bikeshare-transform/index.ts"), "the handler is an input");
    assert.ok(entry.inputs.some(([f]) => f.startsWith("node_modules/")), "bundled packages are inputs too");
    const cached = bundleInChild();
    assert.deepEqual(cached, { sha256: first.sha256, built: false });
    // An input recorded with another mtime (as after an edit): rebuilt, same code.
    entry.inputs = entry.inputs.map(([f, size, mtime]) => (f === "functions/bikeshare-transform/index.ts" ? [f, size, mtime - 1] : [f, size, mtime]));
    entry.code = "tampered";
    fs.writeFileSync(CACHE, JSON.stringify(entry));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(CACHE, old, old);
    assert.deepEqual(bundleInChild(), { sha256: first.sha256, built: true });
    assert.notEqual(JSON.parse(fs.readFileSync(CACHE, "utf8")).code, "tampered");
  });
});
