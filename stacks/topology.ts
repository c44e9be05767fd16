import { stackFilePath, type StackFiles } from "./config";
import { DEFAULT_DEPLOY_ROLE_NAME } from "../components/naming";

/** Which member account a stack deploys into, and with which role (from its stack file). */
export interface StackAccount {
  stack: string;
  account: string;
  deployRoleName: string;
}

/**
 * Reads every member stack's `account` and `deployRoleName` from its stack file: the management
 * stack bootstraps deploy roles and the cicd stack creates GitHub roles for exactly these stacks.
 * With `accountKeys`, an account key outside it is refused, naming the file.
 */
export function memberStackAccounts(files: StackFiles, accountKeys?: string[]): StackAccount[] {
  const found: StackAccount[] = [];
  for (const stack of files.list()) {
    const c = files.read(stack);
    if (c.role === "management") continue;
    if (accountKeys && !accountKeys.includes(c.account)) {
      throw new Error(`${stackFilePath(stack)}: ml-landing-zone:account: expected one of the management stack's accounts (${accountKeys.join(", ")}); got '${c.account}'`);
    }
    found.push({ stack, account: c.account, deployRoleName: c.deployRoleName ?? DEFAULT_DEPLOY_ROLE_NAME });
  }
  return found;
}
