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
  const result = esbuild.buildSync({
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
  });
  const code = result.outputFiles[0].text;
  const bundle = { code, sha256: crypto.createHash("sha256").update(code).digest("hex"), bytes: Buffer.byteLength(code) };
  cache.set(cacheKey, bundle);
  return bundle;
}
