/**
 * Pure helpers shared by the rule modules: reading IAM/SCP documents from resource properties,
 * IAM wildcard matching, tags (including the provider's default tags) and cross-resource lookups
 * for stack policies. Nothing here talks to the policy server or to AWS.
 */
import { UnknownValueError, type PolicyConfigSchema, type PolicyProviderResource, type PolicyResource } from "@pulumi/policy";
import { asArray, type PolicyDocument, type PolicyStatement } from "../components/iam/policy-document";
import { isAccountId } from "../components/aws";

export { asArray };

/** Parses an IAM/SCP document given as a JSON string or as an object; `undefined` when it is not one. */
export function parseDocument(value: unknown): PolicyDocument | undefined {
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const statements = (doc as { Statement?: unknown }).Statement;
  if (statements === undefined) return undefined;
  const list = Array.isArray(statements) ? statements : [statements];
  if (!list.every((s) => s && typeof s === "object" && !Array.isArray(s))) return undefined;
  return { ...(doc as PolicyDocument), Statement: list as PolicyStatement[] };
}

/** A statement's identifier in messages: its Sid, or its 1-based position. */
export function statementLabel(s: PolicyStatement, index: number): string {
  return s.Sid ? `'${s.Sid}'` : `#${index + 1}`;
}

/** IAM-style wildcard match (`*` any run, `?` one character), case-insensitive as IAM action matching is. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = true): boolean {
  const re = new RegExp(
    "^" + pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("") + "$",
    caseInsensitive ? "i" : "",
  );
  return re.test(value);
}

/** Whether any of the statement's action patterns grants `action`. */
export function grantsAction(s: PolicyStatement, action: string): boolean {
  return asArray(s.Action).some((a) => wildcardMatch(a, action));
}

const READ_VERBS = /^[a-z0-9-]+:(Get|List|Describe|Head|Search|Lookup|BatchGet|Query|Scan|Select|View|Check|Validate|Preview)[A-Za-z0-9*]*$/i;

/** Whether an action (pattern) only reads: its verb is a read verb (`s3:Get*` reads, `s3:*` writes). */
export function isReadAction(action: string): boolean {
  return READ_VERBS.test(action);
}

/** An IAM identity-policy document attached to a resource (inline role policy, role policy, managed policy). */
export interface IdentityDocument {
  /** Role or policy name the document belongs to (for exemptions), when known. */
  owner?: string;
  /** Where the document comes from, for messages: `policy 'x'` or `inline policy 'y'`. */
  label: string;
  /** `undefined` when the property did not hold a parseable document. */
  doc?: PolicyDocument;
}

/** Identity documents declared by a resource of one of the IAM types; empty for other types. */
export function identityDocuments(type: string, props: Record<string, any>): IdentityDocument[] {
  switch (type) {
    case "aws:iam/role:Role":
      return asArray<any>(props.inlinePolicies).map((p) => ({
        owner: props.name,
        label: `inline policy '${p?.name ?? "?"}'`,
        doc: parseDocument(p?.policy),
      }));
    case "aws:iam/rolePolicy:RolePolicy":
      return [{ owner: typeof props.role === "string" ? props.role : undefined, label: `role policy '${props.name ?? "?"}'`, doc: parseDocument(props.policy) }];
    case "aws:iam/policy:Policy":
      return [{ owner: props.name, label: `policy '${props.name ?? "?"}'`, doc: parseDocument(props.policy) }];
    default:
      return [];
  }
}

/** Tags a resource ends up with: the provider's `defaultTags.tags` overlaid by the resource's own `tags`. */
export function effectiveTags(props: Record<string, any>, provider?: PolicyProviderResource): Record<string, string> {
  return { ...providerDefaultTags(provider), ...(isRecord(props.tags) ? props.tags : {}) };
}

/** `defaultTags.tags` of an AWS provider; the provider serializes `defaultTags` as a JSON string. */
export function providerDefaultTags(provider?: { type: string; props: Record<string, any> }): Record<string, string> {
  if (!provider || !provider.type.startsWith("pulumi:providers:aws")) return {};
  let dt: unknown = provider.props.defaultTags;
  if (typeof dt === "string") {
    try {
      dt = JSON.parse(dt);
    } catch {
      return {};
    }
  }
  const tags = isRecord(dt) ? (dt as { tags?: unknown }).tags : undefined;
  return isRecord(tags) ? (tags as Record<string, string>) : {};
}

/** The `environment` tag of a resource (own tags or provider default tags), if any. */
export function environmentOf(props: Record<string, any>, provider?: PolicyProviderResource): string | undefined {
  return effectiveTags(props, provider).environment;
}

export function isRecord(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads a value that may be unknown during `pulumi preview` (the policy server's props proxy throws
 * `UnknownValueError` on access); `undefined` when unknown. Use where another signal can decide.
 */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

/** Values by which other resources may refer to `r` (its `id`, ARN, physical name); unknown ones skipped. */
export function referenceKeys(r: PolicyResource, nameProps: string[]): Set<string> {
  const keys = new Set<string>();
  for (const k of ["id", "arn", ...nameProps]) {
    const v = known(() => r.props[k]);
    if (typeof v === "string" && v !== "") keys.add(v);
  }
  return keys;
}

/**
 * Whether resource `sub` refers to `target` through property `prop`: its value is one of the target's
 * reference keys, or the engine recorded that property as depending on the target (the only signal
 * during a preview, when the target's id is not known yet).
 */
export function refersTo(sub: PolicyResource, prop: string, target: PolicyResource, keys: Set<string>): boolean {
  const v = known(() => sub.props[prop]);
  if (typeof v === "string" && keys.has(v)) return true;
  return (sub.propertyDependencies?.[prop] ?? []).some((d) => d.urn === target.urn);
}

/** Whether a condition block holds `key` under any operator (keys compare case-insensitively). */
export function conditionHasKey(s: PolicyStatement, key: string): boolean {
  return Object.values(s.Condition ?? {}).some((block) => Object.keys(block ?? {}).some((k) => k.toLowerCase() === key.toLowerCase()));
}

/** The values of condition `key` under operator `op` (exact operator name). */
export function conditionValues(s: PolicyStatement, op: string, key: string): string[] {
  const block = (s.Condition ?? {})[op] ?? {};
  for (const [k, v] of Object.entries(block)) {
    if (k.toLowerCase() === key.toLowerCase()) return asArray(v as any).map(String);
  }
  return [];
}

/** Account id in an ARN or a bare 12-digit account id; `undefined` otherwise. */
export function accountOf(principal: string): string | undefined {
  if (isAccountId(principal)) return principal;
  const m = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(principal);
  return m ? m[1] : undefined;
}

/**
 * A rule's options: its schema defaults overlaid by what `getConfig()` returns. The engine already
 * sends the defaults (`ReconcilePolicyPackConfig`), but a server that was never configured returns
 * `{}`; rules must not depend on that.
 */
export function configOf<T extends object>(args: { getConfig<U extends object>(): U }, policy: { configSchema?: PolicyConfigSchema }): T {
  const result: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (schema && typeof schema === "object" && "default" in schema) result[k] = structuredClone(schema.default);
  }
  for (const [k, v] of Object.entries(args.getConfig<Record<string, unknown>>() ?? {})) {
    if (v !== undefined) result[k] = v;
  }
  return result as T;
}
