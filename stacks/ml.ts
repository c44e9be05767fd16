import type { MlConfig } from "./config";
import { memberContext } from "./member";

/** The ml account's program. */
export function mlProgram(stack: string, config: MlConfig): Record<string, unknown> {
  const ctx = memberContext(stack, config);
  return { accountId: ctx.accountId };
}
