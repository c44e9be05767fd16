import type { CicdConfig } from "./config";
import { memberContext } from "./member";
import { memberStackAccounts } from "./topology";
import { declareDeploymentIdentity } from "./parts/deployment-identity";
import { promotionReaderAccounts } from "./promotion-readers";

/**
 * The CI/CD account: GitHub's OIDC provider and, for every member stack file, the deploy and
 * preview roles GitHub Actions assume for that stack's environment; and the promotion role, which
 * may assume the promotion reader in the accounts of the ML stacks.
 */
export function cicdProgram(stack: string, config: CicdConfig): Record<string, unknown> {
  const ctx = memberContext(stack, config);
  const deployStacks = Object.fromEntries(memberStackAccounts().map((s) => [s.stack, { account: s.account, deployRoleName: s.deployRoleName }]));
  const promotionReaders = promotionReaderAccounts().map((r) => r.account);
  const identity = declareDeploymentIdentity(ctx, { github: config.github, deployStacks, promotionReaderAccounts: promotionReaders });
  return { accountId: ctx.accountId, ...identity };
}
