/**
 * `npm run lambda:native`: installs the native packages Lambda functions ship (sharp and its
 * libvips build) for the functions' architecture into `.lambda-native/linux-<cpu>/node_modules`,
 * at exactly the versions package-lock.json pins, with npm's own cross-platform flags
 * (`--os=linux --cpu=<cpu> --libc=glibc`). Run it once before `pulumi up` (and after upgrading
 * sharp); the offline plan and the tests do not need it.
 *
 *   npm run lambda:native [-- --arch arm64|x86_64] [--check]
 *
 * `--check` installs nothing and exits 1 listing what is missing or at another version.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import {
  lockedVersions,
  missingNativePackages,
  nativeDir,
  npmCpu,
  runtimePackages,
  type LambdaArchitecture,
} from "../components/lambda/native-packages";

export const USAGE = "usage: npm run lambda:native -- [--arch arm64|x86_64] [--check]";
export const HELP = `${USAGE}

Installs sharp with its Linux binaries for a Lambda architecture (default arm64) into
.lambda-native/linux-<cpu>/node_modules, at the versions package-lock.json pins; functions with
nativePackages ship that folder as their node_modules/.

  --arch <arm64|x86_64>  the functions' architecture (default arm64)
  --check                install nothing; exit 1 naming what is missing
  -h, --help             show this help

Exit status: 0 ready, 1 missing (--check) or npm failed, 2 usage error.
`;

export interface Args { arch: LambdaArchitecture; check: boolean; help: boolean }

export function parseArgs(argv: string[]): Args {
  const out: Args = { arch: "arm64", check: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") out.help = true;
    else if (a === "--check") out.check = true;
    else if (a === "--arch") {
      const v = argv[++i];
      if (v !== "arm64" && v !== "x86_64") throw new UsageError(`--arch must be arm64 or x86_64; got '${v ?? ""}'`);
      out.arch = v;
    } else throw new UsageError(`unknown argument '${a}'`);
  }
  return out;
}

export class UsageError extends Error {}

function main(): number {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`lambda-native: ${e.message} (see --help)\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const locked = lockedVersions(runtimePackages("sharp", args.arch));
  const dir = nativeDir(args.arch);
  let missing = missingNativePackages(args.arch, locked);
  if (missing.length === 0) {
    process.stdout.write(`${dir}: ready (${locked.map((p) => `${p.name}@${p.version}`).join(", ")})\n`);
    return 0;
  }
  if (args.check) {
    process.stderr.write(`lambda-native: ${dir} lacks ${missing.join(", ")}: run npm run lambda:native${args.arch === "arm64" ? "" : " -- --arch " + args.arch}\n`);
    return 1;
  }
  fs.mkdirSync(dir, { recursive: true });
  const sharp = locked.find((p) => p.name === "sharp")!;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, [
    "install", "--prefix", dir, "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
    "--os=linux", `--cpu=${npmCpu(args.arch)}`, "--libc=glibc", `sharp@${sharp.version}`,
  ], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    process.stderr.write(`lambda-native: npm install failed (exit ${r.status})\n`);
    return 1;
  }
  missing = missingNativePackages(args.arch, locked);
  if (missing.length > 0) {
    process.stderr.write(`lambda-native: after npm install, ${dir} still lacks ${missing.join(", ")}\n`);
    return 1;
  }
  process.stdout.write(`${dir}: ready (${locked.map((p) => `${p.name}@${p.version}`).join(", ")})\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
