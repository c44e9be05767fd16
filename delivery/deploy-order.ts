/**
 * Which stacks a change set deploys, and in which order: the `pulumi up` steps of `deploy.yml`.
 *
 * Order: management → cicd, lakehouse → ml → workload stacks (qa before prod). A change to a
 * workload stack's `models` map (a promotion) deploys the ML stack first (it grants the union of
 * the version the stack file asks for and the version live in the environment), then the
 * workload stack (it switches), then the ML stack again (`<ml>-revoke`: the old version is no
 * longer live anywhere, so its grant goes and it stops).
 */
import { isDeepStrictEqual } from "node:util";
import { parseDocument } from "yaml";
import { PROMOTION_GATES } from "../promotion/gates";
import { ROLE_LEVEL } from "../stacks/order";

export interface StackInfo {
  readonly name: string;
  /** management | cicd | lakehouse | ml | workload */
  readonly role: string;
}

export interface ChangeSet {
  /** Paths changed between the two commits (`git diff --name-only`). */
  readonly files: readonly string[];
  /** Stacks that exist in the new commit. */
  readonly stacks: readonly StackInfo[];
  /** Stacks whose `ml-landing-zone:models` map changed. */
  readonly modelChanges: readonly string[];
  /** Deploy every stack (first push, or the base commit is unknown). */
  readonly all?: boolean;
}

export interface DeployStep {
  /** Job id in deploy.yml: the stack name, or `<stack>-revoke`. */
  readonly id: string;
  readonly stack: string;
  readonly purpose: "deploy" | "grant" | "revoke";
  /** Why the stack is in the change set (first reason found). */
  readonly reason: string;
}


/** Files that change no stack. */
const NO_DEPLOY = [/^test\//, /^plan\//, /^promotion\//, /^delivery\//, /^tools\//, /^bench\//, /^docs\//, /^\.github\//, /\.md$/i, /^\.gitignore$/, /^\.mocharc\.json$/, /^LICENSE$/, /^\.editorconfig$/, /^\.nvmrc$/];
/** Files that change every stack. */
const EVERY_STACK = [/^components\//, /^functions\//, /^lib\//, /^policies\//, /^stacks\/parts\//, /^Pulumi\.yaml$/, /^package(-lock)?\.json$/, /^tsconfig\.json$/];

/** The stacks a change set affects, with the first reason for each. Exported for tests. */
export function affectedStacks(cs: ChangeSet): Map<string, string> {
  const affected = new Map<string, string>();
  const add = (stack: string, reason: string) => {
    if (!affected.has(stack)) affected.set(stack, reason);
  };
  const addAll = (reason: string) => cs.stacks.forEach((s) => add(s.name, reason));
  const names = new Set(cs.stacks.map((s) => s.name));
  if (cs.all) addAll("full deployment");
  for (const file of cs.files) {
    const stackFile = /^stacks\/Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(file);
    if (stackFile) {
      // A deleted stack file has nothing left to deploy.
      if (names.has(stackFile[1])) add(stackFile[1], `${file} changed`);
      continue;
    }
    const roleProgram = /^stacks\/([a-z]+)\.ts$/.exec(file);
    if (roleProgram && roleProgram[1] in ROLE_LEVEL) {
      cs.stacks.filter((s) => s.role === roleProgram[1]).forEach((s) => add(s.name, `${file} changed`));
      continue;
    }
    if (NO_DEPLOY.some((re) => re.test(file))) continue;
    // Shared code, other stack code and anything unclassified: every stack (the safe default).
    addAll(EVERY_STACK.some((re) => re.test(file)) || file.startsWith("stacks/") ? `${file} changed` : `${file} changed (unclassified file)`);
  }
  return affected;
}

/** Ordered `pulumi up` steps for a change set. */
export function deploySteps(cs: ChangeSet): DeployStep[] {
  const byName = new Map(cs.stacks.map((s) => [s.name, s]));
  const affected = affectedStacks(cs);
  const promoted = cs.modelChanges.filter((s) => byName.get(s)?.role === "workload" && affected.has(s));
  const mlStacks = cs.stacks.filter((s) => s.role === "ml").map((s) => s.name);
  if (promoted.length > 0) {
    for (const ml of mlStacks) {
      if (!affected.has(ml)) affected.set(ml, `models of ${promoted.join(", ")} changed: grant the new version`);
    }
  }
  const ordered = [...affected.keys()].sort((a, b) => compareStacks(byName.get(a)!, byName.get(b)!));
  for (const s of ordered) {
    if (!byName.get(s)!.role || !(byName.get(s)!.role in ROLE_LEVEL)) {
      throw new Error(`stack '${s}' has role '${byName.get(s)!.role}'; expected one of ${Object.keys(ROLE_LEVEL).join(", ")}`);
    }
  }
  const steps: DeployStep[] = ordered.map((s) => ({
    id: s,
    stack: s,
    purpose: promoted.length > 0 && mlStacks.includes(s) ? "grant" : "deploy",
    reason: affected.get(s)!,
  }));
  if (promoted.length > 0) {
    for (const ml of mlStacks) {
      steps.push({ id: `${ml}-revoke`, stack: ml, purpose: "revoke", reason: `revoke the versions ${promoted.join(", ")} stopped using` });
    }
  }
  return steps;
}

function compareStacks(a: StackInfo, b: StackInfo): number {
  return (ROLE_LEVEL[a.role] ?? 99) - (ROLE_LEVEL[b.role] ?? 99) || gateDepth(a.name) - gateDepth(b.name) || a.name.localeCompare(b.name);
}

/** 0 for a stack no gate guards, 1 for prod (after qa), and so on. */
export function gateDepth(stack: string, seen = new Set<string>()): number {
  const gate = PROMOTION_GATES[stack];
  if (gate === undefined || seen.has(stack)) return 0;
  seen.add(stack);
  return 1 + gateDepth(gate, seen);
}

/** Whether the `ml-landing-zone:models` map differs between two versions of a stack file (`undefined`: file absent). */
export function modelsChanged(before: string | undefined, after: string | undefined): boolean {
  const models = (text: string | undefined): unknown =>
    text === undefined ? undefined : (parseDocument(text).toJS() as { config?: Record<string, unknown> } | null)?.config?.["ml-landing-zone:models"];
  return !isDeepStrictEqual(models(before), models(after));
}
