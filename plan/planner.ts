/**
 * The offline planner: runs the real stack programs under the Pulumi SDK's runtime mocks, one
 * stack at a time in dependency order, against the simulated organization.
 *
 * Isolation: all stacks run in one process (loading @pulumi/aws once is most of the cost), and
 * before each stack the runtime is reset: a new mock monitor, the whole config replaced, the root
 * stack resource and error count cleared. Programs keep no module state between stacks; the
 * isolation tests plan a stack alone and after others and compare byte for byte.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import {
  ConfigError,
  NAMESPACE,
  PROJECT,
  SECRET_PLACEHOLDER,
  validateStackFile,
  stackFilesIn,
  type StackConfig,
  type StackFile,
  type StackFiles,
} from "../stacks/config";
import { runStack } from "../stacks/program";
import { installMocks, isSecretValue, locateError, ProgramError, runGuarded, settle, type Registration } from "./mock-runtime";
import { createSimulator, type SimulationLog } from "./simulated-aws";
import type { PlannedResource, StackPlan } from "../lib/plan-model";

/** A program failed (bad config or an error raised while declaring resources). */
export class StackError extends Error {
  constructor(
    public readonly stack: string,
    public readonly file: string,
    message: string,
    public readonly kind: "config" | "program",
    /** Stacks whose outputs the failed program read and did not get (not planned, or failed). */
    public readonly missingOutputs: string[] = [],
    /** Names of the stack references the failed program declared. */
    public readonly references: string[] = [],
  ) {
    super(message);
    this.name = "StackError";
  }
}

/** Several stacks failed (e.g. every invalid stack file, reported at once). */
export class StackErrors extends Error {
  constructor(public readonly errors: StackError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "StackErrors";
  }
}

export interface StackRun {
  plan: StackPlan;
  log: SimulationLog;
  /** Stack name → fingerprint of the outputs this run read through StackReferences (`-` if absent). */
  readOutputs: Record<string, string>;
  /** Warnings the program logged (`pulumi.log.warn`), in order. */
  warnings: string[];
}

/** Fingerprint of a stack's outputs, to know whether a reader saw the final version. */
export function fingerprint(outputs: Record<string, unknown> | undefined): string {
  if (outputs === undefined) return "-";
  return crypto.createHash("sha256").update(stableStringify(outputs)).digest("hex").slice(0, 16);
}

/** JSON with object keys sorted at every level: byte-identical for equal values. */
export function stableStringify(value: unknown, indent?: number): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent);
}

/** Turns runtime values (secrets, assets, resources) into plain JSON, recording secret paths. */
async function normalize(value: unknown, path: string, secrets: string[]): Promise<unknown> {
  if (isSecretValue(value)) {
    secrets.push(path || "(value)");
    return SECRET_PLACEHOLDER;
  }
  if (value instanceof pulumi.asset.StringAsset) {
    const text = await value.text;
    return { asset: "string", sha256: sha256(text), bytes: Buffer.byteLength(text) };
  }
  if (value instanceof pulumi.asset.FileAsset) return { asset: "file", path: await value.path };
  if (value instanceof pulumi.asset.FileArchive) return { archive: "file", path: await value.path };
  if (value instanceof pulumi.asset.AssetArchive) {
    const assets = await value.assets;
    const files: Record<string, unknown> = {};
    for (const key of Object.keys(assets).sort()) files[key] = await normalize(assets[key], `${path}.${key}`, secrets);
    return { archive: "assets", files };
  }
  if (pulumi.Resource.isInstance(value)) {
    return { resource: await new Promise<string>((resolve) => (value as pulumi.Resource).urn.apply(resolve)) };
  }
  if (Array.isArray(value)) {
    const out = [];
    for (let i = 0; i < value.length; i++) out.push(await normalize(value[i], `${path}[${i}]`, secrets));
    return out;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      out[key] = await normalize(v, path ? `${path}.${key}` : key, secrets);
    }
    return out;
  }
  return value;
}

function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

/** Config as the Pulumi engine hands it to a program: `<ns>:<key>` → string. */
export function runtimeConfig(file: StackFile): { config: Record<string, string>; secretKeys: string[] } {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.values)) {
    config[`${NAMESPACE}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const [key, value] of Object.entries(file.otherValues)) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { config, secretKeys: file.secretKeys.map((k) => `${NAMESPACE}:${k}`) };
}

/**
 * Plans one stack. `stackOutputs` answers StackReferences with outputs of stacks planned earlier
 * (undefined: not planned, i.e. not deployed yet).
 */
export async function planStack(
  file: StackFile,
  stackOutputs: (stack: string) => Record<string, unknown> | undefined,
  organization?: string,
  stackFiles: StackFiles = stackFilesIn(),
): Promise<StackRun> {
  let config: StackConfig;
  try {
    config = validateStackFile(file);
  } catch (e) {
    if (e instanceof ConfigError) throw new StackError(file.stack, file.file, e.message, "config");
    throw e;
  }
  const readOutputs: Record<string, string> = {};
  const defaultAccount = config.role === "management" ? config.managementAccountId : "000000000000";
  const { simulator, log } = createSimulator({
    defaultAccount,
    organization,
    stackOutputs: (stack) => {
      const outputs = stackOutputs(stack);
      readOutputs[stack] = fingerprint(outputs);
      return outputs;
    },
  }, PROJECT, file.stack);
  const { config: runtime, secretKeys } = runtimeConfig(file);
  const session = installMocks({ simulator, project: PROJECT, stack: file.stack, config: runtime, secretKeys });

  let outputs: Record<string, unknown>;
  const warnings: string[] = [];
  try {
    outputs = await runGuarded(async () => {
      const raw = await runInPulumiStack(() => runStack(stackFiles));
      await settle();
      const resolved = await new Promise<unknown>((resolve) => pulumi.output(raw ?? {}).apply(resolve));
      return (await normalize(resolved, "", [])) as Record<string, unknown>;
    }, { label: `stack ${file.stack}`, onWarning: (w) => warnings.push(w) });
  } catch (e) {
    const located = e instanceof ProgramError ? e.locations : [locateError(e)].filter((l): l is string => l !== undefined);
    // The SDK wraps an error raised while an input resolves in "error serializing property …":
    // the program's own message is what names the key; a component's `[arg]` message comes from
    // this stack's config, so it is prefixed with the stack file.
    const clean = (m: string) => {
      const inner = m.replace(/^(error serializing property "[^"]*": )+/, "");
      return inner.startsWith("[") ? `${file.file}: ${inner}` : inner;
    };
    const messages = [...new Set([...(e instanceof ProgramError ? e.messages : [e instanceof Error ? e.message : String(e)]).map(clean), ...located.map((l) => `raised at ${l}`)])];
    const kind = messages.every((f) => /^stacks\/Pulumi\.[^:]+\.yaml: /.test(f) || f.startsWith("raised at ")) ? "config" : "program";
    const missing = Object.entries(readOutputs).filter(([, seen]) => seen === "-").map(([stack]) => stack).sort();
    const references = [...new Set(log.stackReferences.map((r) => r.name))].sort();
    throw new StackError(file.stack, file.file, messages.join("\n"), kind, missing, references);
  }

  const resources = await toPlannedResources(session.registrations, log);
  const root = resources.find((r) => r.type === "pulumi:providers:aws" && !r.parent?.includes("mlz:"));
  const own = resources.filter((r) => r.custom && r.account);
  const accountOf = (r: PlannedResource | undefined) => r?.account;
  const plan: StackPlan = {
    stack: file.stack,
    role: config.role,
    configFile: file.file,
    config: file.values,
    account: accountOf(resources.find((r) => r.type === "pulumi:providers:aws" && (r.name === "account" || r.name === "management"))) ?? accountOf(root) ?? own[0]?.account,
    region: config.region,
    resources,
    outputs,
  };
  return { plan, log, readOutputs, warnings };
}

async function toPlannedResources(registrations: Registration[], log: SimulationLog): Promise<PlannedResource[]> {
  const out: PlannedResource[] = [];
  for (const r of registrations) {
    const secretInputs: string[] = [];
    const inputs = (await normalize(r.inputs, "", secretInputs)) as Record<string, unknown>;
    if (typeof inputs.__provider === "string") {
      // A dynamic resource's serialized provider: its source is code, not configuration.
      inputs.__provider = { closure: "serialized dynamic provider", sha256: sha256(inputs.__provider), bytes: Buffer.byteLength(inputs.__provider) };
    }
    const state = (await normalize(r.outputs, "", [])) as Record<string, unknown>;
    // Outputs: only what the simulation computed (inputs are listed once, under inputs).
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(state)) {
      if (stableStringify(v) !== stableStringify(inputs[k])) outputs[k] = v;
    }
    const providerId = r.provider?.split("::").pop();
    const placement = r.type.startsWith("pulumi:providers:")
      ? log.providers.get(String(r.id))
      : providerId ? log.providers.get(providerId) : undefined;
    out.push({
      urn: r.urn,
      type: r.type,
      name: r.name,
      custom: r.custom,
      parent: r.parent,
      provider: r.provider ? r.provider.split("::").slice(0, -1).join("::") : undefined,
      account: placement?.account,
      region: placement?.region,
      inputs,
      outputs: r.type === "pulumi:pulumi:StackReference" ? { outputs: "[stack outputs]" } : outputs,
      id: r.id,
      dependencies: [...r.dependencies].sort(),
      ...(secretInputs.length > 0 ? { secretInputs: secretInputs.sort() } : {}),
      ...(r.importId ? { importId: r.importId } : {}),
    });
  }
  out.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return out;
}
