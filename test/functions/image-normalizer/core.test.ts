import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import { normalizeImage, NormalizeError, resolveLimits, OUTPUT_SIZE } from "../../../functions/image-normalizer/core";

const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures", "images");
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
/** Real images (see test/fixtures/images/README.md) and the OpenCV outputs kept beside them. */
const IMAGES = ["rocket.jpg", "camera.png", "animal-1.out.png", "coffee.png"];

async function gray(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg).extractChannel(0).raw().toBuffer();
}

async function meanAbsDiff(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([gray(a), gray(b)]);
  assert.equal(x.length, y.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i] - y[i]);
  return sum / x.length;
}

async function rejectsWith(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof NormalizeError, `expected a NormalizeError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe("normalizeImage", () => {
  for (const name of IMAGES) {
    it(`${name}: a valid 256 × 256 single-channel JPEG close to OpenCV's output`, async () => {
      const out = await normalizeImage(read(name));
      assert.deepEqual([...out.subarray(0, 3)], [0xff, 0xd8, 0xff], "JPEG SOI marker");
      assert.deepEqual([...out.subarray(-2)], [0xff, 0xd9], "JPEG EOI marker");
      const meta = await sharp(out).metadata();
      assert.equal(meta.format, "jpeg");
      assert.equal(meta.width, OUTPUT_SIZE);
      assert.equal(meta.height, OUTPUT_SIZE);
      assert.equal(meta.channels, 1);
      assert.equal(meta.space, "b-w");
      const diff = await meanAbsDiff(out, read(path.join("opencv", `${name}.jpg`)));
      assert.ok(diff < 3, `mean absolute difference from OpenCV's output is ${diff.toFixed(2)} gray levels; expected < 3`);
    });
  }

  it("stretches to 256 × 256 like cv2.resize (no crop, no padding)", async () => {
    // 512 × 128: left half black, right half white.
    const w = 512, h = 128;
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = w / 2; x < w; x++) px.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const png = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    const g = await gray(await normalizeImage(png));
    const at = (x: number, y: number) => g[y * OUTPUT_SIZE + x];
    for (const y of [0, 128, 255]) {
      assert.ok(at(10, y) < 8, `left column at row ${y} is ${at(10, y)}`);
      assert.ok(at(120, y) < 8, `column 120 at row ${y} is ${at(120, y)}`);
      assert.ok(at(136, y) > 247, `column 136 at row ${y} is ${at(136, y)}`);
      assert.ok(at(250, y) > 247, `right column at row ${y} is ${at(250, y)}`);
    }
  });

  it("weighs colours as OpenCV's BGR2GRAY (0.299 R + 0.587 G + 0.114 B)", async () => {
    for (const [rgb, expected] of [[[255, 0, 0], 76], [[0, 255, 0], 150], [[0, 0, 255], 29]] as const) {
      const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
      const g = await gray(await normalizeImage(png));
      const mean = g.reduce((a, v) => a + v, 0) / g.length;
      assert.ok(Math.abs(mean - expected) <= 2, `rgb(${rgb.join(",")}) → ${mean.toFixed(1)}; expected ${expected} ± 2`);
    }
  });

  it("refuses a zero-byte input as NotAnImage", async () => {
    await rejectsWith(normalizeImage(Buffer.alloc(0)), "NotAnImage", /empty \(0 bytes\)/);
  });

  it("refuses bytes that are not an image as NotAnImage", async () => {
    await rejectsWith(normalizeImage(Buffer.from("name,price\nwidget,3\n")), "NotAnImage", /not an image/);
  });

  it("refuses an SVG (a format not accepted) as NotAnImage", async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await rejectsWith(normalizeImage(svg), "NotAnImage", /format 'svg' is not accepted/);
  });

  it("refuses a truncated JPEG as Corrupt", async () => {
    const jpeg = read("rocket.jpg");
    await rejectsWith(normalizeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), "Corrupt", /jpeg image does not decode/);
  });

  it("refuses a truncated PNG as Corrupt", async () => {
    const png = read("camera.png");
    await rejectsWith(normalizeImage(png.subarray(0, Math.floor(png.length / 2))), "Corrupt", /png image does not decode/);
  });

  it("refuses a JPEG cut inside its header as Corrupt", async () => {
    await rejectsWith(normalizeImage(read("rocket.jpg").subarray(0, 300)), "Corrupt", /header does not decode/);
  });

  it("refuses an input over maxInputBytes as TooLarge, before decoding", async () => {
    const jpeg = read("rocket.jpg");
    await rejectsWith(normalizeImage(jpeg, { maxInputBytes: jpeg.length - 1 }), "TooLarge", new RegExp(`input is ${jpeg.length} bytes; at most ${jpeg.length - 1}`));
    assert.equal((await sharp(await normalizeImage(jpeg, { maxInputBytes: jpeg.length })).metadata()).width, 256);
  });

  it("refuses an image over maxInputPixels as TooLarge, from its header", async () => {
    await rejectsWith(normalizeImage(read("rocket.jpg"), { maxInputPixels: 640 * 427 - 1 }), "TooLarge", /640 × 427 = 273280 pixels; at most 273279/);
    assert.equal((await sharp(await normalizeImage(read("rocket.jpg"), { maxInputPixels: 640 * 427 })).metadata()).height, 256);
  });

  it("checks limits, naming the field", () => {
    assert.throws(() => resolveLimits({ maxInputBytes: 0 }), /\[limits\.maxInputBytes\] must be a whole number ≥ 1; got 0/);
    assert.throws(() => resolveLimits({ maxInputPixels: 1.5 }), /\[limits\.maxInputPixels\] must be a whole number ≥ 1; got 1.5/);
    assert.deepEqual(resolveLimits({ maxInputBytes: 10 }), { maxInputBytes: 10, maxInputPixels: 40_000_000 });
  });
});
