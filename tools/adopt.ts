/**
 * `npm run adopt`: reads the AWS organization the caller's credentials are in and writes the
 * management stack's config so that `pulumi up` imports what exists (the organization, its OUs and
 * accounts, by id) instead of creating it. See `tools/adopt-cli.ts` for the command.
 *
 * This module holds the two pure-ish halves: `readOrganization` (the Organizations API, paginated,
 * through a client passed in) and `adoptionPlan` (the snapshot + the current stack files → the
 * config edits and the notes for the user).
 */
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  type OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListPolicies,
  paginateListRoots,
  paginateListTargetsForPolicy,
} from "@aws-sdk/client-organizations";

export type PolicyKind = "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
export const POLICY_KINDS: readonly PolicyKind[] = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"];

export interface OrgUnit {
  id: string;
  name: string;
  /** Id of the parent: the root (`r-…`) or another OU. */
  parentId: string;
}

export interface OrgAccount {
  id: string;
  name: string;
  email: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, … (`State`, or the older `Status`). */
  state: string;
  /** CREATED (by the organization: has OrganizationAccountAccessRole) or INVITED. */
  joinedMethod?: string;
  parentId: string;
}

export interface OrgPolicy {
  id: string;
  name: string;
  type: PolicyKind;
  description?: string;
  awsManaged: boolean;
  /** Targets: root, OU or account ids. */
  targets: string[];
  /** The policy document (only read for the policies that are adopted). */
  content?: string;
}

export interface OrganizationSnapshot {
  id: string;
  managementAccountId: string;
  rootId: string;
  units: OrgUnit[];
  accounts: OrgAccount[];
  policies: OrgPolicy[];
}

/** The product's own organization policies are named `mlz-…` (components/organization). */
export const PRODUCT_POLICY_PREFIX = "mlz-";

async function collect<T, P>(pages: AsyncIterable<P>, pick: (p: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(pick(page) ?? []));
  return out;
}

/**
 * Reads the organization: its id and management account, the root, every OU (recursively), every
 * account with its parent, and the SCPs and RCPs with their targets. Every list call is paginated.
 * Policy types the organization has not enabled are skipped.
 */
export async function readOrganization(client: OrganizationsClient, opts: { policyContent?: (p: OrgPolicy) => boolean } = {}): Promise<OrganizationSnapshot> {
  const org = (await client.send(new DescribeOrganizationCommand({}))).Organization;
  if (!org?.Id || !org.MasterAccountId) throw new Error("DescribeOrganization returned no organization id or management account");
  const roots = await collect(paginateListRoots({ client }, {}), (p) => p.Roots);
  if (roots.length !== 1 || !roots[0].Id) throw new Error(`expected one organization root; ListRoots returned ${roots.length}`);
  const rootId = roots[0].Id;
  const enabledTypes = new Set((roots[0].PolicyTypes ?? []).filter((t) => t.Status === "ENABLED").map((t) => t.Type));

  const units: OrgUnit[] = [];
  const accounts: OrgAccount[] = [];
  const parents = [rootId];
  while (parents.length > 0) {
    const parentId = parents.shift()!;
    const children = await collect(paginateListOrganizationalUnitsForParent({ client }, { ParentId: parentId }), (p) => p.OrganizationalUnits);
    for (const ou of children) {
      if (!ou.Id || !ou.Name) continue;
      units.push({ id: ou.Id, name: ou.Name, parentId });
      parents.push(ou.Id);
    }
    const members = await collect(paginateListAccountsForParent({ client }, { ParentId: parentId }), (p) => p.Accounts);
    for (const a of members) {
      if (!a.Id) continue;
      // `State` replaced `Status` in 2025; older answers carry only `Status`.
      const state = String((a as { State?: string }).State ?? a.Status ?? "UNKNOWN");
      accounts.push({ id: a.Id, name: a.Name ?? "", email: a.Email ?? "", state, joinedMethod: a.JoinedMethod, parentId });
    }
  }

  const policies: OrgPolicy[] = [];
  for (const type of POLICY_KINDS) {
    if (!enabledTypes.has(type)) continue;
    const summaries = await collect(paginateListPolicies({ client }, { Filter: type }), (p) => p.Policies);
    for (const s of summaries) {
      if (!s.Id || !s.Name) continue;
      const targets = await collect(paginateListTargetsForPolicy({ client }, { PolicyId: s.Id }), (p) => p.Targets);
      const policy: OrgPolicy = {
        id: s.Id,
        name: s.Name,
        type,
        description: s.Description || undefined,
        awsManaged: s.AwsManaged === true,
        targets: targets.map((t) => t.TargetId).filter((t): t is string => !!t).sort(),
      };
      if (opts.policyContent?.(policy)) {
        const d = await client.send(new DescribePolicyCommand({ PolicyId: s.Id }));
        policy.content = d.Policy?.Content;
      }
      policies.push(policy);
    }
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { id: org.Id, managementAccountId: org.MasterAccountId, rootId, units: units.sort(byId), accounts: accounts.sort(byId), policies: policies.sort(byId) };
}

/** A stable config key from a display name: `NonProd` → `non-prod`, `ML Sandbox` → `ml-sandbox`. */
export function keyFromName(name: string): string {
  const k = name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return /^[a-z]/.test(k) ? k : `x-${k || "unnamed"}`;
}

function uniqueKey(base: string, taken: Set<string>): string {
  let key = base;
  for (let i = 2; taken.has(key); i++) key = `${base}-${i}`;
  taken.add(key);
  return key;
}

export interface ExistingOu {
  name: string;
  parent?: string;
  id?: string;
}
export interface ExistingAccount {
  name: string;
  email: string;
  ou: string;
  id?: string;
  bootstrapRoleName?: string;
}

/** What the stack files hold today (management config, and each member stack's `account`). */
export interface CurrentConfig {
  organizationalUnits: Record<string, ExistingOu>;
  accounts: Record<string, ExistingAccount>;
  /** Member stack → its `account` key (undefined when the file has none). */
  stackAccounts: Record<string, string | undefined>;
}

export interface AdoptionPlan {
  organizationId: string;
  managementAccountId: string;
  organizationalUnits: Record<string, ExistingOu & { id: string }>;
  accounts: Record<string, ExistingAccount & { id: string }>;
  /** Member stack → the account key to write into its `account`. */
  stackAccounts: Record<string, string>;
  /** SCPs/RCPs adopted (with --adopt-policies), by key. */
  adoptedPolicies: Record<string, { id: string; name: string; type: PolicyKind; description?: string; content: string; targets: string[] }>;
  notes: {
    /** Accounts left out (suspended, closed, pending closure). */
    skippedAccounts: Array<{ id: string; name: string; state: string }>;
    /** Accounts directly under the root, left as they are (member accounts sit in OUs here). */
    rootAccounts: Array<{ id: string; name: string }>;
    /** Accounts invited into the organization: no OrganizationAccountAccessRole unless created by hand. */
    invitedAccounts: Array<{ key: string; id: string; name: string }>;
    /** Member stacks whose `account` key is not set and no --map names an account for. */
    unmappedStacks: string[];
    /** Organization policies not managed by the product and not adopted. */
    unmanagedPolicies: Array<{ id: string; name: string; type: PolicyKind; targets: string[] }>;
    /** Accounts in the stack files that the organization does not hold (they would be created). */
    missingAccounts: string[];
    /** Required account keys (cicd, lakehouse, ml) that no account got. */
    missingRequiredKeys: string[];
  };
}

export class AdoptError extends Error {}

const INACTIVE = new Set(["SUSPENDED", "PENDING_CLOSURE", "CLOSED"]);
export const REQUIRED_ACCOUNT_KEYS = ["cicd", "lakehouse", "ml"];

/**
 * Works out the config that imports the organization as it is:
 * - OUs keep the key they have in the stack file (matched by id, then by name under the same
 *   parent); new ones get a key from their name;
 * - accounts keep their key (matched by id, then by name); an account named by `--map <stack>=…`
 *   gets that stack's `account` key (or the stack name); others a key from their name;
 *   suspended and closed accounts are skipped; the management account is not a member account;
 * - `maps` (stack → account name or id) decide each member stack's `account` key.
 */
export function adoptionPlan(snapshot: OrganizationSnapshot, current: CurrentConfig, maps: Record<string, string>, opts: { adoptPolicies?: boolean } = {}): AdoptionPlan {
  // OUs, parents first (the snapshot is read breadth-first, but sort again by depth to be sure).
  const depth = new Map<string, number>([[snapshot.rootId, 0]]);
  const pending = [...snapshot.units];
  const ordered: OrgUnit[] = [];
  while (pending.length > 0) {
    const i = pending.findIndex((u) => depth.has(u.parentId));
    if (i < 0) throw new AdoptError(`OU ${pending[0].id} has a parent (${pending[0].parentId}) that is neither the root nor another OU`);
    const [u] = pending.splice(i, 1);
    depth.set(u.id, depth.get(u.parentId)! + 1);
    ordered.push(u);
  }
  const ouKeyById = new Map<string, string>();
  const takenOu = new Set<string>();
  const existingOus = Object.entries(current.organizationalUnits);
  const ous: AdoptionPlan["organizationalUnits"] = {};
  // First pass: keys already in the file (by id, then by name and parent).
  for (const u of ordered) {
    const parentKey = u.parentId === snapshot.rootId ? undefined : ouKeyById.get(u.parentId);
    const match = existingOus.find(([, o]) => o.id === u.id) ?? existingOus.find(([k, o]) => o.id === undefined && !takenOu.has(k) && o.name === u.name && o.parent === parentKey);
    const key = match ? match[0] : uniqueKey(keyFromName(u.name), new Set([...takenOu, ...existingOus.map(([k]) => k)]));
    takenOu.add(key);
    ouKeyById.set(u.id, key);
    ous[key] = parentKey === undefined ? { name: u.name, id: u.id } : { name: u.name, parent: parentKey, id: u.id };
  }

  const skippedAccounts: AdoptionPlan["notes"]["skippedAccounts"] = [];
  const rootAccounts: AdoptionPlan["notes"]["rootAccounts"] = [];
  const active = snapshot.accounts.filter((a) => {
    if (a.id === snapshot.managementAccountId) return false;
    if (INACTIVE.has(a.state)) {
      skippedAccounts.push({ id: a.id, name: a.name, state: a.state });
      return false;
    }
    // The management stack places every member account in an OU: one under the root stays as it is.
    if (a.parentId === snapshot.rootId) {
      rootAccounts.push({ id: a.id, name: a.name });
      return false;
    }
    return true;
  });
  const findAccount = (ref: string) => active.find((a) => a.id === ref) ?? active.find((a) => a.name === ref);
  // --map: validate first, so a typo is reported before anything is worked out.
  const mappedKey = new Map<string, string>(); // account id → key wanted by a map
  for (const [stack, ref] of Object.entries(maps).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!(stack in current.stackAccounts)) {
      throw new AdoptError(`--map ${stack}=${ref}: no member stack '${stack}' (stack files: ${Object.keys(current.stackAccounts).sort().join(", ") || "none"})`);
    }
    const a = findAccount(ref);
    if (!a) {
      const inactive = skippedAccounts.find((s) => s.id === ref || s.name === ref);
      const atRoot = rootAccounts.find((s) => s.id === ref || s.name === ref);
      throw new AdoptError(inactive
        ? `--map ${stack}=${ref}: account ${inactive.id} (${inactive.name}) is ${inactive.state}`
        : atRoot
          ? `--map ${stack}=${ref}: account ${atRoot.id} (${atRoot.name}) sits directly under the root; move it into an OU first (the management stack places member accounts in OUs)`
          : ref === snapshot.managementAccountId
            ? `--map ${stack}=${ref}: that is the management account, not a member account`
            : `--map ${stack}=${ref}: no active member account with that name or id in organization ${snapshot.id}`);
    }
    // The account takes the stack's account key when it has no key yet and that key is free.
    if (!mappedKey.has(a.id)) mappedKey.set(a.id, current.stackAccounts[stack] ?? stack);
  }

  const existingAccounts = Object.entries(current.accounts);
  const takenAcct = new Set<string>();
  const accounts: AdoptionPlan["accounts"] = {};
  const keyByAccountId = new Map<string, string>();
  const claim = (a: OrgAccount, key: string) => {
    takenAcct.add(key);
    keyByAccountId.set(a.id, key);
    const ou = ouKeyById.get(a.parentId)!;
    const before = current.accounts[key];
    accounts[key] = { name: a.name, email: a.email, ou, id: a.id, ...(before?.bootstrapRoleName ? { bootstrapRoleName: before.bootstrapRoleName } : {}) };
  };
  // Accounts the file already names by id keep their key; then mapped ones; then by name; then new.
  for (const a of active) {
    const m = existingAccounts.find(([, e]) => e.id === a.id);
    if (m) claim(a, m[0]);
  }
  for (const a of active) {
    if (keyByAccountId.has(a.id)) continue;
    const wanted = mappedKey.get(a.id);
    // A key the file gives another account stays with it (matched by name below).
    const fileOwner = wanted !== undefined ? current.accounts[wanted] : undefined;
    const free = wanted !== undefined && !takenAcct.has(wanted) && (fileOwner === undefined || fileOwner.id === undefined && fileOwner.name === a.name);
    if (free) claim(a, wanted);
  }
  for (const a of active) {
    if (keyByAccountId.has(a.id)) continue;
    const m = existingAccounts.find(([k, e]) => e.id === undefined && !takenAcct.has(k) && e.name === a.name);
    if (m) claim(a, m[0]);
  }
  for (const a of active) {
    if (keyByAccountId.has(a.id)) continue;
    claim(a, uniqueKey(keyFromName(a.name), new Set([...takenAcct, ...existingAccounts.map(([k]) => k)])));
  }
  // A mapped stack points at whatever key its account ended up with.
  const stackAccounts: Record<string, string> = {};
  const unmappedStacks: string[] = [];
  for (const stack of Object.keys(current.stackAccounts).sort()) {
    const ref = maps[stack];
    if (ref !== undefined) stackAccounts[stack] = keyByAccountId.get(findAccount(ref)!.id)!;
    else {
      const key = current.stackAccounts[stack];
      if (key !== undefined && key in accounts) stackAccounts[stack] = key;
      else unmappedStacks.push(stack);
    }
  }

  const invitedAccounts = Object.entries(accounts)
    .filter(([, a]) => snapshot.accounts.find((s) => s.id === a.id)?.joinedMethod === "INVITED" && !a.bootstrapRoleName)
    .map(([key, a]) => ({ key, id: a.id, name: a.name }));
  const missingAccounts = existingAccounts.filter(([k]) => !(k in accounts)).map(([k]) => k).sort();

  const unmanagedPolicies: AdoptionPlan["notes"]["unmanagedPolicies"] = [];
  const adoptedPolicies: AdoptionPlan["adoptedPolicies"] = {};
  const takenPolicy = new Set<string>();
  for (const p of snapshot.policies) {
    if (p.awsManaged || p.name.startsWith(PRODUCT_POLICY_PREFIX)) continue;
    if (!opts.adoptPolicies) {
      unmanagedPolicies.push({ id: p.id, name: p.name, type: p.type, targets: p.targets });
      continue;
    }
    if (p.content === undefined) throw new AdoptError(`policy ${p.id} (${p.name}): its content was not read`);
    // Targets stay ids: each attachment is imported as `<target id>:<policy id>`.
    adoptedPolicies[uniqueKey(keyFromName(p.name), takenPolicy)] = { id: p.id, name: p.name, type: p.type, ...(p.description ? { description: p.description } : {}), content: p.content, targets: [...p.targets] };
  }
  return {
    organizationId: snapshot.id,
    managementAccountId: snapshot.managementAccountId,
    organizationalUnits: ous,
    accounts,
    stackAccounts,
    adoptedPolicies,
    notes: {
      skippedAccounts,
      rootAccounts,
      invitedAccounts,
      unmappedStacks,
      unmanagedPolicies,
      missingAccounts,
      missingRequiredKeys: REQUIRED_ACCOUNT_KEYS.filter((k) => !(k in accounts)),
    },
  };
}
