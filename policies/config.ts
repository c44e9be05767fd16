/**
 * Policy configuration resolved the way the Pulumi engine resolves it, for the offline plan
 * (`pulumi preview --policy-pack` gets the same result from the engine itself).
 *
 * Precedence, as in pulumi/pulumi `pkg/resource/analyzer/config.go`
 * (`ReconcilePolicyPackConfig` → `createConfigWithDefaults`, then `applyConfig` for the given config):
 *   1. every rule starts with its own default enforcement level (the pack's level when the rule
 *      has none; @pulumi/policy `makeAnalyzerInfo`) and the `default` of each `configSchema` property;
 *   2. an `all` entry with a valid enforcement level overrides the level of every rule;
 *   3. a per-rule entry (`"rule": "disabled"` or `"rule": { "enforcementLevel": …, "option": … }`)
 *      overrides the level again and merges its options key by key over the schema defaults.
 * So per-rule beats `all`, which beats the rule default. The engine then validates each rule's
 * options against its `configSchema` and refuses to run on errors; `resolvePolicyConfig` throws.
 */
import type { EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export type MlzPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Same JSON shape as `pulumi preview --policy-pack-config <file>`. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface ResolvedPolicyConfig {
  enforcementLevel: EnforcementLevel;
  /** Options the rule sees through `getConfig()` (never `enforcementLevel`). */
  properties: Record<string, unknown>;
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The pack-wide default level, as @pulumi/policy uses when neither pack nor rule set one. */
export const PACK_DEFAULT_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

function isLevel(v: unknown): v is EnforcementLevel {
  return typeof v === "string" && (LEVELS as readonly string[]).includes(v);
}

/** Splits one config entry into level and options, rejecting invalid levels like the engine does. */
function parseEntry(name: string, entry: unknown): { level?: EnforcementLevel; props: Record<string, unknown> } {
  if (typeof entry === "string") {
    if (!isLevel(entry)) throw new Error(`policy config '${name}': '${entry}' is not a valid enforcement level`);
    return { level: entry, props: {} };
  }
  if (entry && typeof entry === "object" && !Array.isArray(entry)) {
    const { enforcementLevel, ...props } = entry as Record<string, unknown>;
    if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
      throw new Error(`policy config '${name}': '${String(enforcementLevel)}' is not a valid enforcement level`);
    }
    return { level: enforcementLevel as EnforcementLevel | undefined, props };
  }
  throw new Error(`policy config '${name}': must be an enforcement level or an object`);
}

/** Resolves level and options of every rule; throws listing every schema error. */
export function resolvePolicyConfig(
  policies: readonly MlzPolicy[],
  config: PolicyPackConfig | Record<string, unknown> = {},
  packLevel: EnforcementLevel = PACK_DEFAULT_ENFORCEMENT_LEVEL,
): Map<string, ResolvedPolicyConfig> {
  const result = new Map<string, ResolvedPolicyConfig>();
  // 1. Defaults from the rule metadata.
  for (const p of policies) {
    const props: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) {
      if (schema && typeof schema === "object" && "default" in schema) props[k] = structuredClone((schema as { default: unknown }).default);
    }
    result.set(p.name, { enforcementLevel: p.enforcementLevel ?? packLevel, properties: props });
  }
  // 2. `all` overrides every level.
  if ("all" in config) {
    const all = parseEntry("all", config.all);
    if (all.level) for (const r of result.values()) r.enforcementLevel = all.level;
  }
  // 3. Per-rule entries override level and merge options.
  for (const [name, entry] of Object.entries(config)) {
    if (name === "all") continue;
    const { level, props } = parseEntry(name, entry);
    const current = result.get(name);
    if (!current) continue; // the engine keeps config for unknown rules but no rule reads it
    if (level) current.enforcementLevel = level;
    Object.assign(current.properties, props);
  }
  // 4. Validate options against each rule's schema.
  const errors: string[] = [];
  for (const p of policies) {
    if (p.configSchema) errors.push(...validateOptions(p.configSchema, result.get(p.name)!.properties).map((e) => `${p.name}: ${e}`));
  }
  if (errors.length > 0) throw new Error(`policy pack configuration is invalid:\n${errors.join("\n")}`);
  return result;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(expected: unknown, v: unknown): boolean {
  const actual = jsonType(v);
  const list = Array.isArray(expected) ? expected : [expected];
  return list.some((t) => t === actual || (t === "number" && actual === "integer"));
}

/** A small JSON-schema subset: `type`, `enum`, `items.type`, `required` (what our rules declare). */
export function validateOptions(schema: PolicyConfigSchema, props: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const req of schema.required ?? []) if (!(req in props)) errors.push(`${req} is required`);
  for (const [k, v] of Object.entries(props)) {
    const s = schema.properties[k] as Record<string, unknown> | undefined;
    if (!s || v === undefined) continue;
    if (s.type !== undefined && !typeMatches(s.type, v)) {
      errors.push(`${k}: Invalid type. Expected: ${String(s.type)}, given: ${jsonType(v)}`);
      continue;
    }
    if (Array.isArray(s.enum) && !s.enum.includes(v as never)) errors.push(`${k}: must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    const items = s.items as Record<string, unknown> | undefined;
    if (Array.isArray(v) && items?.type !== undefined) {
      v.forEach((item, i) => {
        if (!typeMatches(items.type, item)) errors.push(`${k}.${i}: Invalid type. Expected: ${String(items.type)}, given: ${jsonType(item)}`);
      });
    }
  }
  return errors;
}
