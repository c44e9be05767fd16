/**
 * Drift: what `pulumi preview --refresh --expect-no-changes --json` says about a deployed stack,
 * turned into one GitHub issue per stack (opened or updated while the stack differs, closed when it
 * is clean again). The preview document is Pulumi's PreviewDigest, read by `parsePreview` (see
 * `delivery/compare-preview.ts` for its source): after the refresh, `oldState` is what AWS holds
 * and `newState` what the program declares, so every step other than `same` is a difference.
 */
import type { Octokit } from "@octokit/rest" with { "resolution-mode": "import" };
import type { PreviewDigest, PreviewStep } from "./compare-preview";

/** Ops that show no difference between AWS and the program. */
const NO_CHANGE = new Set(["same", "read", "refresh"]);
export const DRIFT_LABEL = "drift";

export interface DriftedProperty {
  path: string;
  /** Kind from the detailed diff (`update`, `add`, `delete`, `update-replace`, …) when known. */
  kind?: string;
  before?: unknown;
  after?: unknown;
}

export interface DriftedResource {
  urn: string;
  type: string;
  name: string;
  op: string;
  properties: DriftedProperty[];
}

export interface DriftReport {
  stack: string;
  status: "clean" | "drifted" | "error";
  resources: DriftedResource[];
  errors: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value at a detailed-diff path such as `tags.env` or `ingress[0].cidrBlocks`. */
function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (isObject(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

function propertiesOf(step: PreviewStep): DriftedProperty[] {
  const before = step.oldState?.inputs;
  const after = step.newState?.inputs;
  const detailed = step.detailedDiff && Object.keys(step.detailedDiff).length > 0 ? step.detailedDiff : undefined;
  const paths = detailed ? Object.keys(detailed) : [...new Set([...(step.replaceReasons ?? []), ...(step.diffReasons ?? [])])];
  return paths.sort().map((path) => {
    const p: DriftedProperty = { path };
    if (detailed?.[path]) p.kind = detailed[path].kind;
    if (before) p.before = at(before, path);
    if (after) p.after = at(after, path);
    return p;
  });
}

/** Reads the drift of one stack from its refreshed preview. */
export function driftReport(stack: string, preview: PreviewDigest): DriftReport {
  if (preview.errors.length > 0) return { stack, status: "error", resources: [], errors: preview.errors };
  const resources = preview.steps
    .filter((s) => !NO_CHANGE.has(s.op))
    .map((s) => {
      const type = s.newState?.type ?? s.oldState?.type ?? "";
      return { urn: s.urn, type, name: s.urn.slice(s.urn.lastIndexOf("::") + 2), op: s.op, properties: propertiesOf(s) };
    })
    .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { stack, status: resources.length > 0 ? "drifted" : "clean", resources, errors: [] };
}

export const issueTitle = (stack: string) => `Drift: stack ${stack}`;

const OP_WORDS: Record<string, string> = {
  update: "changed outside Pulumi (update)",
  replace: "changed outside Pulumi; restoring it replaces the resource",
  create: "missing in AWS (deleted outside Pulumi?): would be created",
  delete: "in the state but no longer declared: would be deleted",
};

const MAX_VALUE = 200;
function value(v: unknown): string {
  if (v === undefined) return "(absent)";
  let s = typeof v === "string" ? v : JSON.stringify(v);
  if (s.length > MAX_VALUE) s = `${s.slice(0, MAX_VALUE - 3)}...`;
  return `\`${s.replace(/`/g, "'").replace(/\|/g, "\\|").replace(/\n/g, " ")}\``;
}

/** The issue text: every drifted resource with its properties, AWS's value → the program's. */
export function issueBody(report: DriftReport, runUrl?: string): string {
  const lines = [
    `<!-- mlz-drift:${report.stack} -->`,
    `\`pulumi preview --refresh --expect-no-changes --stack ${report.stack}\` found ${report.resources.length} resource(s) where AWS differs from the program on the default branch${runUrl ? ` ([run](${runUrl}))` : ""}.`,
    "A difference is drift (a change made outside Pulumi, e.g. in the console) or a change merged but not deployed yet. `pulumi up` puts back what the program declares; to keep a console change instead, make it in the code.",
    "",
    "| resource | type | what | property | in AWS | in the program |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of report.resources) {
    const what = OP_WORDS[r.op] ?? r.op;
    if (r.properties.length === 0) lines.push(`| \`${r.name}\` | \`${r.type}\` | ${what} | | | |`);
    for (const p of r.properties) lines.push(`| \`${r.name}\` | \`${r.type}\` | ${what} | \`${p.path}\`${p.kind ? ` (${p.kind})` : ""} | ${value(p.before)} | ${value(p.after)} |`);
  }
  lines.push("", "This issue is updated by the drift workflow while the stack differs and closed when it is clean again.");
  return lines.join("\n") + "\n";
}

export interface SyncResult {
  stack: string;
  action: "created" | "updated" | "closed" | "none" | "skipped";
  number?: number;
}

/**
 * Opens, updates or closes the stack's drift issue. The issue is found by the `drift` label and
 * its exact title among open issues (pull requests excluded), so there is never a second one.
 * A report with status `error` touches nothing.
 */
export async function syncDriftIssue(octokit: Octokit, repo: { owner: string; repo: string }, report: DriftReport, runUrl?: string): Promise<SyncResult> {
  if (report.status === "error") return { stack: report.stack, action: "skipped" };
  const title = issueTitle(report.stack);
  const open = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, labels: DRIFT_LABEL, state: "open", per_page: 100 });
  const mine = open.filter((i) => !i.pull_request && i.title === title).sort((a, b) => a.number - b.number);
  const existing = mine[0];
  if (report.status === "drifted") {
    const body = issueBody(report, runUrl);
    if (existing) {
      await octokit.rest.issues.update({ ...repo, issue_number: existing.number, body });
      return { stack: report.stack, action: "updated", number: existing.number };
    }
    const { data } = await octokit.rest.issues.create({ ...repo, title, body, labels: [DRIFT_LABEL] });
    return { stack: report.stack, action: "created", number: data.number };
  }
  if (!existing) return { stack: report.stack, action: "none" };
  await octokit.rest.issues.createComment({ ...repo, issue_number: existing.number, body: `The stack is clean again: no difference between AWS and the program${runUrl ? ` ([run](${runUrl}))` : ""}. Closing.` });
  await octokit.rest.issues.update({ ...repo, issue_number: existing.number, state: "closed", state_reason: "completed" });
  return { stack: report.stack, action: "closed", number: existing.number };
}
