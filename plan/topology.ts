/**
 * The organization's picture as one Mermaid flowchart (`--format mermaid`, and embedded in the
 * pull-request comment): OUs and accounts as nested subgraphs, the SCPs and RCPs attached where
 * they apply, and the edges that decide who can reach what:
 *
 * - trust: who may assume each IAM role (GitHub's OIDC provider with the token subjects it
 *   accepts, roles named by ARN or by an `aws:PrincipalArn` condition, a whole account);
 * - access: model-version and endpoint ARNs a role's inline policies allow, with
 *   "via vpce-…" where an `aws:SourceVpce` condition requires an endpoint;
 * - pipelines: a pipeline component → its streams and buckets; a Firehose stream → its
 *   destination bucket and its transform function.
 *
 * Everything is read from the planned resources' inputs and simulated outputs (no AWS call). Node
 * ids derive from what the node is (an ARN, an account id, a policy name), not from order, so the
 * same organization gives byte-identical output. With a base (`--diff`) the picture is the union of
 * both: nodes and edges only in the new plan are highlighted as added, only in the base as removed
 * (dashed), nodes whose resource changed as changed.
 */
import { decodeJson } from "../lib/json";
import { ACCOUNT_ROOT_ARN, IAM_ROLE_RESOURCE, isAccountId } from "../components/aws";
import type { StackDiff } from "./diff";
import type { PlannedResource, StackPlan } from "../lib/plan-model";

export type NodeShape = "box" | "round" | "hexagon" | "cylinder" | "stadium";

export interface TopoNode {
  /** Identity across plans (e.g. `role:arn:aws:iam::…`). */
  key: string;
  label: string;
  shape: NodeShape;
  /** Key of the subgraph (account, OU, root) holding the node; none for outside nodes. */
  parent?: string;
  /** URNs of the planned resources the node stands for (to mark changed nodes). */
  urns: string[];
}

export interface TopoGroup {
  key: string;
  label: string;
  parent?: string;
}

export interface TopoEdge {
  from: string;
  to: string;
  label: string;
}

export interface Topology {
  groups: TopoGroup[];
  nodes: TopoNode[];
  edges: TopoEdge[];
}

const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

function arnAccount(arn: string): string | undefined {
  return /^arn:aws[\w-]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

function strings(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === "string");
}

interface Statement {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function statements(doc: unknown): Statement[] {
  const d = decodeJson(doc) as { Statement?: unknown } | undefined;
  return asArray(d?.Statement) as Statement[];
}

/** Values of a condition key under any operator (`StringEquals`, `ArnLike`, …), case-insensitive key. */
function conditionValues(s: Statement, key: string): string[] {
  const out: string[] = [];
  for (const block of Object.values(s.Condition ?? {})) {
    for (const [k, v] of Object.entries(block ?? {})) if (k.toLowerCase() === key.toLowerCase()) out.push(...strings(v));
  }
  return out;
}

function matchesAction(s: Statement, pattern: RegExp): boolean {
  return strings(s.Action).some((a) => pattern.test(a));
}

/** Builds the picture of the organization from every stack's plan. */
export function buildTopology(plans: StackPlan[]): Topology {
  const groups = new Map<string, TopoGroup>();
  const nodes = new Map<string, TopoNode>();
  const edges = new Map<string, TopoEdge>();
  const all = plans.flatMap((p) => p.resources.map((r) => ({ r, plan: p })));
  const byType = (t: string) => all.filter((x) => x.r.type === t);

  // Organization: root, OUs, accounts.
  const targetGroup = new Map<string, string>(); // organizations id (r-…, ou-…, account id) → group key
  for (const { r, plan } of byType("aws:organizations/organization:Organization")) {
    const roots = asArray(r.outputs.roots) as { id?: string }[];
    const rootId = roots[0]?.id;
    groups.set("root", { key: "root", label: `Organization ${String(r.outputs.id ?? "")} root`.replace("  ", " ") });
    if (rootId) targetGroup.set(rootId, "root");
    const mgmt = String(r.outputs.masterAccountId ?? plan.account ?? "");
    if (mgmt) {
      groups.set(`account:${mgmt}`, { key: `account:${mgmt}`, label: `management account ${mgmt}`, parent: "root" });
      targetGroup.set(mgmt, `account:${mgmt}`);
    }
  }
  const ous = byType("aws:organizations/organizationalUnit:OrganizationalUnit");
  for (const { r } of ous) {
    const id = String(r.outputs.id ?? r.id ?? "");
    if (id) targetGroup.set(id, `ou:${id}`);
  }
  for (const { r } of ous) {
    const id = String(r.outputs.id ?? r.id ?? "");
    groups.set(`ou:${id}`, { key: `ou:${id}`, label: `OU ${String(r.inputs.name ?? r.name)}`, parent: targetGroup.get(String(r.inputs.parentId ?? "")) });
  }
  for (const { r } of byType("aws:organizations/account:Account")) {
    const id = String(r.outputs.id ?? r.importId ?? "");
    if (!isAccountId(id)) continue;
    groups.set(`account:${id}`, { key: `account:${id}`, label: `${String(r.inputs.name ?? r.name)} ${id}`, parent: targetGroup.get(String(r.inputs.parentId ?? "")) });
    targetGroup.set(id, `account:${id}`);
  }
  const accountGroup = (account: string | undefined): string | undefined => {
    if (!account) return undefined;
    const key = `account:${account}`;
    if (!groups.has(key)) groups.set(key, { key, label: `account ${account}` });
    return key;
  };

  // Organization policies where they are attached.
  const policies = new Map<string, PlannedResource>();
  for (const { r } of byType("aws:organizations/policy:Policy")) policies.set(String(r.outputs.id ?? r.id ?? ""), r);
  for (const { r } of byType("aws:organizations/policyAttachment:PolicyAttachment")) {
    const policy = policies.get(String(r.inputs.policyId ?? ""));
    const target = String(r.inputs.targetId ?? "");
    const group = targetGroup.get(target) ?? accountGroup(isAccountId(target) ? target : undefined);
    const name = String(policy?.inputs.name ?? r.inputs.policyId ?? r.name);
    const kind = String(policy?.inputs.type ?? "SERVICE_CONTROL_POLICY") === "RESOURCE_CONTROL_POLICY" ? "RCP" : "SCP";
    nodes.set(`policy:${name}@${target}`, { key: `policy:${name}@${target}`, label: `${kind} ${name}`, shape: "hexagon", parent: group, urns: [r.urn, ...(policy ? [policy.urn] : [])] });
  }

  // IAM roles, by ARN, with the URNs of their inline policies.
  const roles = new Map<string, { r: PlannedResource; arn: string; name: string; urns: string[] }>();
  const roleByAccountName = new Map<string, string>();
  for (const { r } of byType("aws:iam/role:Role")) {
    const arn = String(r.outputs.arn ?? "");
    if (!arn) continue;
    const name = String(r.inputs.name ?? r.outputs.name ?? r.name);
    roles.set(arn, { r, arn, name, urns: [r.urn] });
    roleByAccountName.set(`${arnAccount(arn)}/${name}`, arn);
  }
  const roleNode = (arn: string): string => {
    const key = `role:${arn}`;
    if (!nodes.has(key)) {
      const role = roles.get(arn);
      const name = role?.name ?? arn.slice(arn.lastIndexOf("/") + 1);
      nodes.set(key, { key, label: role ? `role ${name}` : `role ${name} (outside this plan)`, shape: "box", parent: accountGroup(arnAccount(arn)), urns: role?.urns ?? [] });
    }
    return key;
  };
  const addEdge = (from: string, to: string, label: string) => edges.set(`${from}\u0000${to}\u0000${label}`, { from, to, label });

  const oidcHosts = new Map<string, string>();
  for (const { r } of byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")) {
    oidcHosts.set(String(r.outputs.arn ?? ""), String(r.inputs.url ?? "").replace(/^https:\/\//, ""));
  }

  // Trust edges.
  for (const role of [...roles.values()]) {
    for (const s of statements(role.r.inputs.assumeRolePolicy)) {
      if (s.Effect !== "Allow" || !matchesAction(s, /^sts:(AssumeRole\w*|TagSession|\*)$/i)) continue;
      const p = s.Principal as { AWS?: unknown; Federated?: unknown } | string | undefined;
      if (typeof p !== "object" || p === null) continue;
      for (const fed of strings(p.Federated)) {
        const host = oidcHosts.get(fed) ?? fed.replace(/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\//, "");
        const key = host === GITHUB_OIDC_HOST ? "github" : `oidc:${host}`;
        if (!nodes.has(key)) nodes.set(key, { key, label: host === GITHUB_OIDC_HOST ? "GitHub Actions (OIDC)" : `OIDC ${host}`, shape: "stadium", urns: [] });
        const subs = conditionValues(s, `${host}:sub`);
        addEdge(key, roleNode(role.arn), subs.length > 0 ? subs.sort().join(", ") : "any token of the provider");
      }
      const principalArns = conditionValues(s, "aws:PrincipalArn");
      const sources = principalArns.length > 0 ? principalArns : strings(p.AWS);
      for (const src of sources) {
        const rootAccount = ACCOUNT_ROOT_ARN.exec(src)?.[2] ?? (isAccountId(src) ? src : undefined);
        if (rootAccount) {
          const key = `principals:${rootAccount}`;
          if (!nodes.has(key)) nodes.set(key, { key, label: `any principal of ${rootAccount} its IAM policies allow`, shape: "round", parent: accountGroup(rootAccount), urns: [] });
          addEdge(key, roleNode(role.arn), "assumes");
        } else if (IAM_ROLE_RESOURCE.test(src)) {
          addEdge(roleNode(src), roleNode(role.arn), "assumes");
        }
      }
    }
  }

  // Access edges: inline policies allowing model calls.
  const versionNode = (arn: string, urns: string[] = []): string => {
    const key = `model:${arn}`;
    const existing = nodes.get(key);
    if (existing) {
      existing.urns.push(...urns.filter((u) => !existing.urns.includes(u)));
      return key;
    }
    const rek = /:project\/([^/]+)\/version\/([^/]+)\//.exec(arn);
    const ep = /:endpoint\/(.+)$/.exec(arn);
    const label = rek ? `Rekognition version ${rek[2]}` : ep ? `SageMaker endpoint ${ep[1]}` : arn;
    nodes.set(key, { key, label, shape: "cylinder", parent: accountGroup(arnAccount(arn)), urns: [...urns] });
    return key;
  };
  for (const { r } of all) {
    if (r.type === "pulumi-nodejs:dynamic:Resource" && r.inputs.kind === "mlz:rekognition:ProjectVersionRunner" && typeof r.inputs.projectVersionArn === "string") {
      versionNode(r.inputs.projectVersionArn, [r.urn]);
    }
    if (r.type === "aws:sagemaker/endpoint:Endpoint" && typeof r.outputs.arn === "string") versionNode(r.outputs.arn, [r.urn]);
  }
  const inline: { roleArn: string; doc: unknown; urn: string }[] = [];
  for (const { r } of byType("aws:iam/rolePolicy:RolePolicy")) {
    const roleRef = String(r.inputs.role ?? "");
    const arn = roleRef.startsWith("arn:") ? roleRef : roleByAccountName.get(`${r.account}/${roleRef}`);
    if (arn) inline.push({ roleArn: arn, doc: r.inputs.policy, urn: r.urn });
  }
  for (const role of roles.values()) {
    for (const p of asArray(role.r.inputs.inlinePolicies) as { policy?: unknown }[]) inline.push({ roleArn: role.arn, doc: p?.policy, urn: role.r.urn });
  }
  for (const { roleArn, doc, urn } of inline) {
    for (const s of statements(doc)) {
      if (s.Effect !== "Allow" || !matchesAction(s, /^(rekognition:DetectCustomLabels|sagemaker:InvokeEndpoint\w*)$/i)) continue;
      const vpces = conditionValues(s, "aws:SourceVpce").sort();
      for (const res of strings(s.Resource)) {
        if (!/:project\/[^/]+\/version\/|:sagemaker:[^:]*:\d{12}:endpoint\//.test(res) || res.includes("*")) continue;
        const from = roleNode(roleArn);
        const node = nodes.get(from);
        if (node && !node.urns.includes(urn)) node.urns.push(urn);
        addEdge(from, versionNode(res), vpces.length > 0 ? `calls via ${vpces.join(", ")}` : "calls");
      }
    }
  }

  // Pipelines: component → its streams and buckets; stream → bucket and transform function.
  const bucketNode = (name: string, account: string | undefined, urns: string[]) => {
    const key = `bucket:${name}`;
    const existing = nodes.get(key);
    if (existing) existing.urns.push(...urns.filter((u) => !existing.urns.includes(u)));
    else nodes.set(key, { key, label: `bucket ${name}`, shape: "cylinder", parent: accountGroup(account), urns });
    return key;
  };
  // The organization trail and where it delivers.
  for (const { r } of byType("aws:cloudtrail/trail:Trail")) {
    const key = `trail:${String(r.outputs.arn ?? r.urn)}`;
    nodes.set(key, { key, label: `CloudTrail ${String(r.inputs.name ?? r.name)}${r.inputs.isOrganizationTrail ? " (organization)" : ""}`, shape: "stadium", parent: accountGroup(r.account), urns: [r.urn] });
    const bucket = String(r.inputs.s3BucketName ?? "");
    if (bucket) {
      const owner = all.find((x) => x.r.type === "aws:s3/bucket:Bucket" && (x.r.inputs.bucket === bucket || x.r.outputs.bucket === bucket));
      addEdge(key, bucketNode(bucket, owner?.r.account, owner ? [owner.r.urn] : []), "delivers to");
    }
  }

  const streamKey = (arn: string) => `stream:${arn}`;
  const byParent = new Map<string, PlannedResource[]>();
  for (const { r } of all) {
    if (!r.parent) continue;
    if (!byParent.has(r.parent)) byParent.set(r.parent, []);
    byParent.get(r.parent)!.push(r);
  }
  const descendants = (urn: string): PlannedResource[] => (byParent.get(urn) ?? []).flatMap((c) => [c, ...descendants(c.urn)]);
  for (const { r: stream } of byType("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")) {
    const arn = String(stream.outputs.arn ?? stream.urn);
    nodes.set(streamKey(arn), { key: streamKey(arn), label: `Firehose ${String(stream.inputs.name ?? stream.outputs.name ?? stream.name)}`, shape: "stadium", parent: accountGroup(stream.account), urns: [stream.urn] });
    const s3 = decodeJson(stream.inputs.extendedS3Configuration) as { bucketArn?: string; processingConfiguration?: { processors?: { parameters?: { parameterName?: string; parameterValue?: string }[] }[] } } | undefined;
    const bucket = s3?.bucketArn?.replace(/^arn:aws[\w-]*:s3:::/, "");
    if (bucket) addEdge(streamKey(arn), bucketNode(bucket, stream.account, []), "delivers to");
    for (const p of s3?.processingConfiguration?.processors ?? []) {
      for (const param of p.parameters ?? []) {
        if (param.parameterName !== "LambdaArn" || !param.parameterValue) continue;
        const fn = param.parameterValue.replace(/:\$LATEST$/, "").replace(/^.*:function:/, "");
        const key = `function:${arnAccount(param.parameterValue) ?? ""}:${fn}`;
        if (!nodes.has(key)) nodes.set(key, { key, label: `function ${fn}`, shape: "round", parent: accountGroup(arnAccount(param.parameterValue)), urns: [] });
        addEdge(streamKey(arn), key, "transforms with");
      }
    }
  }
  for (const { r: pipe } of all.filter((x) => !x.r.custom && x.r.type.startsWith("mlz:pipelines:"))) {
    const key = `pipeline:${pipe.urn}`;
    nodes.set(key, { key, label: `pipeline ${pipe.type.slice(pipe.type.lastIndexOf(":") + 1)} ${pipe.name}`, shape: "round", parent: accountGroup(pipe.account ?? undefined), urns: [pipe.urn] });
    for (const d of descendants(pipe.urn)) {
      if (d.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream") addEdge(key, streamKey(String(d.outputs.arn ?? d.urn)), "ingests through");
      if (d.type === "aws:s3/bucket:Bucket") addEdge(key, bucketNode(String(d.inputs.bucket ?? d.outputs.bucket ?? d.outputs.id ?? d.name), d.account, [d.urn]), "stores in");
    }
    if (!nodes.get(key)!.parent) {
      const child = descendants(pipe.urn).find((d) => d.account);
      nodes.get(key)!.parent = accountGroup(child?.account);
    }
  }

  const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return {
    groups: [...groups.values()].sort(byKey),
    nodes: [...nodes.values()].sort(byKey),
    edges: [...edges.values()].sort((a, b) => (`${a.from}\u0000${a.to}\u0000${a.label}` < `${b.from}\u0000${b.to}\u0000${b.label}` ? -1 : 1)),
  };
}

// ---------------------------------------------------------------------------------------------
// Mermaid
// ---------------------------------------------------------------------------------------------

export type Mark = "added" | "removed" | "changed";

export interface MarkedTopology extends Topology {
  nodeMarks: Map<string, Mark>;
  edgeMarks: Map<string, Mark>;
}

const edgeKey = (e: TopoEdge) => `${e.from}\u0000${e.to}\u0000${e.label}`;

/** The union of a base and a head picture, with what the change adds, removes and changes. */
export function compareTopologies(base: Topology, head: Topology, diffs: StackDiff[]): MarkedTopology {
  const changedUrns = new Set(diffs.flatMap((d) => [...d.changed.map((c) => c.urn), ...d.added.map((a) => a.urn)]));
  const headNodes = new Map(head.nodes.map((n) => [n.key, n]));
  const baseNodes = new Map(base.nodes.map((n) => [n.key, n]));
  const nodeMarks = new Map<string, Mark>();
  for (const n of head.nodes) {
    if (!baseNodes.has(n.key)) nodeMarks.set(n.key, "added");
    else if (n.urns.some((u) => changedUrns.has(u))) nodeMarks.set(n.key, "changed");
  }
  for (const n of base.nodes) if (!headNodes.has(n.key)) nodeMarks.set(n.key, "removed");
  const headEdges = new Set(head.edges.map(edgeKey));
  const baseEdges = new Set(base.edges.map(edgeKey));
  const edgeMarks = new Map<string, Mark>();
  for (const e of head.edges) if (!baseEdges.has(edgeKey(e))) edgeMarks.set(edgeKey(e), "added");
  for (const e of base.edges) if (!headEdges.has(edgeKey(e))) edgeMarks.set(edgeKey(e), "removed");
  const groups = new Map(head.groups.map((g) => [g.key, g]));
  for (const g of base.groups) if (!groups.has(g.key)) groups.set(g.key, g);
  const nodes = [...head.nodes, ...base.nodes.filter((n) => !headNodes.has(n.key))].sort((a, b) => (a.key < b.key ? -1 : 1));
  const edges = [...head.edges, ...base.edges.filter((e) => !headEdges.has(edgeKey(e)))].sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : 1));
  return { groups: [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : 1)), nodes, edges, nodeMarks, edgeMarks };
}

/** A Mermaid id: letters, digits and `_` only, starting with a letter, from the node's kind and identity. */
export function mermaidIds(keys: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const key of [...new Set(keys)].sort()) {
    const kind = key.slice(0, key.indexOf(":") > 0 ? key.indexOf(":") : key.length);
    const rest = key.slice(kind.length + 1);
    let tail = rest
      .replace(/^arn:aws[\w-]*:[\w-]*:[\w-]*:/, "")
      .replace(/[^A-Za-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "");
    if (tail.length > 80) tail = tail.slice(-80).replace(/^[^_]*_/, "");
    const base = `${kind.replace(/[^A-Za-z0-9]/g, "") || "n"}${tail ? `_${tail}` : ""}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(key, id);
  }
  return ids;
}

/** A label in double quotes: `"` and characters Mermaid would read as markup become entity codes. */
export function mermaidLabel(text: string): string {
  return `"${text.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/[\r\n]+/g, " ")}"`;
}

const SHAPES: Record<NodeShape, [string, string]> = {
  box: ["[", "]"],
  round: ["(", ")"],
  hexagon: ["{{", "}}"],
  cylinder: ["[(", ")]"],
  stadium: ["([", "])"],
};

const CLASS_DEFS = [
  "classDef added stroke:#1a7f37,stroke-width:3px",
  "classDef changed stroke:#9a6700,stroke-width:3px",
  "classDef removed stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5",
];
const LINK_STYLES: Record<Mark, string> = {
  added: "stroke:#1a7f37,stroke-width:3px",
  changed: "stroke:#9a6700,stroke-width:3px",
  removed: "stroke:#cf222e,stroke-width:2px",
};

/** Renders the picture as one Mermaid flowchart (no trailing newline). */
export function renderMermaid(topology: Topology | MarkedTopology): string {
  const marked = "nodeMarks" in topology ? topology : undefined;
  const ids = mermaidIds([...topology.groups.map((g) => `group:${g.key}`), ...topology.nodes.map((n) => n.key)]);
  const groupId = (k: string) => ids.get(`group:${k}`)!;
  const groupKeys = new Set(topology.groups.map((g) => g.key));
  const childGroups = new Map<string, TopoGroup[]>();
  const childNodes = new Map<string, TopoNode[]>();
  for (const g of topology.groups) {
    const p = g.parent && groupKeys.has(g.parent) ? g.parent : "";
    if (!childGroups.has(p)) childGroups.set(p, []);
    childGroups.get(p)!.push(g);
  }
  for (const n of topology.nodes) {
    const p = n.parent && groupKeys.has(n.parent) ? n.parent : "";
    if (!childNodes.has(p)) childNodes.set(p, []);
    childNodes.get(p)!.push(n);
  }
  const lines = ["flowchart LR"];
  if (marked) lines.push(...CLASS_DEFS.map((c) => `  ${c}`));
  const nodeLine = (n: TopoNode, indent: string) => {
    const [open, close] = SHAPES[n.shape];
    const mark = marked?.nodeMarks.get(n.key);
    return `${indent}${ids.get(n.key)}${open}${mermaidLabel(n.label)}${close}${mark ? `:::${mark}` : ""}`;
  };
  const walk = (parent: string, indent: string) => {
    for (const n of childNodes.get(parent) ?? []) lines.push(nodeLine(n, indent));
    for (const g of childGroups.get(parent) ?? []) {
      lines.push(`${indent}subgraph ${groupId(g.key)}[${mermaidLabel(g.label)}]`);
      walk(g.key, `${indent}  `);
      lines.push(`${indent}end`);
    }
  };
  walk("", "  ");
  const styles = new Map<Mark, number[]>();
  topology.edges.forEach((e, i) => {
    const mark = marked?.edgeMarks.get(edgeKey(e));
    const arrow = mark === "removed" ? "-.->" : "-->";
    const label = mark === "removed" ? `removed: ${e.label}` : e.label;
    lines.push(`  ${ids.get(e.from)} ${arrow}|${mermaidLabel(label)}| ${ids.get(e.to)}`);
    if (mark) {
      if (!styles.has(mark)) styles.set(mark, []);
      styles.get(mark)!.push(i);
    }
  });
  for (const mark of ["added", "changed", "removed"] as Mark[]) {
    const idx = styles.get(mark);
    if (idx) lines.push(`  linkStyle ${idx.join(",")} ${LINK_STYLES[mark]}`);
  }
  return lines.join("\n");
}
