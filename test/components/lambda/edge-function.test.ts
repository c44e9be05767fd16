import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleFunction } from "../../../components/lambda/bundle";
import { edgeRoleTrust, validateEdgeFunctionArgs, VIEWER_MAX_PACKAGE_BYTES } from "../../../components/lambda/edge-function";
import { ffmpegBinary, ffmpegLayerZip, FFMPEG_PACKAGES } from "../../../components/lambda/ffmpeg-layer";

describe("EdgeFunction rules", () => {
  const ok = { source: "narration-paywall", functionName: "mlz-narration-paywall", accountId: "555555555555" };

  it("keeps viewer triggers within Lambda@Edge's 128 MB and 5 s", () => {
    assert.doesNotThrow(() => validateEdgeFunctionArgs(ok));
    assert.throws(() => validateEdgeFunctionArgs({ ...ok, memoryMb: 256 }), /\[memoryMb\] must be 128 for a viewer trigger/);
    assert.throws(() => validateEdgeFunctionArgs({ ...ok, timeoutSeconds: 6 }), /\[timeoutSeconds\] must be a whole number from 1 to 5 for a viewer-request trigger/);
    assert.doesNotThrow(() => validateEdgeFunctionArgs({ ...ok, eventType: "origin-request", memoryMb: 512, timeoutSeconds: 30 }));
    assert.throws(() => validateEdgeFunctionArgs({ ...ok, functionName: "bad name" }), /\[functionName\]/);
    assert.throws(() => validateEdgeFunctionArgs({ ...ok, buildConfig: { "lower": "x" } }), /\[buildConfig\] keys must be UPPER_SNAKE_CASE/);
  });

  it("trusts lambda.amazonaws.com and edgelambda.amazonaws.com", () => {
    assert.deepEqual(edgeRoleTrust(), { Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }, Action: "sts:AssumeRole" });
  });

  it("builds the configuration into the bundle instead of environment variables", () => {
    const config = JSON.stringify({ publicKeyPem: "-----BEGIN PUBLIC KEY-----\nABC\n-----END PUBLIC KEY-----", algorithm: "ES256", audience: "x", cookieName: "c" });
    const bundle = bundleFunction("narration-paywall", { define: { "process.env.MLZ_PAYWALL_CONFIG": JSON.stringify(config) } });
    assert.ok(bundle.code.includes("-----BEGIN PUBLIC KEY-----"));
    assert.ok(!bundle.code.includes("MLZ_PAYWALL_CONFIG"));
    assert.notEqual(bundle.sha256, bundleFunction("narration-paywall").sha256);
    assert.ok(bundle.bytes < VIEWER_MAX_PACKAGE_BYTES, `${bundle.bytes} bytes`);
  });
});

describe("FFmpeg layer", () => {
  it("zips the registry package's FFmpeg as an executable bin/ffmpeg", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlz-layer-test-"));
    try {
      const binary = ffmpegBinary("x86_64");
      assert.match(binary.file, /@ffmpeg-installer\/linux-x64\/ffmpeg$/);
      const zip = await ffmpegLayerZip(binary, "x86_64", dir);
      // Central directory entry: external attributes (offset 38) hold the Unix mode in the high 16 bits.
      const bytes = fs.readFileSync(zip);
      const cd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      const nameLength = bytes.readUInt16LE(cd + 28);
      assert.equal(bytes.subarray(cd + 46, cd + 46 + nameLength).toString(), "bin/ffmpeg");
      assert.equal((bytes.readUInt32LE(cd + 38) >>> 16).toString(8), "100755");
      assert.equal(bytes.readUInt32LE(cd + 24), fs.statSync(binary.file).size, "uncompressed size");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says how to install a missing architecture's package", () => {
    assert.throws(() => ffmpegBinary("arm64", () => { throw new Error("not found"); }),
      /\[architecture\] 'arm64' needs FFmpeg from the registry package @ffmpeg-installer\/linux-arm64/);
    assert.equal(FFMPEG_PACKAGES.arm64, "@ffmpeg-installer/linux-arm64");
  });
});
