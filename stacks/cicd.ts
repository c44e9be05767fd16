import { listStacks, readStackConfigFile, type CicdConfig, type StackConfig } from "./config";
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
export function stackReferences(dir?: string): Record<string, string[]> {
  const stacks = dir === undefined ? listStacks() : listStacks(dir);
  return Object.fromEntries(stacks.map((stack) => [stack, stackReferencesOf(dir === undefined ? readStackConfigFile(stack) : readStackConfigFile(stack, dir))]));
}

/**
 * The CI/CD account: GitHub's OIDC provider and, for every member stack file, the deploy and
 * preview roles GitHub Actions assume for that stack's environment, each confined to that stack's
 * Pulumi state plus read access to the stacks it references; and the promotion role, which may
 * assume the promotion reader in the accounts of the ML stacks.
 */
export function cicdProgram(stack: string, config: CicdConfig): Record<string, unknown> {
  // Every stack file must name the KMS secrets provider whose key policy this stack manages.
  checkSecretsProviders(config.github.stateKmsKeyArn);
  const ctx = memberContext(stack, config);
  const references = stackReferences();
  const deployStacks = Object.fromEntries(memberStackAccounts().map((s) => [s.stack, {
    account: s.account,
    deployRoleName: s.deployRoleName,
    readsStacks: references[s.stack] ?? [],
  }]));
  const promotionReaders = promotionReaderAccounts().map((r) => r.account);
  const identity = declareDeploymentIdentity(ctx, { github: config.github, deployStacks, promotionReaderAccounts: promotionReaders });
  return { accountId: ctx.accountId, ...identity };
}
