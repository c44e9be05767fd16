/**
 * IAM documents as the properties that matter: per statement its effect, principal, actions,
 * resources and conditions (actions and resources as sorted lists), without the Sid and in a stable
 * order. Rewording a Sid changes nothing; widening an action, a resource or a condition does.
 */
import { strict as assert } from "node:assert";

export interface Grant {
  effect: string;
  principal?: unknown;
  notPrincipal?: unknown;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  conditions?: unknown;
  /** Any other key of the statement (none in a valid IAM statement), kept so that it is compared too. */
  other?: Record<string, unknown>;
}

const KNOWN = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : (Array.isArray(v) ? [...v] : [v]).map(String).sort());

/** The grants of a parsed policy document (or a list of statements). */
export function grantsOf(doc: { Statement: unknown[] } | unknown[]): Grant[] {
  const statements = (Array.isArray(doc) ? doc : doc.Statement) as Record<string, unknown>[];
  return statements.map((s) => {
    const g: Grant = { effect: String(s.Effect) };
    if (s.Principal !== undefined) g.principal = s.Principal;
    if (s.NotPrincipal !== undefined) g.notPrincipal = s.NotPrincipal;
    if (s.Action !== undefined) g.actions = list(s.Action);
    if (s.NotAction !== undefined) g.notActions = list(s.NotAction);
    if (s.Resource !== undefined) g.resources = list(s.Resource);
    if (s.NotResource !== undefined) g.notResources = list(s.NotResource);
    if (s.Condition !== undefined) g.conditions = s.Condition;
    const other = Object.entries(s).filter(([k]) => !KNOWN.has(k));
    if (other.length > 0) g.other = Object.fromEntries(other);
    return g;
  }).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The actions (or NotActions) of each statement, sorted, in statement order: which statements there are, without their Sids. */
export function actionsOf(statements: readonly unknown[]): string[][] {
  return (statements as Record<string, unknown>[]).map((s) => list(s.Action ?? s.NotAction) ?? []);
}

/**
 * The statement of `statements` whose Action (or NotAction) names `action` exactly, found by what it
 * does rather than by its Sid; undefined when none does, and a failure when several do.
 */
export function statementNaming<T = any>(statements: readonly T[], action: string): T | undefined {
  const found = statements.filter((s) => (list((s as Record<string, unknown>).Action ?? (s as Record<string, unknown>).NotAction) ?? []).includes(action));
  assert.ok(found.length <= 1, `${found.length} statements name ${action}`);
  return found[0];
}

/** `grantsOf` for expected grants written in any order. */
export function grants(...expected: Grant[]): Grant[] {
  return grantsOf(expected.map((g) => ({
    Effect: g.effect, Principal: g.principal, NotPrincipal: g.notPrincipal, Action: g.actions, NotAction: g.notActions,
    Resource: g.resources, NotResource: g.notResources, Condition: g.conditions, ...g.other,
  })));
}

/**
 * Asserts that `actual` (a policy document or a list of statements) grants exactly what `expected`
 * grants, statement by statement, ignoring Sids and the order of statements, actions and
 * resources; a document's `Version` is compared when `expected` names one.
 */
export function assertGrants(actual: unknown, expected: { Version?: string; Statement: unknown[] } | unknown[], message?: string): void {
  if (!Array.isArray(expected) && expected.Version !== undefined) {
    assert.equal((actual as { Version?: string } | undefined)?.Version, expected.Version, message);
  }
  assert.ok(Array.isArray(actual) || Array.isArray((actual as { Statement?: unknown } | undefined)?.Statement), message ?? `expected a policy document or statements; got ${JSON.stringify(actual)}`);
  assert.deepEqual(grantsOf(actual as { Statement: unknown[] }), grantsOf(expected), message);
}
