/**
 * Plans the whole organization (or selected stacks) in dependency order, converging cross-stack
 * references the way the deploy workflow does: a stack that reads a stack planned after it (the
 * ML account reads its consumers' live outputs) is planned again once those outputs exist, until
 * every stack has read the final outputs of the stacks it references.
 */
import { ConfigError, listStacks, parseStackConfig, readStackFile, type StackFile } from "../stacks/config";
import { ROLE_LEVEL, stackOrder } from "./order";
import { decodeJson } from "../stacks/config";
import { fingerprint, planStack, StackError, StackErrors, type StackRun } from "./planner";

/**
 * The Pulumi organization the stacks belong to: the organization most of their stack references
 * (`<organization>/ml-landing-zone/<stack>` values in the stack files) name. Undefined if none.
 */
export function organizationOf(files: StackFile[]): string | undefined {
  const counts = new Map<string, number>();
  const visit = (v: unknown) => {
    if (typeof v === "string") {
      const m = /^([A-Za-z0-9_.-]+)\/ml-landing-zone\/[A-Za-z0-9_.-]+$/.exec(v);
      if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  for (const f of files) for (const v of Object.values(f.values)) visit(decodeJson(v));
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

export interface OrganizationPlan {
  /** Runs in dependency order (the final run of each stack). */
  runs: StackRun[];
  /** Passes needed until every reference read final outputs. */
  passes: number;
  /** Stacks still reading stale outputs after the last pass (should be empty). */
  unconverged: string[];
  /** The Pulumi organization the stacks' references name (see `organizationOf`). */
  organization?: string;
  /** Milliseconds spent running each stack's program (all passes), for `npm run bench`. */
  stackMs: Record<string, number>;
}

export interface PlanOrganizationOptions {
  /** Folder with the `Pulumi.<stack>.yaml` files. */
  stacksDir: string;
  /** Stacks the caller will report (all when empty); validated here, but every stack is planned. */
  stacks?: string[];
  /** Maximum passes. Defaults to 3. */
  maxPasses?: number;
}

export async function planOrganization(opts: PlanOrganizationOptions): Promise<OrganizationPlan> {
  const previous = process.env.MLZ_STACK_CONFIG_DIR;
  const previousRole = process.env.MLZ_ASSUME_ROLE_NAME;
  process.env.MLZ_STACK_CONFIG_DIR = opts.stacksDir;
  // The plan shows what a deployment asks for: never the preview role override.
  delete process.env.MLZ_ASSUME_ROLE_NAME;
  // The Pulumi SDK records `new Error().stack` for every promise it creates (debuggable.js), and
  // with source maps on (tsx) each of those is symbolicated: a third of the plan's time. The plan
  // reports error messages, never stacks, so both are off while programs run.
  const previousStackLimit = Error.stackTraceLimit;
  const previousSourceMaps = process.sourceMapsEnabled;
  Error.stackTraceLimit = 0;
  process.setSourceMapsEnabled(false);
  try {
    const names = listStacks(opts.stacksDir);
    if (names.length === 0) throw new Error(`no stack files (Pulumi.<stack>.yaml) in ${opts.stacksDir}`);
    for (const s of opts.stacks ?? []) {
      if (!names.includes(s)) throw new Error(`--stack ${s}: no stacks/Pulumi.${s}.yaml (stacks: ${names.join(", ")})`);
    }
    const files = new Map<string, StackFile>(names.map((n) => [n, readStackFile(n, opts.stacksDir)]));
    const roleOf = (f: StackFile) => {
      const role = f.values.role;
      if (typeof role !== "string" || !(role in ROLE_LEVEL)) {
        const expected = `one of ${Object.keys(ROLE_LEVEL).join(", ")}`;
        throw new StackError(f.stack, f.file, `${f.file}: ml-landing-zone:role: ${role === undefined ? `is required: ${expected}` : `expected ${expected}; got '${String(role)}'`}`, "config");
      }
      return role;
    };
    const stacks = [...files.values()].map((f) => ({ name: f.stack, role: roleOf(f) }));
    // Every stack is planned, whatever is reported: a stack may read stacks planned after it (the
    // ML stack reads its consumers' live outputs), and a plan of it without them would differ.
    const order = stackOrder(stacks);

    // Every stack file is validated before any program runs: programs read each other's files.
    const invalid: StackError[] = [];
    for (const f of files.values()) {
      try {
        parseStackConfig(f.values, f.file);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        invalid.push(new StackError(f.stack, f.file, e.message, "config"));
      }
    }
    if (invalid.length > 0) throw new StackErrors(invalid);

    const organization = organizationOf([...files.values()]);
    const runs = new Map<string, StackRun>();
    const outputsOf = (stack: string) => runs.get(stack)?.plan.outputs;
    const stale = (run: StackRun) => Object.entries(run.readOutputs)
      .some(([stack, seen]) => files.has(stack) && seen !== fingerprint(outputsOf(stack)));

    const maxPasses = opts.maxPasses ?? 3;
    let passes = 0;
    let todo = order;
    const stackMs: Record<string, number> = {};
    while (todo.length > 0 && passes < maxPasses) {
      passes++;
      for (const stack of todo) {
        const started = performance.now();
        runs.set(stack, await planStack(files.get(stack)!, outputsOf, organization));
        stackMs[stack] = (stackMs[stack] ?? 0) + performance.now() - started;
      }
      todo = order.filter((s) => stale(runs.get(s)!));
    }
    return { runs: order.map((s) => runs.get(s)!), passes, unconverged: todo, organization, stackMs };
  } finally {
    if (previous === undefined) delete process.env.MLZ_STACK_CONFIG_DIR;
    else process.env.MLZ_STACK_CONFIG_DIR = previous;
    if (previousRole !== undefined) process.env.MLZ_ASSUME_ROLE_NAME = previousRole;
    Error.stackTraceLimit = previousStackLimit;
    process.setSourceMapsEnabled(previousSourceMaps);
  }
}
