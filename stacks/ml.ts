import type { MlConfig } from "./config";
import { memberContext } from "./member";
import { declareRekognitionModels } from "./parts/rekognition-models";
import { declareBikeshare } from "./parts/bikeshare";

/**
 * The ML account: Rekognition projects, the model versions consumers use kept running, and per
 * consumer environment a cross-account role granting exactly those versions. Async: which versions
 * stay running depends on the consumers' live outputs, known before any resource is declared.
 */
export async function mlProgram(stack: string, config: MlConfig): Promise<Record<string, unknown>> {
  const ctx = memberContext(stack, config);
  const rekognition = await declareRekognitionModels(ctx, config);
  const bikeshare = declareBikeshare(ctx, config, config.models, config.deployRoleName);
  return { accountId: ctx.accountId, ...rekognition, ...(bikeshare ?? {}) };
}
