import { stackFilesIn, type WorkloadConfig, type StackFiles } from "./config";
import { memberContext } from "./member";
import { declareModelConsumption } from "./parts/model-consumption";
import { declareNarration } from "./parts/narration";

/**
 * A consumer environment (qa, prod): a private network with interface endpoints, and per model the
 * SSM parameter holding the version in use and an application role that may call it through the
 * ML account's cross-account role.
 */
export function workloadProgram(stack: string, config: WorkloadConfig, stackFiles: StackFiles = stackFilesIn()): Record<string, unknown> {
  const ctx = memberContext(stack, config, stackFiles);
  const consumption = declareModelConsumption(ctx, config, config.models, ctx.accountIds.apply((ids) => ids.ml));
  const narration = declareNarration(ctx, config, config.deployRoleName);
  return { accountId: ctx.accountId, ...consumption, ...(narration ?? {}) };
}
