import type { WorkloadConfig } from "./config";
import { memberContext } from "./member";

/** The workload account's program. */
export function workloadProgram(stack: string, config: WorkloadConfig): Record<string, unknown> {
  const ctx = memberContext(stack, config);
  return { accountId: ctx.accountId };
}
