/**
 * The image normalizer: any common raster image in, a 256 × 256 single-channel (grayscale) JPEG
 * out, the way the seed's OpenCV code does it (`cv2.imdecode(…, IMREAD_COLOR)`,
 * `cv2.resize(…, (256, 256), interpolation=INTER_AREA)`, `cv2.cvtColor(…, COLOR_BGR2GRAY)`,
 * `cv2.imencode(".jpg", …)`), with sharp (libvips):
 *
 * - size: stretched to exactly 256 × 256 (`fit: "fill"`), the aspect ratio is not kept, as
 *   `cv2.resize` to a fixed size does;
 * - speed: JPEG is decoded shrunk (shrink-on-load: libjpeg's DCT scaling decodes at 1/2, 1/4 or 1/8
 *   size), then the rest is reduced with a cubic kernel (libvips' box pre-shrink plus a cubic
 *   reduce, close to INTER_AREA's pixel averaging on downscale), then reduced to one channel before
 *   encoding; sequential access, no pixel cache;
 * - gray: the Rec. 601 weights OpenCV uses (0.299 R + 0.587 G + 0.114 B on the encoded values), not
 *   libvips' own colourimetric gray, so the output stays close to the reference; an embedded ICC
 *   profile is ignored, as OpenCV ignores it; alpha is dropped, not composited (as IMREAD_COLOR);
 *   EXIF orientation is applied (as IMREAD_COLOR does);
 * - JPEG quality 95 with standard Huffman tables, OpenCV's defaults for `imencode(".jpg")`.
 *
 * Every failure is a `NormalizeError` whose `code` says what is wrong with the INPUT:
 * `NotAnImage` (empty, or not a raster format this accepts), `Corrupt` (a known format that does
 * not decode, e.g. truncated), `TooLarge` (over `limits`). Pure: no environment, no AWS.
 */
import sharp from "sharp";

/** Side of the square output, in pixels. */
export const OUTPUT_SIZE = 256;
/** JPEG quality of the output (OpenCV's `IMWRITE_JPEG_QUALITY` default). */
export const JPEG_QUALITY = 95;
/** Gray weights of OpenCV's `COLOR_BGR2GRAY` (ITU-R BT.601), for R, G, B. */
export const GRAY_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];
/** Input formats accepted (sharp's format names); anything else, SVG and PDF included, is `NotAnImage`. */
export const ACCEPTED_FORMATS: readonly string[] = ["jpeg", "png", "webp", "tiff", "gif", "avif"];

export interface NormalizeLimits {
  /** Largest input accepted, in bytes. Defaults to 50 MiB. */
  readonly maxInputBytes?: number;
  /** Largest input accepted, in pixels (width × height, read from the header before decoding). Defaults to 40,000,000. */
  readonly maxInputPixels?: number;
}

export const DEFAULT_LIMITS: Required<NormalizeLimits> = {
  maxInputBytes: 50 * 1024 * 1024,
  maxInputPixels: 40_000_000,
};

export type NormalizeErrorCode = "NotAnImage" | "Corrupt" | "TooLarge";

export class NormalizeError extends Error {
  constructor(public readonly code: NormalizeErrorCode, message: string) {
    super(message);
    this.name = "NormalizeError";
  }
}

/** Checks limits given by a caller; throws naming the field. */
export function resolveLimits(limits: NormalizeLimits = {}): Required<NormalizeLimits> {
  const out = { ...DEFAULT_LIMITS };
  for (const key of ["maxInputBytes", "maxInputPixels"] as const) {
    const v = limits[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`[limits.${key}] must be a whole number ≥ 1; got ${String(v)}`);
    out[key] = v;
  }
  return out;
}

// One image at a time per call: no pixel cache to keep between unrelated objects.
sharp.cache(false);

/**
 * Normalizes one image to a 256 × 256 grayscale JPEG. Rejects with a `NormalizeError`
 * (`NotAnImage`, `Corrupt`, `TooLarge`) for bad input; limits default to `DEFAULT_LIMITS`.
 */
export async function normalizeImage(input: Buffer, limits?: NormalizeLimits): Promise<Buffer> {
  const { maxInputBytes, maxInputPixels } = resolveLimits(limits);
  if (input.length === 0) throw new NormalizeError("NotAnImage", "input is empty (0 bytes)");
  if (input.length > maxInputBytes) {
    throw new NormalizeError("TooLarge", `input is ${input.length} bytes; at most ${maxInputBytes} are accepted`);
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch (e) {
    const message = (e as Error).message;
    if (/unsupported image format/i.test(message)) throw new NormalizeError("NotAnImage", "input is not an image in a known format");
    throw new NormalizeError("Corrupt", `image header does not decode: ${message}`);
  }
  if (!meta.format || !ACCEPTED_FORMATS.includes(meta.format)) {
    throw new NormalizeError("NotAnImage", `input format '${meta.format}' is not accepted; expected one of ${ACCEPTED_FORMATS.join(", ")}`);
  }
  const { width, height } = meta;
  if (!width || !height) throw new NormalizeError("Corrupt", `image header has no dimensions (${meta.format})`);
  if (width * height > maxInputPixels) {
    throw new NormalizeError("TooLarge", `image is ${width} × ${height} = ${width * height} pixels; at most ${maxInputPixels} are accepted`);
  }

  let pipeline = sharp(input, {
    failOn: "truncated",
    limitInputPixels: maxInputPixels,
    sequentialRead: true,
    autoOrient: true,
    ignoreIcc: true,
  }).resize(OUTPUT_SIZE, OUTPUT_SIZE, { fit: "fill", kernel: "cubic" });
  const channels = meta.channels ?? 3;
  if (meta.space === "cmyk") {
    // No BGR values to weigh: let libvips convert CMYK (as OpenCV's decoder does, approximately).
    pipeline = pipeline.greyscale();
  } else if (channels >= 3) {
    const w: [number, number, number] = [GRAY_WEIGHTS[0], GRAY_WEIGHTS[1], GRAY_WEIGHTS[2]];
    pipeline = pipeline.removeAlpha().recomb([w, w, w]).extractChannel(0);
  } else {
    // A gray input would otherwise leave as sRGB (three bands): keep it one band.
    pipeline = pipeline.removeAlpha().toColourspace("b-w");
  }
  try {
    // One band already (recomb + extractChannel, greyscale, or b-w above): no colourspace step after it.
    // Huffman tables not optimised, as OpenCV's imencode (IMWRITE_JPEG_OPTIMIZE off) writes them.
    return await pipeline.jpeg({ quality: JPEG_QUALITY, optimiseCoding: false }).toBuffer();
  } catch (e) {
    const message = (e as Error).message;
    if (/pixel limit/i.test(message)) throw new NormalizeError("TooLarge", `image exceeds ${maxInputPixels} pixels`);
    throw new NormalizeError("Corrupt", `${meta.format} image does not decode: ${message}`);
  }
}
