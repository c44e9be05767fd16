import { strict as assert } from "node:assert";
import type * as Index from "../../../functions/image-normalizer/index";

const ON_UPLOAD = { MODE: "on-upload", SOURCE_BUCKET: "raw-b", RAW_PREFIX: "raw/", DERIVED_BUCKET: "raw-b", DERIVED_PREFIX: "normalized/", AWS_REGION: "us-east-1" };

describe("image-normalizer index (environment)", () => {
  let index: typeof Index;
  before(() => {
    // The module reads its environment at load, as at a cold start.
    Object.assign(process.env, ON_UPLOAD);
    try {
      index = require("../../../functions/image-normalizer/index") as typeof Index;
    } finally {
      for (const k of Object.keys(ON_UPLOAD)) delete process.env[k];
    }
  });

  it("on-upload: reads the buckets, prefixes and limits", () => {
    assert.deepEqual(index.loadConfig({ ...ON_UPLOAD, MAX_INPUT_BYTES: "1000", MAX_INPUT_PIXELS: "2000" }), {
      mode: "on-upload",
      limits: { maxInputBytes: 1000, maxInputPixels: 2000 },
      onUpload: { sourceBucket: "raw-b", rawPrefix: "raw/", derivedBucket: "raw-b", derivedPrefix: "normalized/" },
    });
    assert.equal(typeof index.handler, "function");
  });

  it("object-lambda: needs only the mode; limits default", () => {
    assert.deepEqual(index.loadConfig({ MODE: "object-lambda" }), { mode: "object-lambda", limits: { maxInputBytes: 52_428_800, maxInputPixels: 40_000_000 } });
  });

  it("fails naming the variable", () => {
    assert.throws(() => index.loadConfig({}), /environment variable MODE is required but not set/);
    assert.throws(() => index.loadConfig({ MODE: "batch" }), /environment variable MODE must be one of object-lambda, on-upload; got 'batch'/);
    assert.throws(() => index.loadConfig({ MODE: "object-lambda", MAX_INPUT_BYTES: "10MB" }), /environment variable MAX_INPUT_BYTES must be a whole number ≥ 1; got '10MB'/);
    assert.throws(() => index.loadConfig({ ...ON_UPLOAD, DERIVED_PREFIX: "" }), /environment variable DERIVED_PREFIX is required but not set/);
  });
});
