import { stackFilesIn, type WorkloadConfig, type StackFiles } from "./config";
import { memberContext } from "./member";
import { declareModelConsumption } from "./parts/model-consumption";
import { declareNarration } from "./parts/narration";
import { declareTranslation } from "./parts/translation";
import { declareDocumentAnalysis } from "./parts/document-analysis";

/**
 * A consumer environment (qa, prod): a private network with interface endpoints, and per model the
 * SSM parameter holding the version in use and an application role that may call it through the
 * ML account's cross-account role.
 */
export function workloadProgram(stack: string, config: WorkloadConfig, stackFiles: StackFiles = stackFilesIn()): Record<string, unknown> {
  const ctx = memberContext(stack, config, stackFiles);
  // Comprehend versions are not called through the ML account's role: the analysis part imports a copy.
  const called = Object.fromEntries(Object.entries(config.models).filter(([, m]) => m.kind !== "comprehend"));
  const consumption = declareModelConsumption(ctx, config, called, ctx.accountIds.apply((ids) => ids.ml));
  const narration = declareNarration(ctx, config, config.deployRoleName);
  const translation = declareTranslation(ctx, config);
  const { versions, ...analysis } = declareDocumentAnalysis(ctx, config, config.models, config.deployRoleName);
  return {
    accountId: ctx.accountId,
    ...consumption,
    // Every version in use here, of every kind: the ML stack reads this output as "live".
    modelVersionArns: consumption.modelVersionArns.apply((arns) => ({ ...arns, ...versions })),
    ...(narration ?? {}),
    ...(translation ?? {}),
    ...analysis,
  };
}
