/**
 * Differences between plans: what a pull request changes. Resources are matched by URN; a changed
 * resource lists the input paths whose values differ.
 */
import { decodeJson } from "../lib/json";
import { SECRET_PLACEHOLDER } from "../stacks/config";
import { classifyChange } from "./replacements";
import * as fs from "node:fs";
import * as path from "node:path";
import { stableStringify } from "./planner";
import type { PlannedResource, ResourceChange, StackDiff, StackPlan } from "../lib/plan-model";
export type { ResourceChange, StackDiff } from "../lib/plan-model";

/** Reads base plans written by `--out`. Returns stack → plan. */
export function readPlans(dir: string): Map<string, StackPlan> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`--diff ${dir}: no such directory (write base plans with --out first)`);
  }
  const plans = new Map<string, StackPlan>();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const full = path.join(dir, f);
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(full, "utf8"));
    } catch (e) {
      throw new Error(`--diff ${dir}: ${f} is not valid JSON: ${(e as Error).message}`);
    }
    const p = data as Partial<StackPlan>;
    if (typeof p.stack !== "string" || !Array.isArray(p.resources)) {
      throw new Error(`--diff ${dir}: ${f} is not a stack plan (expected 'stack' and 'resources')`);
    }
    plans.set(p.stack, p as StackPlan);
  }
  return plans;
}

/** Paths at which two JSON values differ (objects by key, arrays by index, JSON strings parsed). */
export function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
  const x = decodeJson(a);
  const y = decodeJson(b);
  if (stableStringify(x) === stableStringify(y)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === "object";
  if (Array.isArray(x) && Array.isArray(y)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(x.length, y.length); i++) out.push(...changedPaths(x[i], y[i], `${prefix}[${i}]`));
    return out;
  }
  if (isObj(x) && isObj(y) && !Array.isArray(x) && !Array.isArray(y)) {
    const keys = [...new Set([...Object.keys(x as object), ...Object.keys(y as object)])].sort();
    const out: string[] = [];
    for (const k of keys) {
      out.push(...changedPaths((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
    }
    return out;
  }
  return [prefix || "(value)"];
}

export function diffStack(base: StackPlan | undefined, head: StackPlan): StackDiff {
  const before = new Map<string, PlannedResource>((base?.resources ?? []).map((r) => [r.urn, r]));
  const after = new Map<string, PlannedResource>(head.resources.map((r) => [r.urn, r]));
  const brief = (r: PlannedResource) => ({ urn: r.urn, type: r.type, name: r.name });
  const added = head.resources.filter((r) => !before.has(r.urn)).map((r) => ({ ...brief(r), ...(r.importId ? { import: true } : {}) }));
  const removed = (base?.resources ?? []).filter((r) => !after.has(r.urn)).map(brief);
  const changed: ResourceChange[] = [];
  for (const r of head.resources) {
    const b = before.get(r.urn);
    if (!b) continue;
    const paths = changedPaths(b.inputs, r.inputs);
    if (paths.length === 0) continue;
    const secret = (p: string) => [...(b.secretInputs ?? []), ...(r.secretInputs ?? [])].some((s) => p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`));
    const values = paths.map((p) => secret(p)
      ? { path: p, old: SECRET_PLACEHOLDER, new: SECRET_PLACEHOLDER }
      : { path: p, old: valueAtPath(b.inputs, p), new: valueAtPath(r.inputs, p) });
    changed.push({ ...brief(r), paths, ...classifyChange(r.type, paths), values });
  }
  const outputKeys = [...new Set([...Object.keys(base?.outputs ?? {}), ...Object.keys(head.outputs)])].sort();
  const outputs = outputKeys.filter((k) => stableStringify(base?.outputs?.[k]) !== stableStringify(head.outputs[k]));
  return { stack: head.stack, newStack: base === undefined, added, removed, changed, outputs };
}

/** The value at a path `changedPaths` returned (`a.b[0].c`; JSON strings are looked into). */
export function valueAtPath(root: unknown, path: string): unknown {
  if (path === "(value)") return decodeJson(root);
  let v: unknown = decodeJson(root);
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    v = decodeJson(v);
    if (v === null || typeof v !== "object") return undefined;
    v = part.startsWith("[") ? (v as unknown[])[Number(part.slice(1, -1))] : (v as Record<string, unknown>)[part];
  }
  return decodeJson(v);
}

/** Counts like `pulumi preview`'s summary. */
export function diffCounts(d: StackDiff): { create: number; import: number; update: number; replace: number; delete: number } {
  const real = (t: string) => t !== "pulumi:pulumi:StackReference";
  return {
    create: d.added.filter((r) => real(r.type) && !r.import).length,
    import: d.added.filter((r) => r.import).length,
    update: d.changed.filter((r) => real(r.type) && r.kind !== "replace").length,
    replace: d.changed.filter((r) => real(r.type) && r.kind === "replace").length,
    delete: d.removed.filter((r) => real(r.type)).length,
  };
}

export function isEmptyDiff(d: StackDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0 && d.outputs.length === 0;
}
