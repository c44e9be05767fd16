import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as yazl from "yazl";
import { NODE_RUNTIME } from "./node-function";

/**
 * The registry package shipping a static FFmpeg per Lambda architecture (the binary is inside the
 * package; nothing is downloaded at install). `@ffmpeg-installer/ffmpeg` installs the one of the
 * installing machine; the other is installed with `npm install --no-save --force <package>`.
 */
export const FFMPEG_PACKAGES = { x86_64: "@ffmpeg-installer/linux-x64", arm64: "@ffmpeg-installer/linux-arm64" } as const;

/** Where the layer puts FFmpeg (layers are extracted to /opt). */
export const FFMPEG_LAYER_PATH = "/opt/bin/ffmpeg";

/** The FFmpeg binary of a package for `architecture`; throws saying how to install it. */
export function ffmpegBinary(architecture: keyof typeof FFMPEG_PACKAGES, resolve: (id: string) => string = require.resolve): { file: string; version: string } {
  const pkg = FFMPEG_PACKAGES[architecture];
  if (!pkg) throw new Error(`[architecture] must be 'x86_64' or 'arm64'; got '${String(architecture)}'`);
  let manifest: string;
  try {
    manifest = resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`[architecture] '${architecture}' needs FFmpeg from the registry package ${pkg}, which is not installed; ` +
      `install it on the deploying machine (npm install --no-save --force ${pkg}) or run the merge on the architecture of this machine`);
  }
  const file = path.join(path.dirname(manifest), "ffmpeg");
  if (!fs.existsSync(file)) throw new Error(`${pkg} has no ffmpeg binary at ${file}`);
  return { file, version: String(JSON.parse(fs.readFileSync(manifest, "utf8")).version) };
}

/**
 * Zips FFmpeg as `bin/ffmpeg` with mode 0755 (Pulumi's own archives carry no file modes, so a
 * binary in an AssetArchive would not be executable on Lambda). Deterministic (fixed time), cached
 * per package version in `node_modules/.cache/mlz/`; the path returned is relative to the working
 * directory (the project root under Pulumi), so the state does not record a machine's own path.
 */
export async function ffmpegLayerZip(binary: { file: string; version: string }, architecture: string, dir = path.join(process.cwd(), "node_modules", ".cache", "mlz")): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `mlz-ffmpeg-layer-${architecture}-${binary.version}-${fs.statSync(binary.file).size}.zip`);
  const relative = (f: string) => path.relative(process.cwd(), f) || f;
  if (fs.existsSync(out)) return relative(out);
  const partial = `${out}.${process.pid}.partial`;
  const zip = new yazl.ZipFile();
  zip.addFile(binary.file, "bin/ffmpeg", { mode: 0o100755, mtime: new Date("2000-01-01T00:00:00Z"), compress: true });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(partial)).on("close", () => resolve()).on("error", reject);
  });
  fs.renameSync(partial, out);
  return relative(out);
}

export interface FfmpegLayerArgs {
  /** Architecture of the functions using it. Defaults to `arm64`. */
  readonly architecture?: "arm64" | "x86_64";
  /** Layer name. Required. */
  readonly layerName: string;
}

/** A Lambda layer holding a static FFmpeg for one architecture at `/opt/bin/ffmpeg`. */
export class FfmpegLayer extends pulumi.ComponentResource {
  public readonly layer: aws.lambda.LayerVersion;
  public readonly arn: pulumi.Output<string>;
  public readonly ffmpegPath: string;

  constructor(name: string, args: FfmpegLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlz:lambda:FfmpegLayer", name, {}, opts);
    const architecture = args.architecture ?? "arm64";
    if (!/^[a-zA-Z0-9-_]{1,64}$/.test(args.layerName)) throw new Error(`[layerName] must be 1-64 letters, digits, '-' or '_'; got '${args.layerName}'`);
    const binary = ffmpegBinary(architecture);
    this.layer = new aws.lambda.LayerVersion(`${name}-layer`, {
      layerName: args.layerName,
      description: `FFmpeg ${binary.version} (${FFMPEG_PACKAGES[architecture]}) at ${FFMPEG_LAYER_PATH}`,
      compatibleArchitectures: [architecture],
      compatibleRuntimes: [NODE_RUNTIME],
      code: new pulumi.asset.FileArchive(ffmpegLayerZip(binary, architecture)),
      licenseInfo: "GPL-3.0-or-later",
    }, { parent: this });
    this.arn = this.layer.arn;
    this.ffmpegPath = FFMPEG_LAYER_PATH;
    this.registerOutputs({ layer: this.layer, arn: this.arn, ffmpegPath: this.ffmpegPath });
  }
}
