/**
 * Stack order: management; then cicd and lakehouse; then ml; then the workloads (qa, prod).
 * Derived from each stack's role, so a new workload stack needs no change here.
 */
export const ROLE_LEVEL: Record<string, number> = {
  management: 0,
  cicd: 1,
  lakehouse: 1,
  ml: 2,
  workload: 3,
};

/** Groups stacks into levels that may be planned or deployed in any order within a level. */
export function stackLevels(stacks: { name: string; role: string }[]): string[][] {
  const levels: string[][] = [];
  for (const s of stacks) {
    const level = ROLE_LEVEL[s.role];
    if (level === undefined) throw new Error(`stack '${s.name}' has unknown role '${s.role}'; expected one of ${Object.keys(ROLE_LEVEL).join(", ")}`);
    (levels[level] ??= []).push(s.name);
  }
  return levels.filter((l) => l !== undefined).map((l) => [...l].sort());
}

/** Stacks in dependency order (levels flattened). */
export function stackOrder(stacks: { name: string; role: string }[]): string[] {
  return stackLevels(stacks).flat();
}
