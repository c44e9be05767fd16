/**
 * Packages with native code that a Lambda bundle cannot inline: kept `external` by esbuild and
 * shipped in the function's `node_modules/`, built for the FUNCTION's architecture, not the
 * machine's. sharp is the one supported: its JavaScript plus `@img/sharp-linux-<arch>` (the
 * binding) and `@img/sharp-libvips-linux-<arch>` (libvips), the layout sharp's own Lambda
 * instructions ask for (`npm install --os=linux --cpu=arm64 --libc=glibc sharp`).
 *
 * Those platform packages are optional dependencies that npm installs only for the machine it runs
 * on, so they live apart from the project's `node_modules`: `npm run lambda:native` installs them
 * into `.lambda-native/linux-<arch>/node_modules` at exactly the versions of package-lock.json
 * (tools/lambda-native.ts). The function's code hash covers those versions and their lockfile
 * integrity, so a sharp upgrade redeploys the function.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** Where `npm run lambda:native` installs the packages, one folder per platform. */
export const NATIVE_ROOT = path.join(PROJECT_ROOT, ".lambda-native");

export type LambdaArchitecture = "arm64" | "x86_64";

/** Native packages a function may ask for. */
export const NATIVE_PACKAGES = ["sharp"] as const;
export type NativePackage = (typeof NATIVE_PACKAGES)[number];

/** npm's name of the Lambda architecture's CPU. */
export function npmCpu(arch: LambdaArchitecture): "arm64" | "x64" {
  return arch === "arm64" ? "arm64" : "x64";
}

/** Every package the function's `node_modules/` needs at run time for `pkg` on Linux `arch` (glibc). */
export function runtimePackages(pkg: NativePackage, arch: LambdaArchitecture): string[] {
  if (!NATIVE_PACKAGES.includes(pkg)) throw new Error(`[nativePackages] supports ${NATIVE_PACKAGES.join(", ")}; got '${String(pkg)}'`);
  const cpu = npmCpu(arch);
  return ["sharp", "@img/colour", "detect-libc", "semver", `@img/sharp-linux-${cpu}`, `@img/sharp-libvips-linux-${cpu}`];
}

export interface LockedPackage { name: string; version: string; integrity: string }

/** Version and integrity of each package as package-lock.json pins them (the platform packages are listed there too). */
export function lockedVersions(names: readonly string[], lockFile = path.join(PROJECT_ROOT, "package-lock.json")): LockedPackage[] {
  const lock = JSON.parse(fs.readFileSync(lockFile, "utf8")) as { packages?: Record<string, { version?: string; integrity?: string }> };
  return names.map((name) => {
    const entry = lock.packages?.[`node_modules/${name}`];
    if (!entry?.version || !entry.integrity) {
      throw new Error(`${path.basename(lockFile)} pins no version of '${name}': run npm install sharp`);
    }
    return { name, version: entry.version, integrity: entry.integrity };
  });
}

/** Folder whose `node_modules/` holds the packages for `arch` (under `root`, default `.lambda-native`). */
export function nativeDir(arch: LambdaArchitecture, root = NATIVE_ROOT): string {
  return path.join(root, `linux-${npmCpu(arch)}`);
}

/** Packages of `locked` missing from the prepared folder, or installed at another version. */
export function missingNativePackages(arch: LambdaArchitecture, locked: readonly LockedPackage[], root = NATIVE_ROOT): string[] {
  return locked.filter((p) => {
    const file = path.join(nativeDir(arch, root), "node_modules", p.name, "package.json");
    if (!fs.existsSync(file)) return true;
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version !== p.version;
  }).map((p) => `${p.name}@${p.version}`);
}

/** The command that prepares the folder for `arch`. */
export function nativeCommand(arch: LambdaArchitecture): string {
  return arch === "arm64" ? "npm run lambda:native" : `npm run lambda:native -- --arch ${arch}`;
}

/**
 * Why a code archive shipping `pkgs` for `arch` cannot be read yet (the prepared folder lacks a
 * package, or holds another version than package-lock.json pins), as one line naming the command
 * that fixes it; undefined when the folder is ready.
 */
export function nativePackagesProblem(pkgs: readonly NativePackage[], arch: LambdaArchitecture, root = NATIVE_ROOT): string | undefined {
  const names = [...new Set(pkgs.flatMap((p) => runtimePackages(p, arch)))].sort();
  const missing = missingNativePackages(arch, lockedVersions(names), root);
  if (missing.length === 0) return undefined;
  return `the Lambda code archive ships ${pkgs.join(", ")} for linux-${npmCpu(arch)} from ${path.relative(PROJECT_ROOT, path.join(nativeDir(arch, root), "node_modules")) || "."}, which lacks ${missing.join(", ")}: run \`${nativeCommand(arch)}\` before pulumi preview or pulumi up`;
}

export interface NativeModules {
  /** Folder to ship as the function's `node_modules/`. */
  dir: string;
  /** Packages esbuild must leave external. */
  external: string[];
  /** Hex SHA-256 over the names, versions and integrities shipped. */
  sha256: string;
  packages: LockedPackage[];
}

/** What a function needing `pkgs` on `arch` ships beside its bundle. */
export function nativeModules(pkgs: readonly NativePackage[], arch: LambdaArchitecture): NativeModules {
  const names = [...new Set(pkgs.flatMap((p) => runtimePackages(p, arch)))].sort();
  const packages = lockedVersions(names);
  const sha256 = crypto.createHash("sha256").update(JSON.stringify(packages)).digest("hex");
  return { dir: path.join(nativeDir(arch), "node_modules"), external: [...pkgs], sha256, packages };
}
