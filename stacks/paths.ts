/**
 * Where the stack files live, without the stack schema: commands that only need the folder (to
 * parse their arguments, or answer `--help`) import this instead of `stacks/config.ts`, which loads
 * the Pulumi SDK with the components.
 */
import * as path from "node:path";

/** Folder of the stack files (`stackConfigDir` in Pulumi.yaml). */
export const STACKS_DIR = path.resolve(__dirname);
