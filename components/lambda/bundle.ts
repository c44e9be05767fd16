import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";

/** Folder holding one sub-folder per Lambda function (`functions/<name>/index.ts`). */
export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "..", "functions");

/** esbuild target of every bundle: the Node.js major of the Lambda runtime (`NODE_RUNTIME`, nodejs24.x). */
export const BUNDLE_TARGET = "node24";

export interface FunctionBundle {
  /** Bundled CommonJS code exporting `handler`. */
  code: string;
  /** Hex SHA-256 of `code`. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
}

const cache = new Map<string, FunctionBundle>();

/**
 * Bundles persist across processes in `node_modules/.cache/ml-landing-zone/functions/`: each with
 * the list of its input files (esbuild's metafile, packages included) and their size and mtime at
 * build time. A bundle is reused only while every input is unchanged, so a later run gets exactly
 * what a fresh build would give (esbuild's output is deterministic). Saves the plan and
 * `pulumi up` a second of esbuild per run.
 */
const DISK_CACHE = path.join(path.dirname(FUNCTIONS_DIR), "node_modules", ".cache", "ml-landing-zone", "functions");

interface DiskEntry {
  options: string;
  inputs: [file: string, size: number, mtimeMs: number][];
  code: string;
}

function readDiskCache(source: string, options: string): string | undefined {
  try {
    const entry = JSON.parse(fs.readFileSync(path.join(DISK_CACHE, `${source}.json`), "utf8")) as DiskEntry;
    if (entry.options !== options) return undefined;
    for (const [file, size, mtimeMs] of entry.inputs) {
      const st = fs.statSync(path.join(path.dirname(FUNCTIONS_DIR), file));
      if (st.size !== size || st.mtimeMs !== mtimeMs) return undefined;
    }
    return entry.code;
  } catch {
    return undefined;
  }
}

function writeDiskCache(source: string, options: string, inputs: string[], code: string, started: number): void {
  try {
    const root = path.dirname(FUNCTIONS_DIR);
    const stats = inputs.map((f) => [f, fs.statSync(path.join(root, f))] as const);
    // An input saved while esbuild read it may not be in `code`: keep such a bundle out of the cache.
    if (stats.some(([, st]) => st.mtimeMs >= started)) return;
    const entry: DiskEntry = { options, inputs: stats.map(([f, st]) => [f, st.size, st.mtimeMs]), code };
    fs.mkdirSync(DISK_CACHE, { recursive: true });
    const tmp = path.join(DISK_CACHE, `${source}.json.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(entry));
    fs.renameSync(tmp, path.join(DISK_CACHE, `${source}.json`));
  } catch {
    // A cache that cannot be written only costs the next run a rebuild.
  }
}

/**
 * Bundles `functions/<source>/index.ts` with esbuild into one minified CommonJS file for Node.js 22.
 * Everything is bundled, including the AWS SDK clients, so the deployed code runs the versions the
 * tests ran, except the packages named in `external` (native code, shipped beside the bundle in
 * `node_modules/`, see ./native-packages.ts). Output is deterministic; bundles are cached per process.
 */
export function bundleFunction(source: string, opts: { define?: Record<string, string>; external?: readonly string[] } = {}): FunctionBundle {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(source)) {
    throw new Error(`[source] must name a folder under functions/ (lowercase letters, digits, '-'); got '${source}'`);
  }
  // `define` replaces expressions with literals at bundle time (esbuild's define), e.g.
  // `{ "process.env.X": JSON.stringify(value) }` for functions that cannot have environment variables.
  // `external` packages stay out of the bundle (shipped beside it, e.g. sharp's native build).
  const external = opts.external ?? [];
  const cacheKey = [source, ...external].join("\0") + (opts.define ? `\u0000${JSON.stringify(opts.define)}` : "");
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const entry = path.join(FUNCTIONS_DIR, source, "index.ts");
  if (!fs.existsSync(entry)) {
    throw new Error(`[source] '${source}' has no handler: ${path.relative(process.cwd(), entry)} does not exist`);
  }
  const options = {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: BUNDLE_TARGET,
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
    absWorkingDir: path.dirname(FUNCTIONS_DIR),
    ...(opts.define ? { define: opts.define } : {}),
    external: [...external],
  } satisfies esbuild.BuildOptions;
  const key = JSON.stringify({ ...options, esbuild: esbuild.version });
  let code = readDiskCache(source, key);
  if (code === undefined) {
    const started = Date.now();
    const result = esbuild.buildSync({ ...options, metafile: true });
    // write: false and metafile: true, so both are present.
    code = result.outputFiles!.at(0)!.text;
    writeDiskCache(source, key, Object.keys(result.metafile!.inputs), code, started);
  }
  const bundle = { code, sha256: crypto.createHash("sha256").update(code).digest("hex"), bytes: Buffer.byteLength(code) };
  cache.set(cacheKey, bundle);
  return bundle;
}
