import type { LakehouseConfig } from "./config";
import { memberContext } from "./member";

/** The lakehouse account's program. */
export function lakehouseProgram(stack: string, config: LakehouseConfig): Record<string, unknown> {
  const ctx = memberContext(stack, config);
  return { accountId: ctx.accountId };
}
