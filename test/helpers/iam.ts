/**
 * IAM documents as the properties that matter: per statement its effect, principal, actions,
 * resources and conditions (actions and resources as sorted lists), without the Sid and in a stable
 * order. Rewording a Sid changes nothing; widening an action, a resource or a condition does.
 */
export interface Grant {
  effect: string;
  principal?: unknown;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  conditions?: unknown;
}

const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : (Array.isArray(v) ? [...v] : [v]).map(String).sort());

/** The grants of a parsed policy document (or a list of statements). */
export function grantsOf(doc: { Statement: unknown[] } | unknown[]): Grant[] {
  const statements = (Array.isArray(doc) ? doc : doc.Statement) as Record<string, unknown>[];
  return statements.map((s) => {
    const g: Grant = { effect: String(s.Effect) };
    if (s.Principal !== undefined) g.principal = s.Principal;
    if (s.Action !== undefined) g.actions = list(s.Action);
    if (s.NotAction !== undefined) g.notActions = list(s.NotAction);
    if (s.Resource !== undefined) g.resources = list(s.Resource);
    if (s.Condition !== undefined) g.conditions = s.Condition;
    return g;
  }).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** `grantsOf` for expected grants written in any order. */
export function grants(...expected: Grant[]): Grant[] {
  return grantsOf(expected.map((g) => ({
    Effect: g.effect, Principal: g.principal, Action: g.actions, NotAction: g.notActions, Resource: g.resources, Condition: g.conditions,
  })));
}
