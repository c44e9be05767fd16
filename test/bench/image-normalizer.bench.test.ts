import { strict as assert } from "node:assert";
import * as path from "node:path";
import sharp from "sharp";
import { median } from "../../bench/cpu";
import { listImages, meanAbsoluteDifference, medianTiming } from "../../bench/image-normalizer.bench";

const FIXTURES = path.resolve(__dirname, "..", "fixtures", "images");

describe("image normalizer benchmark helpers", () => {
  it("lists every PNG and JPEG of a folder by name, grouped by format", () => {
    assert.deepEqual(listImages(FIXTURES).map((i) => [i.name, i.group]), [
      ["animal-1.out.png", "png"],
      ["camera.png", "png"],
      ["coffee.png", "png"],
      ["rocket.jpg", "jpeg"],
    ]);
  });

  it("measures the mean absolute difference of two gray JPEGs in gray levels", async () => {
    const gray = (v: number) => sharp({ create: { width: 16, height: 16, channels: 3, background: { r: v, g: v, b: v } } }).toColourspace("b-w").jpeg({ quality: 100 }).toBuffer();
    const [a, b] = await Promise.all([gray(100), gray(110)]);
    assert.equal(await meanAbsoluteDifference(a, a), 0);
    const d = await meanAbsoluteDifference(a, b);
    assert.ok(Math.abs(d - 10) <= 1, `expected about 10, got ${d}`);
  });

  it("takes the median round of each measure, the middle pair's mean for an even count", () => {
    assert.equal(median([5, 1, 9]), 5);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /median of no values/);
    assert.deepEqual(medianTiming([{ wall: 3, cpu: 1 }, { wall: 1, cpu: 7 }, { wall: 2, cpu: 4 }]), { wall: 2, cpu: 4 });
  });
});
