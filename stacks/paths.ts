/**
 * Where the stack files live, and the stack schema loaded on demand: `stacks/config.ts` loads the
 * Pulumi SDK with the components, so commands import this module instead and call `stackConfig()`
 * once their arguments are good; `--help` and usage errors answer without the SDK.
 */
import * as path from "node:path";

/** Folder of the stack files (`stackConfigDir` in Pulumi.yaml). */
export const STACKS_DIR = path.resolve(__dirname);

/** The stack schema module (`stacks/config.ts`), loaded on the first call. */
export function stackConfig(): typeof import("./config") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("./config");
}
