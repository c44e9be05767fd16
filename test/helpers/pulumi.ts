/**
 * Test helpers for Pulumi code under runtime mocks. Use `recordProgram` to run a component (or a
 * program function) and get back every resource it registered, with parent and provider.
 *
 *   const { resources } = await recordProgram(() => new MyComponent("x", args));
 *   const role = only(resources, "aws:iam/role:Role");
 */
import * as pulumi from "@pulumi/pulumi";
import type { MockResourceArgs, MockCallArgs } from "@pulumi/pulumi/runtime/mocks";
import { installMocks, runGuarded, settle, unwrapSecrets, type Registration, type Simulator } from "../../plan/mock-runtime";

export type { Registration } from "../../plan/mock-runtime";

/** A small default simulator: id = `<name>-id`, state = inputs + `arn`/`id` + overrides. */
export function basicSimulator(opts: {
  /** Extra computed outputs per resource type token. */
  outputs?: (args: MockResourceArgs) => Record<string, unknown> | undefined;
  /** Invoke answers by token; an unknown token throws. */
  calls?: Record<string, (args: MockCallArgs) => Record<string, unknown>>;
} = {}): Simulator {
  return {
    newResource(args) {
      const id = args.id || `${args.name}-id`;
      const inputs = args.inputs as Record<string, unknown>;
      const state: Record<string, unknown> = {
        ...inputs,
        arn: `arn:aws:mock:us-east-1:123456789012:${args.type.split(":").pop()!.toLowerCase()}/${args.name}`,
        id,
        ...(opts.outputs?.(args) ?? {}),
      };
      return { id: args.custom ? id : undefined, state };
    },
    call(args) {
      const answer = opts.calls?.[args.token];
      if (!answer) throw new Error(`test simulator: unknown invoke token '${args.token}'`);
      return answer(args);
    },
  };
}

export interface Recorded<T> {
  /** What `fn` returned. */
  result: T;
  /** Every registration, secrets unwrapped in `inputs`. */
  resources: Registration[];
}

/**
 * Installs fresh mocks, runs `fn` (constructing components or running a program), waits for every
 * registration, and returns them. Errors raised inside the program reject the returned promise.
 */
export async function recordProgram<T>(
  fn: () => T | Promise<T>,
  opts: {
    simulator?: Simulator;
    project?: string;
    stack?: string;
    config?: Record<string, string>;
  } = {},
): Promise<Recorded<T>> {
  const session = installMocks({
    simulator: opts.simulator ?? basicSimulator(),
    project: opts.project ?? "ml-landing-zone",
    stack: opts.stack ?? "test",
    config: opts.config,
  });
  // Fails fast (and names the error) when the program raises inside an apply.
  const result = await runGuarded(async () => {
    const r = await fn();
    await settle();
    return r;
  }, { timeoutMs: 30_000, label: "the recorded program" });
  const resources = session.registrations.map((r) => ({
    ...r,
    inputs: unwrapSecrets(r.inputs) as Record<string, unknown>,
  }));
  return { result, resources };
}

/** Resolves an Output's value (preview=false, so every value is known). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => {
    resolve(v);
    return v;
  }));
}

/** All registrations of a type. */
export function ofType(resources: Registration[], type: string): Registration[] {
  return resources.filter((r) => r.type === type);
}

/** The single registration of a type (optionally by logical name); throws when not exactly one. */
export function only(resources: Registration[], type: string, name?: string): Registration {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${resources.map((r) => `${r.type}/${r.name}`).join(", ")}`);
  }
  return found[0];
}

/** Parses a JSON policy input (e.g. `policy`, `assumeRolePolicy`) of a registration. */
export function parseJsonInput(r: Registration, key: string): any {
  const v = r.inputs[key];
  if (typeof v !== "string") throw new Error(`${r.type}/${r.name}: input '${key}' is not a JSON string: ${JSON.stringify(v)}`);
  return JSON.parse(v);
}
