import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";

/** Folder holding one sub-folder per Lambda function (`functions/<name>/index.ts`). */
export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "..", "functions");

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
export function bundleFunction(source: string, external: readonly string[] = []): FunctionBundle {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(source)) {
    throw new Error(`[source] must name a folder under functions/ (lowercase letters, digits, '-'); got '${source}'`);
  }
  const cacheKey = [source, ...external].join("\0");
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
    target: "node22",
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
    absWorkingDir: path.dirname(FUNCTIONS_DIR),
    external: [...external],
  });
  const code = result.outputFiles[0].text;
  const bundle = { code, sha256: crypto.createHash("sha256").update(code).digest("hex"), bytes: Buffer.byteLength(code) };
  cache.set(cacheKey, bundle);
  return bundle;
}
