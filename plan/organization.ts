/**
 * Plans the whole organization (or selected stacks) in dependency order, converging cross-stack
 * references the way the deploy workflow does: a stack that reads a stack planned after it (the
 * ML account reads its consumers' live outputs) is planned again once those outputs exist, until
 * every stack has read the final outputs of the stacks it references.
 */
import { ConfigError, readStackFile, stackFilesIn, validateStackFile, type StackFile } from "../stacks/config";
import { ROLE_LEVEL, stackOrder } from "../stacks/order";
import { decodeJson } from "../lib/json";
import { fingerprint, planStack, StackError, type StackRun } from "./planner";

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
  /** Stacks that could not be planned (unreadable or invalid stack file, failed program), by stack. */
  errors: StackError[];
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

/** Swallows unhandled rejections while the event loop settles (the failed programs' echoes). */
async function drainRejections(ms = 250): Promise<void> {
  const swallow = () => undefined;
  process.on("unhandledRejection", swallow);
  try {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    process.off("unhandledRejection", swallow);
  }
}

/**
 * Plans a failed stack again with stack traces and source maps on (the plan runs without them:
 * they cost a third of its time), to name the file and line of the program that raised the error.
 */
async function locate(error: StackError, again: () => Promise<unknown>): Promise<StackError> {
  const limit = Error.stackTraceLimit;
  const maps = process.sourceMapsEnabled;
  Error.stackTraceLimit = 50;
  process.setSourceMapsEnabled(true);
  try {
    await again();
    return error;
  } catch (e) {
    return e instanceof StackError && e.message.includes("raised at ") ? e : error;
  } finally {
    Error.stackTraceLimit = limit;
    process.setSourceMapsEnabled(maps);
    await drainRejections(50);
  }
}

export async function planOrganization(opts: PlanOrganizationOptions): Promise<OrganizationPlan> {
  const previousRole = process.env.MLZ_ASSUME_ROLE_NAME;
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
    const stackFiles = stackFilesIn(opts.stacksDir);
    const names = stackFiles.list();
    if (names.length === 0) throw new Error(`no stack files (Pulumi.<stack>.yaml) in ${opts.stacksDir}`);
    for (const s of opts.stacks ?? []) {
      if (!names.includes(s)) throw new Error(`--stack ${s}: no stacks/Pulumi.${s}.yaml (stacks: ${names.join(", ")})`);
    }
    // One failing stack does not hide the others: a stack file that cannot be read or validated,
    // or a program that fails, is reported, and every other stack is still planned (a stack that
    // reads a failed stack's outputs sees none, as before that stack's first deployment).
    const errors: StackError[] = [];
    const files = new Map<string, StackFile>();
    for (const n of names) {
      try {
        files.set(n, readStackFile(n, opts.stacksDir));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        errors.push(new StackError(n, e.file, e.message, "config"));
      }
    }
    const roleOf = (f: StackFile) => {
      const role = f.values.role;
      if (typeof role !== "string" || !(role in ROLE_LEVEL)) {
        const expected = `one of ${Object.keys(ROLE_LEVEL).join(", ")}`;
        throw new StackError(f.stack, f.file, `${f.file}: ml-landing-zone:role: ${role === undefined ? `is required: ${expected}` : `expected ${expected}; got '${String(role)}'`}`, "config");
      }
      return role;
    };
    // Every stack file is validated before any program runs: programs read each other's files.
    for (const f of [...files.values()]) {
      try {
        roleOf(f);
        validateStackFile(f);
      } catch (e) {
        if (e instanceof StackError) errors.push(e);
        else if (e instanceof ConfigError) errors.push(new StackError(f.stack, f.file, e.message, "config"));
        else throw e;
        files.delete(f.stack);
      }
    }
    const stacks = [...files.values()].map((f) => ({ name: f.stack, role: roleOf(f) }));
    // Every stack is planned, whatever is reported: a stack may read stacks planned after it (the
    // ML stack reads its consumers' live outputs), and a plan of it without them would differ.
    const order = stackOrder(stacks);

    const organization = organizationOf([...files.values()]);
    const runs = new Map<string, StackRun>();
    const failed = new Map<string, StackError>();
    const outputsOf = (stack: string) => runs.get(stack)?.plan.outputs;
    const stale = (run: StackRun) => Object.entries(run.readOutputs)
      .some(([stack, seen]) => files.has(stack) && !failed.has(stack) && seen !== fingerprint(outputsOf(stack)));

    const maxPasses = opts.maxPasses ?? 3;
    let passes = 0;
    let todo = order;
    const stackMs: Record<string, number> = {};
    while (todo.length > 0 && passes < maxPasses) {
      passes++;
      for (const stack of todo) {
        try {
          const started = performance.now();
          runs.set(stack, await planStack(files.get(stack)!, outputsOf, organization, stackFiles));
          stackMs[stack] = (stackMs[stack] ?? 0) + performance.now() - started;
          failed.delete(stack);
        } catch (e) {
          if (!(e instanceof StackError)) throw e;
          runs.delete(stack);
          // Its pending registrations keep rejecting for a moment: let them settle before the
          // next stack runs, so they are never taken for that stack's errors.
          await drainRejections();
          failed.set(stack, !e.message.includes("raised at ") ? await locate(e, () => planStack(files.get(stack)!, outputsOf, organization, stackFiles)) : e);
        }
      }
      todo = order.filter((s) => runs.has(s) && stale(runs.get(s)!));
    }
    // A program that failed after reading no outputs from a stack that could not be planned failed
    // only because of that stack: say so, instead of the SDK's "Required output … does not exist".
    const unplannable = new Set([...errors.map((e) => e.stack), ...failed.keys()]);
    for (const [stack, e] of failed) {
      const causes = e.missingOutputs.filter((s) => unplannable.has(s));
      if (causes.length > 0) {
        failed.set(stack, new StackError(stack, e.file, `not planned: it reads the outputs of ${causes.map((c) => `stack ${c}`).join(", ")}, which could not be planned (see ${causes.length === 1 ? "its error" : "their errors"})`, e.kind, e.missingOutputs, e.references));
      }
    }
    errors.push(...failed.values());
    errors.sort((a, b) => a.stack.localeCompare(b.stack));
    // A failed program's pending registrations keep rejecting for a moment after its stack was
    // reported: let them settle here, so they never reach a later plan in the same process.
    if (failed.size > 0) await drainRejections();
    return { runs: order.filter((s) => runs.has(s)).map((s) => runs.get(s)!), passes, unconverged: todo, organization, errors, stackMs };
  } finally {
    if (previousRole !== undefined) process.env.MLZ_ASSUME_ROLE_NAME = previousRole;
    Error.stackTraceLimit = previousStackLimit;
    process.setSourceMapsEnabled(previousSourceMaps);
  }
}
