/**
 * Compares the offline plan of a stack with Pulumi's own `pulumi preview --json` of the same commit,
 * so that a divergence between the simulation and reality is seen the first time it happens.
 *
 * The preview document is Pulumi's `PreviewDigest` (pulumi/pulumi `sdk/go/common/display/json.go`,
 * written by `ShowPreviewDigest` in `pkg/backend/display/json.go`): `steps[]` with `op`, `urn`,
 * `newState`/`oldState` (`apitype.ResourceV3`: `urn`, `type`, `custom`, `inputs`, `parent`,
 * `provider`, …), `diffReasons`, `replaceReasons`, `detailedDiff`, and `changeSummary` (count per
 * op). Secrets are written as the string `[secret]`; values unknown until apply as
 * `04da6b54-80e4-46f7-96ec-b56ff0331ba9` (`computedValuePlaceholder`, pkg/resource/stack). Steps
 * with op `same` are listed only with `--show-sames`; a replacement is one `replace` step unless
 * `--show-replacement-steps` is given.
 */
import { KNOWN_AFTER_APPLY } from "../lib/plan-model";

/** What the Pulumi CLI writes for a value that is unknown until apply. */
export const PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** What the Pulumi CLI and the offline plan write for a secret. */
export const SECRET = "[secret]";
/** Pulumi's signature key for serialized assets and archives. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/**
 * Inputs only a real deployment has, never compared (kept short on purpose):
 * - `__defaults`: the names of properties the provider filled with defaults (those properties are
 *   skipped too when the offline plan does not set them);
 * - `__meta`: the provider's own bookkeeping (schema versions, timeouts);
 * - `__provider` of a dynamic resource: the serialized provider code (the offline plan records its
 *   size and hash instead);
 * - `version` of a provider resource: the plugin version the CLI resolved.
 */
export const REAL_ONLY_INPUTS: ReadonlyArray<{ key: string; types?: RegExp; why: string }> = [
  { key: "__defaults", why: "properties the provider filled with defaults" },
  { key: "__meta", why: "provider bookkeeping" },
  { key: "__provider", types: /^pulumi-nodejs:dynamic:Resource$/, why: "serialized dynamic provider code" },
  { key: "version", types: /^pulumi:providers:/, why: "provider plugin version" },
];

/** Ops that remove a resource the program no longer declares. */
const REMOVALS = new Set(["delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"]);

export interface ResourceState {
  urn: string;
  type: string;
  custom?: boolean;
  id?: string;
  inputs?: Record<string, unknown>;
  parent?: string;
  provider?: string;
}

export interface PreviewStep {
  op: string;
  urn: string;
  provider?: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  diffReasons?: string[];
  replaceReasons?: string[];
  /** Property paths that differ, with the kind of difference (`update`, `add`, `delete`, `…-replace`). */
  detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }>;
}

export interface PreviewDigest {
  steps: PreviewStep[];
  changeSummary: Record<string, number>;
  /** Errors the preview reported (diagnostics of severity `error`). */
  errors: string[];
}

/** One resource of a stack file written by `npm run plan -- --out`. */
export interface OfflineResource {
  urn: string;
  type: string;
  id?: string;
  importId?: string;
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface OfflineStack {
  stack: string;
  resources: OfflineResource[];
}

/** A user error in the inputs: the CLI prints it as one line and exits 2. */
export class InputError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function urnStack(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m?.[1];
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not JSON (${(e as Error).message})`);
  }
}

function checkState(v: unknown, where: string, file: string): ResourceState | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new InputError(`${file}: ${where} must be an object`);
  if (typeof v.urn !== "string") throw new InputError(`${file}: ${where}.urn must be a string`);
  if (typeof v.type !== "string") throw new InputError(`${file}: ${where}.type must be a string`);
  if (v.inputs !== undefined && !isObject(v.inputs)) throw new InputError(`${file}: ${where}.inputs must be an object`);
  return v as unknown as ResourceState;
}

/**
 * Reads a `pulumi preview --json` document, checking the fields the comparison relies on, and that
 * every step belongs to `stack`.
 */
export function parsePreview(text: string, file: string, stack: string): PreviewDigest {
  const doc = parseJson(text, file);
  if (!isObject(doc)) throw new InputError(`${file}: expected the JSON object 'pulumi preview --json' writes`);
  // Every preview lists at least the stack itself (pulumi:pulumi:Stack).
  if (!("steps" in doc)) throw new InputError(`${file}: steps is missing: expected the output of 'pulumi preview --json'`);
  const steps = doc.steps;
  if (!Array.isArray(steps)) throw new InputError(`${file}: steps must be an array`);
  const out: PreviewStep[] = steps.map((s, i) => {
    const where = `steps[${i}]`;
    if (!isObject(s)) throw new InputError(`${file}: ${where} must be an object`);
    if (typeof s.op !== "string" || s.op === "") throw new InputError(`${file}: ${where}.op must be a non-empty string`);
    if (typeof s.urn !== "string") throw new InputError(`${file}: ${where}.urn must be a string`);
    const owner = urnStack(s.urn);
    if (owner === undefined) throw new InputError(`${file}: ${where}.urn is not a Pulumi URN: '${s.urn}'`);
    if (owner !== stack) throw new InputError(`${file}: ${where}.urn belongs to stack '${owner}', not '${stack}'`);
    const newState = checkState(s.newState, `${where}.newState`, file);
    const oldState = checkState(s.oldState, `${where}.oldState`, file);
    if (!newState && !oldState) throw new InputError(`${file}: ${where} has neither newState nor oldState`);
    for (const k of ["diffReasons", "replaceReasons"] as const) {
      if (s[k] !== undefined && !(Array.isArray(s[k]) && (s[k] as unknown[]).every((x) => typeof x === "string"))) {
        throw new InputError(`${file}: ${where}.${k} must be an array of strings`);
      }
    }
    const detailedDiff = isObject(s.detailedDiff) ? (s.detailedDiff as PreviewStep["detailedDiff"]) : undefined;
    return { op: s.op, urn: s.urn, provider: s.provider as string | undefined, newState, oldState, diffReasons: s.diffReasons as string[] | undefined, replaceReasons: s.replaceReasons as string[] | undefined, detailedDiff };
  });
  const summary = doc.changeSummary ?? {};
  if (!isObject(summary) || !Object.values(summary).every((n) => Number.isInteger(n) && (n as number) >= 0)) {
    throw new InputError(`${file}: changeSummary must map operations to counts`);
  }
  const diagnostics = Array.isArray(doc.diagnostics) ? doc.diagnostics : [];
  const errors = diagnostics.filter((d) => isObject(d) && d.severity === "error").map((d) => String((d as Record<string, unknown>).message ?? "").trim());
  return { steps: out, changeSummary: summary as Record<string, number>, errors };
}

/** Reads a stack file written by `npm run plan -- --out`. */
export function parseOfflineStack(text: string, file: string): OfflineStack {
  const doc = parseJson(text, file);
  if (!isObject(doc) || typeof doc.stack !== "string" || !Array.isArray(doc.resources)) {
    throw new InputError(`${file}: not a stack file written by 'npm run plan -- --out' (expected 'stack' and 'resources')`);
  }
  doc.resources.forEach((r, i) => {
    if (!isObject(r) || typeof r.urn !== "string" || typeof r.type !== "string" || !isObject(r.inputs)) {
      throw new InputError(`${file}: resources[${i}] must have urn, type and inputs`);
    }
  });
  return doc as unknown as OfflineStack;
}

export interface InputDifference {
  urn: string;
  /** Property path, e.g. `policy.Statement[0].Resource` (JSON-encoded strings are compared parsed). */
  path: string;
  offline: unknown;
  real: unknown;
}

export interface StackComparison {
  stack: string;
  /** Resources the offline plan declares. */
  offline: number;
  /** Resources the real preview lists (removals excluded). */
  real: number;
  /** URNs in both. */
  both: number;
  onlyReal: Array<{ urn: string; type: string; op: string }>;
  onlyOffline: Array<{ urn: string; type: string }>;
  /**
   * Offline-only resources a preview run without `--show-sames` may have left out: the preview's
   * change summary counts that many unchanged resources it did not list.
   */
  unlisted: Array<{ urn: string; type: string }>;
  differingInputs: InputDifference[];
  /** Input values that differ only where the offline plan holds a simulated id or ARN. */
  simulatedIdentifiers: number;
  /** Values not compared, by reason. */
  skipped: { unknown: number; secret: number; asset: number; providerDefault: number; realOnly: number };
  /** What the real preview proposes (`same` steps left out), by URN, with the properties behind it. */
  operations: Array<{ op: string; urn: string; reasons?: string[] }>;
  /** No resource only on one side and no differing input. */
  agrees: boolean;
}

interface Counters {
  skipped: StackComparison["skipped"];
  simulated: number;
}

function isAssetOrArchive(v: unknown): boolean {
  if (!isObject(v)) return false;
  // The offline plan summarizes Lambda code as `{archive|asset, …}`; Pulumi writes the signature key.
  return SIG_KEY in v || ("archive" in v && ("files" in v || "path" in v)) || ("asset" in v && ("sha256" in v || "path" in v));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Values the simulated AWS generated for the offline plan (ids and computed outputs that are not
 * one of the resource's own inputs): where an offline input holds one, the real value legitimately
 * differs there.
 */
export function simulatedTokens(resources: OfflineResource[]): string[] {
  const tokens = new Set<string>();
  for (const r of resources) {
    if (r.type.startsWith("pulumi:")) continue;
    const inputStrings = new Set<string>();
    const collect = (v: unknown) => {
      if (typeof v === "string") inputStrings.add(v);
      else if (Array.isArray(v)) v.forEach(collect);
      else if (isObject(v)) Object.values(v).forEach(collect);
    };
    collect(r.inputs);
    const add = (v: unknown) => {
      if (typeof v === "string" && v.length >= 6 && v !== KNOWN_AFTER_APPLY && v !== r.importId && !inputStrings.has(v)) tokens.add(v);
    };
    add(r.id);
    for (const v of Object.values(r.outputs ?? {})) add(v);
  }
  // Longest first, so an ARN is replaced before the id inside it.
  return [...tokens].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** True when `real` equals `offline` with every simulated token in it standing for any text. */
function matchesWithSimulatedTokens(offline: string, real: string, tokens: string[]): boolean {
  const present = tokens.filter((t) => offline.includes(t));
  if (present.length === 0) return false;
  let pattern = escapeRegExp(offline);
  for (const t of present) pattern = pattern.split(escapeRegExp(t)).join("[^\\s\"]+?");
  return new RegExp(`^${pattern}$`).test(real);
}

function tryJson(s: string): unknown {
  const t = s.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

const join = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}["${key}"]`;

function compareValues(urn: string, path: string, offline: unknown, real: unknown, tokens: string[], c: Counters, out: InputDifference[]): void {
  if (offline === KNOWN_AFTER_APPLY || real === PULUMI_UNKNOWN || (typeof offline === "string" && offline.includes(KNOWN_AFTER_APPLY))) {
    c.skipped.unknown++;
    return;
  }
  if (offline === SECRET || real === SECRET) {
    c.skipped.secret++;
    return;
  }
  if (isAssetOrArchive(offline) || isAssetOrArchive(real)) {
    c.skipped.asset++;
    return;
  }
  if (typeof offline === "string" && typeof real === "string") {
    if (offline === real) return;
    const a = tryJson(offline);
    const b = tryJson(real);
    if (a !== undefined && b !== undefined) return compareValues(urn, path, a, b, tokens, c, out);
    if (matchesWithSimulatedTokens(offline, real, tokens)) {
      c.simulated++;
      return;
    }
    out.push({ urn, path, offline, real });
    return;
  }
  if (Array.isArray(offline) && Array.isArray(real)) {
    const n = Math.max(offline.length, real.length);
    for (let i = 0; i < n; i++) {
      if (i >= offline.length || i >= real.length) out.push({ urn, path: join(path, i), offline: offline[i], real: real[i] });
      else compareValues(urn, join(path, i), offline[i], real[i], tokens, c, out);
    }
    return;
  }
  if (isObject(offline) && isObject(real)) {
    const keys = [...new Set([...Object.keys(offline), ...Object.keys(real)])].sort();
    for (const k of keys) {
      if (!(k in offline)) {
        out.push({ urn, path: join(path, k), offline: undefined, real: real[k] });
      } else if (!(k in real)) {
        out.push({ urn, path: join(path, k), offline: offline[k], real: undefined });
      } else compareValues(urn, join(path, k), offline[k], real[k], tokens, c, out);
    }
    return;
  }
  // Numbers and booleans may arrive as strings from a provider's Check (e.g. provider inputs).
  if ((typeof offline === "number" || typeof offline === "boolean") && typeof real === "string" && String(offline) === real) return;
  if ((typeof real === "number" || typeof real === "boolean") && typeof offline === "string" && String(real) === offline) return;
  if (offline !== real) out.push({ urn, path, offline, real });
}

function compareInputs(r: OfflineResource, real: ResourceState, tokens: string[], c: Counters, out: InputDifference[]): void {
  const realInputs = { ...(real.inputs ?? {}) };
  const defaults = new Set(Array.isArray(realInputs.__defaults) ? (realInputs.__defaults as unknown[]).filter((x): x is string => typeof x === "string") : []);
  for (const rule of REAL_ONLY_INPUTS) {
    if (rule.key in realInputs && (!rule.types || rule.types.test(r.type))) {
      delete realInputs[rule.key];
      c.skipped.realOnly++;
    }
  }
  const offlineInputs = { ...r.inputs };
  if (r.type === "pulumi-nodejs:dynamic:Resource") delete offlineInputs.__provider;
  for (const k of Object.keys(realInputs)) {
    if (!(k in offlineInputs) && defaults.has(k)) {
      delete realInputs[k];
      c.skipped.providerDefault++;
    }
  }
  compareValues(r.urn, "", offlineInputs, realInputs, tokens, c, out);
}

/**
 * Compares one stack's offline plan with its real preview. `tokens` are the simulated values to
 * discount (by default this stack's; the CLI passes those of every planned stack, since a stack
 * reads others' simulated outputs through stack references).
 */
export function compareStack(offline: OfflineStack, preview: PreviewDigest, tokens: string[] = simulatedTokens(offline.resources)): StackComparison {
  const counters: Counters = { skipped: { unknown: 0, secret: 0, asset: 0, providerDefault: 0, realOnly: 0 }, simulated: 0 };
  const byUrn = new Map(offline.resources.map((r) => [r.urn, r]));
  const realStates = new Map<string, { state: ResourceState; op: string }>();
  const operations: StackComparison["operations"] = [];
  for (const s of preview.steps) {
    if (s.op !== "same") {
      const reasons = s.op.includes("replace") ? s.replaceReasons : s.diffReasons;
      operations.push(reasons && reasons.length > 0 ? { op: s.op, urn: s.urn, reasons: [...reasons].sort() } : { op: s.op, urn: s.urn });
    }
    if (REMOVALS.has(s.op)) continue;
    const state = s.newState ?? s.oldState!;
    realStates.set(s.urn, { state, op: s.op });
  }
  operations.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : a.op < b.op ? -1 : 1));
  const differingInputs: InputDifference[] = [];
  const onlyReal: StackComparison["onlyReal"] = [];
  let both = 0;
  for (const [urn, { state, op }] of [...realStates].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const r = byUrn.get(urn);
    if (!r) {
      onlyReal.push({ urn, type: state.type, op });
      continue;
    }
    both++;
    compareInputs(r, state, tokens, counters, differingInputs);
  }
  const missing = offline.resources.filter((r) => !realStates.has(r.urn)).map((r) => ({ urn: r.urn, type: r.type }));
  missing.sort((a, b) => (a.urn < b.urn ? -1 : 1));
  // Without --show-sames the preview lists no unchanged resource but counts them: offline-only
  // resources up to that count may be unchanged ones, so they are reported as not listed. More
  // offline-only resources than that cannot all be unchanged: then every one is reported.
  const listedSames = preview.steps.filter((s) => s.op === "same").length;
  const unlistedSames = Math.max(0, (preview.changeSummary.same ?? 0) - listedSames);
  const allUnlisted = missing.length > 0 && missing.length <= unlistedSames;
  const result: StackComparison = {
    stack: offline.stack,
    offline: offline.resources.length,
    real: realStates.size,
    both,
    onlyReal,
    onlyOffline: allUnlisted ? [] : missing,
    unlisted: allUnlisted ? missing : [],
    differingInputs,
    simulatedIdentifiers: counters.simulated,
    skipped: counters.skipped,
    operations,
    agrees: false,
  };
  result.agrees = result.onlyReal.length === 0 && result.onlyOffline.length === 0 && result.differingInputs.length === 0;
  return result;
}

export interface ComparisonReport {
  /** Stacks with a real preview, in the order given. */
  stacks: StackComparison[];
  /** Stacks of the offline plan without a real preview. */
  notCompared: string[];
  agrees: boolean;
}

export function buildReport(stacks: StackComparison[], planned: string[]): ComparisonReport {
  const compared = new Set(stacks.map((s) => s.stack));
  return { stacks, notCompared: planned.filter((s) => !compared.has(s)).sort(), agrees: stacks.every((s) => s.agrees) };
}

function totals(r: ComparisonReport) {
  const sum = (f: (s: StackComparison) => number) => r.stacks.reduce((n, s) => n + f(s), 0);
  return {
    both: sum((s) => s.both),
    union: sum((s) => s.both + s.onlyReal.length + s.onlyOffline.length + s.unlisted.length),
    onlyReal: sum((s) => s.onlyReal.length),
    onlyOffline: sum((s) => s.onlyOffline.length),
    unlisted: sum((s) => s.unlisted.length),
    differing: sum((s) => s.differingInputs.length),
  };
}

/** The one line the pull-request comment and the deploy job summary carry. */
export function summaryLine(r: ComparisonReport): string {
  const t = totals(r);
  const names = r.stacks.map((s) => s.stack).join(", ");
  const unlisted = t.unlisted > 0 ? `; ${t.unlisted} not listed by the preview (run it with --show-sames)` : "";
  const verdict = r.agrees
    ? `offline plan agrees with the real preview: ${t.both}/${t.union} resources, ${t.differing} differing inputs`
    : `offline plan differs from the real preview: ${t.both}/${t.union} resources in both, ${t.onlyReal} only in the real preview, ${t.onlyOffline} only offline, ${t.differing} differing inputs`;
  return `${verdict} (${names})${unlisted}`;
}

const show = (v: unknown) => {
  const s = v === undefined ? "(absent)" : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/** A Markdown code span that survives backticks in the value. */
const code = (s: string) => (s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``);

function opsLine(s: StackComparison): string {
  const counts = new Map<string, number>();
  for (const o of s.operations) counts.set(o.op, (counts.get(o.op) ?? 0) + 1);
  return counts.size === 0 ? "no changes" : [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([op, n]) => `${op} ${n}`).join(", ");
}

const opText = (o: StackComparison["operations"][number]) => `${o.op} ${o.urn}${o.reasons ? ` (${o.reasons.join(", ")})` : ""}`;

export function renderText(r: ComparisonReport): string {
  const lines: string[] = [];
  for (const s of r.stacks) {
    lines.push(`${s.stack}: ${s.agrees ? "agrees" : "DIFFERS"} — ${s.both} in both, ${s.onlyReal.length} only in the real preview, ${s.onlyOffline.length} only offline, ${s.differingInputs.length} differing inputs`);
    lines.push(`    real preview proposes: ${opsLine(s)}`);
    for (const o of s.operations) lines.push(`        ${opText(o)}`);
    for (const x of s.onlyReal) lines.push(`    only in the real preview (${x.op}): ${x.urn}`);
    for (const x of s.onlyOffline) lines.push(`    only offline: ${x.urn}`);
    if (s.unlisted.length > 0) lines.push(`    ${s.unlisted.length} resource(s) not listed by the preview (unchanged; run pulumi preview --json --show-sames to compare them)`);
    for (const d of s.differingInputs) lines.push(`    input ${d.urn} ${d.path}: offline ${show(d.offline)}, real ${show(d.real)}`);
    const k = s.skipped;
    lines.push(`    not compared: ${k.unknown} unknown until apply, ${k.secret} secret, ${k.asset} asset/archive, ${k.providerDefault} provider default, ${k.realOnly} real-only (${REAL_ONLY_INPUTS.map((x) => x.key).join(", ")}); ${s.simulatedIdentifiers} value(s) differ only in simulated ids`);
  }
  for (const n of r.notCompared) lines.push(`${n}: not compared (no real preview)`);
  lines.push("", summaryLine(r));
  return lines.join("\n") + "\n";
}

export function renderMarkdown(r: ComparisonReport): string {
  const head = `${r.agrees ? "✅" : "⚠️"} ${summaryLine(r)}`;
  if (r.agrees && r.stacks.every((s) => s.unlisted.length === 0)) return head + "\n";
  const body: string[] = [];
  for (const s of r.stacks) {
    body.push(`**${s.stack}** (${opsLine(s)})`, "");
    for (const x of s.onlyReal) body.push(`- only in the real preview (${x.op}): ${code(x.urn)}`);
    for (const x of s.onlyOffline) body.push(`- only offline: ${code(x.urn)}`);
    if (s.unlisted.length > 0) body.push(`- ${s.unlisted.length} resource(s) not listed by the preview (run it with \`--show-sames\`)`);
    for (const d of s.differingInputs) body.push(`- ${code(d.urn)} ${code(d.path)}: offline ${code(show(d.offline))}, real ${code(show(d.real))}`);
    body.push("");
  }
  if (r.notCompared.length > 0) body.push(`Not compared (no real preview): ${r.notCompared.join(", ")}`, "");
  return `${head}\n\n<details><summary>Differences between the offline plan and the real preview</summary>\n\n${body.join("\n")}\n</details>\n`;
}

export function renderJson(r: ComparisonReport): string {
  return JSON.stringify({ agrees: r.agrees, summary: summaryLine(r), stacks: r.stacks, notCompared: r.notCompared }, null, 2) + "\n";
}
