/**
 * Builds the command-line tools ahead of time: one esbuild bundle per command in `dist/cli/`
 * (git-ignored), so `npm run plan` and the other commands start without transpiling TypeScript.
 * Runs on `npm ci`/`npm install` (the `prepare` script) and again, from `tools/cli.js`, whenever a
 * source file of a bundle changed since it was built: a command never runs a stale build.
 *
 * Our own code is bundled; packages stay in node_modules (`packages: "external"`), loaded only when
 * a command needs them. Stack programs are not built here: Pulumi runs them from `Pulumi.yaml`'s
 * `main` (TypeScript, through ts-node) as before.
 *
 * Plain JavaScript on purpose: it runs before anything is compiled.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "dist", "cli");

/** Command name → entry file. */
const COMMANDS = {
  plan: "plan/cli.ts",
  promote: "promotion/cli.ts",
  "generate-org": "tools/generate-org.ts",
  bench: "bench/run.ts",
  "compare-preview": "delivery/compare-preview-cli.ts",
  adopt: "tools/adopt-cli.ts",
  "drift-report": "delivery/drift-cli.ts",
  replay: "tools/replay-cli.ts",
  narration: "tools/narration/cli.ts",
  "lambda:native": "tools/lambda-native.ts",
  "cost:images": "tools/image-normalization-cost.ts",
  translate: "tools/translate/cli.ts",
};

/**
 * In a bundle every module shares the bundle's `__dirname` and `module`: give each source file its
 * own folder back (relative to the bundle, so a moved checkout still works), and make
 * `require.main === module` true exactly in the command's own entry file.
 */
function sourcePlugin(entry) {
  return {
    name: "mlz-source",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let text = await fs.promises.readFile(args.path, "utf8");
        const dir = path.relative(ROOT, path.dirname(args.path)).split(path.sep).join("/");
        text = text.replace(/\b__dirname\b/g, `require("node:path").join(__mlzRoot, ${JSON.stringify(dir)})`);
        // The bundle is the command (loaded by tools/cli.js, so Node's require.main is not it).
        text = text.replace(/require\.main === module/g, path.resolve(args.path) === path.resolve(ROOT, entry) ? "true" : "false");
        return { contents: text, loader: "ts" };
      });
    },
  };
}

/** The bundle's file for a command, without the `:` of npm script names (not allowed in Windows file names). */
function bundlePath(name, suffix = ".js") {
  return path.join(OUT, `${name.replace(/:/g, "-")}${suffix}`);
}

/** Builds the bundles (all, or the named ones); writes `bundlePath(name)` and its `.inputs.json`. */
async function build(names = Object.keys(COMMANDS)) {
  const esbuild = require("esbuild");
  fs.mkdirSync(OUT, { recursive: true });
  await Promise.all(names.map(async (name) => {
    const entry = COMMANDS[name];
    if (!entry) throw new Error(`unknown command '${name}'; expected one of ${Object.keys(COMMANDS).join(", ")}`);
    const started = Date.now();
    const result = await esbuild.build({
      entryPoints: [path.join(ROOT, entry)],
      outfile: bundlePath(name),
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      packages: "external",
      sourcemap: false,
      metafile: true,
      logLevel: "error",
      absWorkingDir: ROOT,
      banner: { js: `const __mlzRoot = require("node:path").resolve(__dirname, "..", "..");` },
      plugins: [sourcePlugin(entry)],
    });
    const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/")).sort();
    // Inputs and the time the build started: a source saved during the build counts as newer.
    fs.writeFileSync(bundlePath(name, ".inputs.json"), JSON.stringify({ builtAt: started, inputs: [...inputs, "package-lock.json", "tools/build.js"] }) + "\n");
  }));
}

/** Whether `dist/cli/<name>.js` exists and no input changed (or vanished) since it was built. */
function isFresh(name) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(bundlePath(name, ".inputs.json"), "utf8"));
    fs.statSync(bundlePath(name));
  } catch {
    return false;
  }
  for (const f of stamp.inputs) {
    let mtime;
    try {
      mtime = fs.statSync(path.join(ROOT, f)).mtimeMs;
    } catch {
      return false;
    }
    if (mtime >= stamp.builtAt) return false;
  }
  return true;
}

module.exports = { COMMANDS, OUT, build, bundlePath, isFresh };

if (require.main === module) {
  build(process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined).catch((e) => {
    process.stderr.write(`build: ${e.message}\n`);
    process.exitCode = 1;
  });
}
