/**
 * The policy configuration the plan reads (`--policy-config`, default the file the workflows pass
 * to `pulumi preview/up --policy-pack-config`), checked before any stack is planned: a file that
 * cannot be read or parsed, or an entry naming no rule of the pack (a typo that would silently
 * configure nothing), is a user error naming the file, the entry and the closest rule name.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { closest } from "fastest-levenshtein";
import { allPolicies } from "../policies/registry";

/** The policy configuration the workflows pass to `pulumi preview/up --policy-pack-config`. */
export const DEFAULT_POLICY_CONFIG = path.resolve(__dirname, "..", "policies", "policy-config.json");

/** A policy configuration the plan refuses (the CLI prints the message and exits 2). */
export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyConfigError";
  }
}

/** Entries of a policy configuration that name no rule of the pack (`all` is the pack-wide entry). */
export function unknownPolicyEntries(config: Record<string, unknown>, ruleNames: readonly string[] = allPolicies.map((p) => p.name)): { entry: string; closest: string }[] {
  return Object.keys(config)
    .filter((k) => k !== "all" && !ruleNames.includes(k))
    .map((entry) => ({ entry, closest: closest(entry, [...ruleNames]) }));
}

/** Reads and checks a policy configuration file; throws `PolicyConfigError` naming the file. */
export function readPolicyConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PolicyConfigError(`${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, expected a JSON file" : (e as Error).message}`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    throw new PolicyConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (!config || typeof config !== "object" || Array.isArray(config)) {
    throw new PolicyConfigError(`${file}: expected a JSON object of rule name → enforcement level or options`);
  }
  const unknown = unknownPolicyEntries(config as Record<string, unknown>);
  if (unknown.length > 0) {
    throw new PolicyConfigError(unknown.map((u) => `${file}: entry '${u.entry}' names no rule of the policy pack (closest: '${u.closest}')`).join("; "));
  }
  return config as Record<string, unknown>;
}
