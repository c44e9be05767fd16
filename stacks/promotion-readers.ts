/**
 * Where the promotion reader roles live. Read from the stack files by both the management stack
 * (which declares `mlz-promotion-reader` in these accounts) and the cicd stack (whose
 * `mlz-github-promote` may assume them), so the two always agree.
 */
import { stackFilesIn, type StackFiles } from "./config";

/**
 * The accounts that hold models (those of the stacks whose role is `ml`), with the regions of those
 * stacks: where the promotion reader role lives and what it may read. Read from the stack files.
 */
export function promotionReaderAccounts(files: StackFiles = stackFilesIn()): { account: string; regions: string[] }[] {
  const byAccount = new Map<string, Set<string>>();
  for (const stack of files.list()) {
    const c = files.read(stack);
    if (c.role !== "ml") continue;
    const regions = byAccount.get(c.account) ?? new Set<string>();
    regions.add(c.region);
    byAccount.set(c.account, regions);
  }
  return [...byAccount.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([account, regions]) => ({ account, regions: [...regions].sort() }));
}

