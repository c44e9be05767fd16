import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { bundleFunction } from "../../../components/lambda/bundle";
import { lockedVersions, nativeModules, runtimePackages, NATIVE_ROOT } from "../../../components/lambda/native-packages";
import { parseArgs } from "../../../tools/lambda-native";

const ROOT = path.resolve(__dirname, "..", "..", "..");

describe("native packages for Lambda bundles", () => {
  it("sharp on arm64 needs its JavaScript, the linux-arm64 binding and libvips", () => {
    assert.deepEqual(runtimePackages("sharp", "arm64"), ["sharp", "@img/colour", "detect-libc", "semver", "@img/sharp-linux-arm64", "@img/sharp-libvips-linux-arm64"]);
    assert.deepEqual(runtimePackages("sharp", "x86_64").slice(-2), ["@img/sharp-linux-x64", "@img/sharp-libvips-linux-x64"]);
    assert.throws(() => runtimePackages("canvas" as never, "arm64"), /\[nativePackages\] supports sharp; got 'canvas'/);
  });

  it("pins the versions package-lock.json holds, the arm64 packages included", () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    const [binding] = lockedVersions(["@img/sharp-linux-arm64"]);
    assert.equal(binding.version, lock.packages["node_modules/sharp"].version, "the binding matches sharp's version");
    assert.match(binding.integrity, /^sha512-/);
    assert.throws(() => lockedVersions(["left-pad-nowhere"]), /package-lock\.json pins no version of 'left-pad-nowhere'/);
  });

  it("ships .lambda-native/linux-<cpu>/node_modules, hashed per architecture", () => {
    const arm = nativeModules(["sharp"], "arm64");
    const x86 = nativeModules(["sharp"], "x86_64");
    assert.equal(arm.dir, path.join(NATIVE_ROOT, "linux-arm64", "node_modules"));
    assert.equal(x86.dir, path.join(NATIVE_ROOT, "linux-x64", "node_modules"));
    assert.deepEqual(arm.external, ["sharp"]);
    assert.ok(arm.packages.some((p) => p.name === "@img/sharp-libvips-linux-arm64"));
    assert.notEqual(arm.sha256, x86.sha256);
  });

  it("the image-normalizer bundle leaves sharp external and loads it from node_modules/", () => {
    const bundle = bundleFunction("image-normalizer", { external: ["sharp"] });
    assert.match(bundle.code, /require\("sharp"\)/);
    assert.doesNotMatch(bundle.code, /sharp-libvips/);
    // Run the bundle as Lambda would, with this machine's sharp as its node_modules/.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-bundle-"));
    try {
      fs.writeFileSync(path.join(dir, "index.js"), bundle.code);
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
      const r = spawnSync(process.execPath, ["-e", "const m = require('./index.js'); process.stdout.write(typeof m.handler)"], {
        cwd: dir, encoding: "utf8", env: { ...process.env, MODE: "object-lambda", AWS_REGION: "us-east-1" },
      });
      assert.equal(r.stderr.includes("Error") ? r.stderr : "", "");
      assert.equal(r.stdout, "function");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lambda:native parses its arguments", () => {
    assert.deepEqual(parseArgs([]), { arch: "arm64", check: false, help: false });
    assert.deepEqual(parseArgs(["--arch", "x86_64", "--check"]), { arch: "x86_64", check: true, help: false });
    assert.throws(() => parseArgs(["--arch", "sparc"]), /--arch must be arm64 or x86_64; got 'sparc'/);
    assert.throws(() => parseArgs(["--fast"]), /unknown argument '--fast'/);
  });
});
