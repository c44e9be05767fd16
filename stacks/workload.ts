import type { WorkloadConfig } from "./config";
import { memberContext } from "./member";
import { declareModelConsumption } from "./parts/model-consumption";
import { declareTranslation } from "./parts/translation";

/**
 * A consumer environment (qa, prod): a private network with interface endpoints, and per model the
 * SSM parameter holding the version in use and an application role that may call it through the
 * ML account's cross-account role.
 */
export function workloadProgram(stack: string, config: WorkloadConfig): Record<string, unknown> {
  const ctx = memberContext(stack, config);
  const consumption = declareModelConsumption(ctx, config, config.models, ctx.accountIds.apply((ids) => ids.ml));
  const translation = declareTranslation(ctx, config);
  return { accountId: ctx.accountId, ...consumption, ...(translation ?? {}) };
}
