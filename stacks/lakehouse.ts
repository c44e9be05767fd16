import { stackFilesIn, type LakehouseConfig, type StackFiles } from "./config";
import { memberContext } from "./member";
import { declareAuditLog } from "./parts/audit-log";
import { declareTrainingImages } from "./parts/training-images";
import { declareImageNormalization } from "./parts/image-normalization";

/** The data-lake account: the organization trail's log bucket and the data-lake buckets. */
export function lakehouseProgram(stack: string, config: LakehouseConfig, stackFiles: StackFiles = stackFilesIn()): Record<string, unknown> {
  const ctx = memberContext(stack, config, stackFiles);
  const auditLog = declareAuditLog(ctx, config);
  const trainingImages = declareTrainingImages(ctx, config);
  const imageNormalization = declareImageNormalization(ctx, config);
  return { accountId: ctx.accountId, ...auditLog, ...trainingImages, ...imageNormalization };
}
