import { stackFilesIn, type MlConfig, type StackFiles } from "./config";
import { memberContext } from "./member";
import { declareRekognitionModels } from "./parts/rekognition-models";
import { declareBikeshare } from "./parts/bikeshare";
import { modelReferencesIo, readModelReferences } from "./parts/model-references";
import { declareSageMakerHosting } from "./parts/sagemaker-hosting";
import { declareNormalizedImageReaders } from "./parts/normalized-images";
import { declareDocumentEntities } from "./parts/document-entities";

/**
 * The ML account: Rekognition projects, the model versions consumers use kept running (Rekognition)
 * or hosted on an endpoint each (SageMaker), and per consumer environment a cross-account role
 * granting exactly those versions. Async: which versions are kept depends on the consumers' live
 * outputs, known before any resource is declared; the consumers are read once for every kind.
 */
export async function mlProgram(stack: string, config: MlConfig, stackFiles: StackFiles = stackFilesIn()): Promise<Record<string, unknown>> {
  const ctx = memberContext(stack, config, stackFiles);
  const references = await readModelReferences(config, modelReferencesIo(ctx.stackFiles));
  const rekognition = await declareRekognitionModels(ctx, config, undefined, references);
  const hosting = declareSageMakerHosting(ctx, config, references);
  const bikeshare = declareBikeshare(ctx, config, config.models, config.deployRoleName, hosting.context);
  const normalizedImages = declareNormalizedImageReaders(ctx, config, rekognition.rekognitionTrainerRoleArn);
  const entities = declareDocumentEntities(ctx, config, references, config.deployRoleName);
  return { accountId: ctx.accountId, ...rekognition, ...hosting.outputs, ...(bikeshare ?? {}), ...normalizedImages, ...entities };
}
