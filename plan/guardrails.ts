/**
 * The guardrails a stack declares, read back from its planned resources: service control policies
 * and resource control policies with their minified size and attachments, and the trust of the roles pipelines assume (GitHub
 * OIDC conditions, exact principals). Derived from what the program sends to AWS, never from
 * component outputs, so the listing cannot disagree with the resources.
 */
import { decodeJson } from "../lib/json";
import type { PlannedResource, StackPlan } from "../lib/plan-model";
import { isAccountId } from "../components/aws";

export interface ScpListing {
  name: string;
  /** Characters of the minified document, as AWS counts them against the quota. */
  size: number;
  /** Attachment targets, e.g. `root r-abcd`, `OU Prod (ou-…)`, `account 555555555555`. */
  targets: string[];
}

export interface TrustListing {
  role: string;
  account?: string;
  /** Who may assume it: `GitHub sub=…` or exact principal ARNs. */
  trustedBy: string[];
  /** Roles it may assume in turn (sts:AssumeRole resources). */
  mayAssume: string[];
}

export interface GuardrailListing {
  scps: ScpListing[];
  /** Resource control policies, listed like SCPs. */
  rcps: ScpListing[];
  trust: TrustListing[];
}

const json = decodeJson;

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function targetName(plan: StackPlan, targetId: string): string {
  for (const r of plan.resources) {
    if (r.type === "aws:organizations/organization:Organization") {
      const roots = (r.outputs.roots ?? []) as { id?: string }[];
      if (roots.some((root) => root.id === targetId)) return `root ${targetId}`;
    }
    if (r.type === "aws:organizations/organizationalUnit:OrganizationalUnit" && r.id === targetId) {
      return `OU ${String(r.inputs.name)} (${targetId})`;
    }
    if (r.type === "aws:organizations/account:Account" && r.id === targetId) {
      return `account ${String(r.inputs.name)} (${targetId})`;
    }
  }
  return isAccountId(targetId) ? `account ${targetId}` : targetId;
}

export function listScps(plan: StackPlan): ScpListing[] {
  return listControlPolicies(plan, "SERVICE_CONTROL_POLICY");
}

export function listRcps(plan: StackPlan): ScpListing[] {
  return listControlPolicies(plan, "RESOURCE_CONTROL_POLICY");
}

function listControlPolicies(plan: StackPlan, type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY"): ScpListing[] {
  const policies = plan.resources.filter((r) => r.type === "aws:organizations/policy:Policy" && (r.inputs.type ?? "SERVICE_CONTROL_POLICY") === type);
  const attachments = plan.resources.filter((r) => r.type === "aws:organizations/policyAttachment:PolicyAttachment");
  return policies.map((p) => ({
    name: String(p.inputs.name ?? p.name),
    size: typeof p.inputs.content === "string" ? p.inputs.content.length : 0,
    targets: attachments.filter((a) => a.inputs.policyId === p.id).map((a) => targetName(plan, String(a.inputs.targetId))).sort(),
  })).sort((a, b) => a.name.localeCompare(b.name));
}

function trustOf(role: PlannedResource): string[] {
  const doc = json(role.inputs.assumeRolePolicy) as { Statement?: any[] } | undefined;
  const out: string[] = [];
  for (const s of doc?.Statement ?? []) {
    if (s.Effect !== "Allow") continue;
    const federated = list(s.Principal?.Federated);
    if (federated.some((f) => f.includes("token.actions.githubusercontent.com"))) {
      const cond = { ...(s.Condition?.StringEquals ?? {}), ...(s.Condition?.StringLike ?? {}) };
      out.push(`GitHub OIDC sub=${list(cond["token.actions.githubusercontent.com:sub"]).join("|") || "(unpinned)"} aud=${list(cond["token.actions.githubusercontent.com:aud"]).join("|") || "(unpinned)"}`);
      continue;
    }
    const exact = list(s.Condition?.ArnEquals?.["aws:PrincipalArn"] ?? s.Condition?.StringEquals?.["aws:PrincipalArn"]);
    const principals = exact.length > 0 ? exact : [...list(s.Principal?.AWS), ...list(s.Principal?.Service)];
    const org = s.Condition?.StringEquals?.["aws:PrincipalOrgID"];
    out.push(...principals.map((p) => (org ? `${p} (org ${String(org)})` : p)));
  }
  return out;
}

export function listTrust(plan: StackPlan): TrustListing[] {
  const roles = plan.resources.filter((r) => r.type === "aws:iam/role:Role");
  const rolePolicies = plan.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
  const listings: TrustListing[] = [];
  for (const role of roles) {
    const name = String(role.inputs.name ?? role.outputs.name ?? role.name);
    const trustedBy = trustOf(role);
    // Pipelines' identities: roles trusted by GitHub or by exact cross-account principals.
    if (!trustedBy.some((t) => t.startsWith("GitHub") || t.startsWith("arn:"))) continue;
    const mayAssume = rolePolicies
      .filter((p) => p.inputs.role === name || p.inputs.role === role.id)
      .flatMap((p) => ((json(p.inputs.policy)?.Statement ?? []) as any[])
        .filter((s) => s.Effect === "Allow" && list(s.Action).includes("sts:AssumeRole"))
        .flatMap((s) => list(s.Resource)))
      .sort();
    listings.push({ role: name, account: role.account, trustedBy, mayAssume });
  }
  return listings.sort((a, b) => `${a.account}/${a.role}`.localeCompare(`${b.account}/${b.role}`));
}

export function listGuardrails(plan: StackPlan): GuardrailListing {
  return { scps: listScps(plan), rcps: listRcps(plan), trust: listTrust(plan) };
}

export function guardrailLines(listing: GuardrailListing, quota = 5120): string[] {
  const lines: string[] = [];
  if (listing.scps.length > 0) {
    lines.push("Service control policies (minified size / quota → attachments):");
    for (const s of listing.scps) lines.push(`    ${s.name}  ${s.size}/${quota}  → ${s.targets.join(", ") || "not attached"}`);
  }
  if (listing.rcps.length > 0) {
    lines.push("Resource control policies (minified size / quota → attachments):");
    for (const s of listing.rcps) lines.push(`    ${s.name}  ${s.size}/${quota}  → ${s.targets.join(", ") || "not attached"}`);
  }
  if (listing.trust.length > 0) {
    lines.push("Role trust (who may assume → what it may assume):");
    for (const t of listing.trust) {
      lines.push(`    ${t.role}${t.account ? ` in ${t.account}` : ""}`);
      for (const by of t.trustedBy) lines.push(`        ← ${by}`);
      for (const target of t.mayAssume) lines.push(`        → ${target}`);
    }
  }
  return lines;
}
