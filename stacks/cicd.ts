import { stackFilesIn, type CicdConfig, type StackConfig, type StackFiles } from "./config";
import { memberContext } from "./member";
import { memberStackAccounts } from "./topology";
import { declareDeploymentIdentity } from "./parts/deployment-identity";
import { promotionReaderAccounts } from "./promotion-readers";
import { checkSecretsProviders } from "./secrets-provider";

/**
 * The stack references a stack's program reads (`pulumi.StackReference`), from its validated stack
 * config: every member stack reads `managementStack`; an ML stack also reads its consumers'
 * stacks and the lakehouse stack of `rekognitionTrainer`. Sorted, without duplicates.
 */
export function stackReferencesOf(config: StackConfig): string[] {
  if (config.role === "management") return [];
  const refs = [config.managementStack];
  if (config.role === "ml") {
    refs.push(...Object.values(config.consumers).map((c) => c.stack));
    if (config.rekognitionTrainer?.lakehouseStack) refs.push(config.rekognitionTrainer.lakehouseStack);
  }
  return [...new Set(refs)].sort();
}

/** `stackReferencesOf` for every stack file, by stack name. */
export function stackReferences(files: StackFiles = stackFilesIn()): Record<string, string[]> {
  return Object.fromEntries(files.list().map((stack) => [stack, stackReferencesOf(files.read(stack))]));
}

/**
 * The CI/CD account: GitHub's OIDC provider and, for every member stack file, the deploy and
 * preview roles GitHub Actions assume for that stack's environment, each confined to that stack's
 * Pulumi state plus read access to the stacks it references; and the promotion role, which may
 * assume the promotion reader in the accounts of the ML stacks.
 */
export function cicdProgram(stack: string, config: CicdConfig, stackFiles: StackFiles = stackFilesIn()): Record<string, unknown> {
  // Every stack file must name the KMS secrets provider whose key policy this stack manages.
  checkSecretsProviders(config.github.stateKmsKeyArn, stackFiles.dir);
  const ctx = memberContext(stack, config, stackFiles);
  const references = stackReferences(ctx.stackFiles);
  const deployStacks = Object.fromEntries(memberStackAccounts(ctx.stackFiles).map((s) => [s.stack, {
    account: s.account,
    deployRoleName: s.deployRoleName,
    readsStacks: references[s.stack] ?? [],
  }]));
  const promotionReaders = promotionReaderAccounts(ctx.stackFiles).map((r) => r.account);
  const identity = declareDeploymentIdentity(ctx, { github: config.github, deployStacks, promotionReaderAccounts: promotionReaders });
  return { accountId: ctx.accountId, ...identity };
}
