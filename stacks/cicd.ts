import type { CicdConfig } from "./config";
import { memberContext } from "./member";

/** The cicd account's program. */
export function cicdProgram(stack: string, config: CicdConfig): Record<string, unknown> {
  const ctx = memberContext(stack, config);
  return { accountId: ctx.accountId };
}
