/**
 * Runs Pulumi programs against the SDK's mock monitor while recording every registration with the
 * fields the public `Mocks` API hides (parent, dependencies). Used by the offline plan and by tests.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor, type Mocks, type MockResourceArgs, type MockCallArgs } from "@pulumi/pulumi/runtime/mocks";
import * as settingsTyped from "@pulumi/pulumi/runtime/settings";

// Internal SDK entry points the mocks need (present in the JS, absent from the .d.ts).
const settings = settingsTyped as typeof settingsTyped & { waitForRPCs(): Promise<void> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getStore } = require("@pulumi/pulumi/runtime/state") as { getStore(): any };
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { PlannedResource } from "../lib/plan-model";

/**
 * A registration seen by the monitor, before any rendering: the fields a planned resource has
 * (lib/plan-model.ts), with inputs as the program sent them and `outputs` the state the
 * simulation returned.
 */
export interface Registration extends Pick<PlannedResource, "urn" | "type" | "name" | "custom" | "parent" | "provider" | "outputs" | "id" | "dependencies" | "importId"> {
  /** Inputs as the program sent them; secrets are wrapped values (see `isSecretValue`). */
  inputs: Record<string, unknown>;
  /** `true` when registered through `read` (e.g. StackReference). */
  read: boolean;
  /** `true` when the resource is protected (`protect` option): Pulumi refuses to delete it. */
  protect?: boolean;
}

export interface Simulator {
  /** Computes id and state for a resource (called for custom resources and components alike). */
  newResource(args: MockResourceArgs): { id: string | undefined; state: Record<string, any> } | Promise<{ id: string | undefined; state: Record<string, any> }>;
  /** Answers an invoke; must throw for an unknown token. */
  call(args: MockCallArgs): Record<string, any> | Promise<Record<string, any>>;
}

export function isSecretValue(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as any)[rpc.specialSigKey] === rpc.specialSecretSig;
}

/** Unwraps secret markers recursively. */
export function unwrapSecrets(v: unknown): unknown {
  if (isSecretValue(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

/** URN as the Pulumi engine computes it (resource/urn.go): parent type chain, root stack excluded. */
export function engineUrn(parent: string, type: string, name: string): string {
  let qualified = type;
  if (parent) {
    const parentType = parent.split("::")[2];
    if (parentType !== ROOT_STACK_TYPE) qualified = `${parentType}$${type}`;
  }
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

class RecordingMonitor extends MockMonitor {
  constructor(mocks: Mocks, private readonly record: (r: Registration) => void) {
    super(mocks);
    // The SDK's mock keeps only the immediate parent's type in a URN and counts the root stack;
    // the engine qualifies a type with the whole chain of parent types below the stack.
    (this as unknown as { newUrn: (p: string, t: string, n: string) => string }).newUrn = engineUrn;
  }

  async registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    const inputs = rpc.deserializeProperties(req.getObject());
    return super.registerResource(req, (err, resp) => {
      if (!err) this.capture(req, resp, inputs, false);
      callback(err, resp);
    });
  }

  async readResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    const inputs = rpc.deserializeProperties(req.getProperties());
    return super.readResource(req, (err, resp) => {
      if (!err) this.capture(req, resp, inputs, true);
      callback(err, resp);
    });
  }

  private capture(req: any, resp: any, inputs: Record<string, unknown>, read: boolean): void {
    const urn: string = resp.getUrn();
    this.record({
      urn,
      type: req.getType(),
      name: req.getName(),
      custom: read ? true : req.getCustom(),
      parent: req.getParent() || undefined,
      provider: req.getProvider() || undefined,
      inputs,
      outputs: rpc.deserializeProperties(resp.getObject ? resp.getObject() : resp.getProperties()),
      id: (read ? req.getId() : resp.getId()) || undefined,
      dependencies: read ? [] : req.getDependenciesList(),
      read,
      importId: read ? undefined : req.getImportid() || undefined,
      ...(!read && req.getProtect?.() ? { protect: true } : {}),
    });
  }
}

export interface MockSession {
  /** Registrations in the order the monitor completed them. */
  readonly registrations: Registration[];
}

/**
 * Points the Pulumi runtime at a fresh recording mock monitor and replaces (never merges) the
 * whole configuration. Call before importing or running the program under test.
 */
export function installMocks(opts: {
  simulator: Simulator;
  project: string;
  stack: string;
  /** Config as `<namespace>:<key>` → string (objects JSON-encoded). Replaces all config. */
  config?: Record<string, string>;
  /** Keys of `config` that are secret. */
  secretKeys?: string[];
}): MockSession {
  const registrations: Registration[] = [];
  const mocks: Mocks = {
    newResource: (args) => opts.simulator.newResource(args),
    call: (args) => opts.simulator.call(args),
  };
  const monitor = new RecordingMonitor(mocks, (r) => registrations.push(r));
  settings.setMockOptions(monitor, opts.project, opts.stack, false);
  // Same feature flags as pulumi.runtime.setMocks.
  const store: any = getStore();
  store.supportsSecrets = true;
  store.supportsResourceReferences = true;
  store.supportsOutputValues = false;
  store.supportsDeletedWith = true;
  store.supportsReplaceWith = true;
  store.supportsAliasSpecs = true;
  store.supportsTransforms = false;
  store.supportsParameterization = true;
  store.supportsResourceHooks = true;
  store.supportsErrorHooks = true;
  pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
  return { registrations };
}

/** Waits until every registration the program started has completed (or failed). */
export async function settle(): Promise<void> {
  await settings.waitForRPCs();
}

/**
 * Runs `body` and fails fast on the first error the program raises anywhere: an error thrown in an
 * `apply` (e.g. a `pulumi.ResourceError`) rejects a registration that nothing awaits, so without
 * this the program's promises would never settle and Node would exit silently. Errors logged
 * through `pulumi.log.error` count too. A body that neither finishes nor fails within
 * `timeoutMs` is reported as stalled.
 */
export async function runGuarded<T>(body: () => Promise<T>, opts: { timeoutMs?: number; label?: string; onWarning?: (message: string) => void } = {}): Promise<T> {
  const errors: string[] = [];
  const locations: string[] = [];
  let fail!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  failed.catch(() => undefined);
  const raise = (message: string) => {
    if (meaningful([message]).length === 0) return;
    errors.push(message);
    // Let sibling failures of the same cause arrive, then report them together.
    setImmediate(() => fail(new ProgramError(meaningful(errors), [...new Set(locations)])));
  };
  const onRejection = (reason: unknown) => {
    const where = locateError(reason);
    if (where) locations.push(where);
    raise(reason instanceof Error ? reason.message : String(reason));
  };
  const originalError = console.error;
  const originalWarn = console.warn;
  // pulumi.log.error without an engine prints `error: [runtime] …`: that is a program error.
  // Anything else on console.error (e.g. a Node deprecation warning) is passed through.
  console.error = (...args: unknown[]) => {
    const line = args.map(String).join(" ");
    if (line.startsWith("error: [runtime] ")) raise(line.slice("error: [runtime] ".length));
    else originalError(...args);
  };
  // pulumi.log.warn without an engine: the program's diagnostics, kept for the report.
  console.warn = (...args: unknown[]) => {
    const line = args.map(String).join(" ");
    if (opts.onWarning && line.startsWith("warning: [runtime] ")) opts.onWarning(line.slice("warning: [runtime] ".length));
    else originalWarn(...args);
  };
  process.on("unhandledRejection", onRejection);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const watchdog = setTimeout(() => fail(new ProgramError([`${opts.label ?? "the program"} did not finish within ${timeoutMs / 1000} s: a promise never settled`])), timeoutMs);
  try {
    const result = await Promise.race([body(), failed]);
    // A registration that fails while serializing its inputs releases the runtime's keep-alive
    // before its rejection is reported: give such late rejections two turns of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    if (errors.length > 0) throw new ProgramError(meaningful(errors), [...new Set(locations)]);
    return result;
  } catch (e) {
    if (e instanceof ProgramError) throw e;
    if (errors.length === 0) throw e;
    const where = locateError(e);
    if (where) locations.push(where);
    throw new ProgramError(meaningful([...errors, e instanceof Error ? e.message : String(e)]), [...new Set(locations)]);
  } finally {
    clearTimeout(watchdog);
    process.off("unhandledRejection", onRejection);
    console.error = originalError;
    console.warn = originalWarn;
  }
}

/**
 * Distinct errors, without the mock monitor's "unknown resource" echoes: when a resource's
 * registration fails, the SDK still reports its outputs, and the mock monitor then complains that
 * it does not know the resource. That echo follows the failure's own error (possibly after the
 * session that failed has ended), so it is never a cause.
 */
function meaningful(errors: string[]): string[] {
  return [...new Set(errors)].filter((m) => !/^unknown resource urn:/.test(m));
}

/** The program failed; `messages` are the distinct errors it raised. */
export class ProgramError extends Error {
  constructor(public readonly messages: string[], public readonly locations: string[] = []) {
    super(messages.join("\n"));
    this.name = "ProgramError";
  }
}

const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * Where in the project's program an error was raised: the first frame of its stack in the
 * project's own code (not node_modules, not the planner), as `stacks/parts/x.ts:140`. Needs stack
 * traces (the planner turns them on when it re-runs a failed stack to locate its error).
 */
export function locateError(e: unknown): string | undefined {
  const stack = e instanceof Error ? e.stack : undefined;
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, "");
    const rel = path.relative(PROJECT_ROOT, file);
    if (rel.startsWith("..") || rel.includes("node_modules") || rel.startsWith("plan" + path.sep) || rel.startsWith("test" + path.sep)) continue;
    return `${rel}:${m[2]}`;
  }
  return undefined;
}
