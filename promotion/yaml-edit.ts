/**
 * Edits a stack file (`stacks/Pulumi.<stack>.yaml`) through the `yaml` library's Document API, so
 * comments, key order, quoting and blank lines survive, and only the one value changes.
 */
import { type Document, isAlias, isMap, isNode, isScalar, parseDocument, Scalar, visit } from "yaml";

/** The project's config namespace in stack files. */
export const CONFIG_NAMESPACE = "ml-landing-zone";

/** Path of a model's version ARN inside a stack file. */
export function modelVersionPath(model: string): string[] {
  return ["config", `${CONFIG_NAMESPACE}:models`, model, "versionArn"];
}

/** How a text file ends its lines, whether it starts with a byte-order mark and ends with a newline. */
export interface TextLayout {
  readonly eol: "\n" | "\r\n";
  readonly bom: boolean;
  readonly finalNewline: boolean;
}

/**
 * Detects `text`'s layout. Throws (naming `file`) when it mixes CRLF and LF line endings or holds a
 * bare CR, since no single line ending could be restored after the edit.
 */
export function detectLayout(text: string, file: string): TextLayout {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const crlf = (body.match(/\r\n/g) ?? []).length;
  const lf = (body.match(/\n/g) ?? []).length - crlf;
  const cr = (body.match(/\r/g) ?? []).length - crlf;
  if (cr > 0) {
    throw new Error(`${file}: refusing to edit: the file holds ${cr} bare CR (\\r) line ending(s); use LF or CRLF throughout`);
  }
  if (crlf > 0 && lf > 0) {
    throw new Error(`${file}: refusing to edit: the file mixes line endings (${crlf} CRLF, ${lf} LF); use one throughout`);
  }
  return { eol: crlf > 0 ? "\r\n" : "\n", bom: body !== text, finalNewline: body.length === 0 || body.endsWith("\n") };
}

/** `text` without a byte-order mark and with LF line endings (the form the YAML serialiser writes). */
function normalise(text: string, layout: TextLayout): string {
  const body = layout.bom ? text.slice(1) : text;
  return layout.eol === "\r\n" ? body.replace(/\r\n/g, "\n") : body;
}

/** Puts `layout` back on LF text produced by the serialiser (which always ends with a newline). */
function restore(text: string, layout: TextLayout): string {
  let out = layout.finalNewline ? text : text.replace(/\n$/, "");
  if (layout.eol === "\r\n") out = out.replace(/\n/g, "\r\n");
  return layout.bom ? `\uFEFF${out}` : out;
}

/** Anchor names that some alias in `doc` refers to. */
function aliasedAnchors(doc: Document): Set<string> {
  const used = new Set<string>();
  visit(doc, {
    Alias(_key, alias) {
      used.add(alias.source);
    },
  });
  return used;
}

/**
 * Serialises an edited document; an error of the YAML library (e.g. "Unresolved alias …") is
 * reported naming `file` and the edited `key` instead of escaping bare.
 */
export function serialiseEdited(doc: Document, file: string, key: string): string {
  try {
    return doc.toString({ lineWidth: 0 });
  } catch (e) {
    throw new Error(`${file}: cannot write '${key}': serialising the edited YAML failed: ${(e as Error).message}`);
  }
}

/**
 * Returns `text` with `config["ml-landing-zone:models"][model].versionArn` set to `arn`.
 * The scalar keeps its quoting style, anchor and any trailing comment; the file keeps its line
 * endings (LF or CRLF), byte-order mark and final-newline state. Throws (naming `file` and the key)
 * when the file does not parse or mixes line endings, the key is missing, is not a plain value or
 * is reached through an alias, when the value (or a map holding it) carries an anchor that an
 * alias elsewhere refers to (editing it would silently change those too), when serialising fails,
 * or when serialising would change anything but that one line.
 */
export function setModelVersion(text: string, file: string, model: string, arn: string): string {
  const layout = detectLayout(text, file);
  const source = normalise(text, layout);
  const doc = parseDocument(source, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    throw new Error(`${file}: cannot parse YAML: ${doc.errors[0].message}`);
  }
  const path = modelVersionPath(model);
  const key = `${CONFIG_NAMESPACE}:models.${model}.versionArn`;
  const used = aliasedAnchors(doc);
  // Walk the path node by node: an alias on the way, or an anchor that an alias refers to, means
  // the edit would not stay on this one model.
  let current: unknown = doc.contents;
  for (let depth = 0; depth < path.length; depth++) {
    const where = depth === path.length - 1 ? "the value" : `the map '${depth === 0 ? "config" : path.slice(1, depth + 1).join(".")}'`;
    if (!isMap(current)) {
      throw new Error(`${file}: key '${key}' not found`);
    }
    const child: unknown = current.get(path[depth], true);
    if (child === undefined) {
      throw new Error(`${file}: key '${key}' not found`);
    }
    if (isAlias(child)) {
      throw new Error(
        `${file}: key '${key}' cannot be edited: ${where} is the alias *${child.source} to a node defined elsewhere; write it out in place of the alias first`,
      );
    }
    if (isNode(child) && child.anchor !== undefined && used.has(child.anchor)) {
      throw new Error(
        `${file}: key '${key}' cannot be edited: ${where} carries the anchor &${child.anchor} that an alias (*${child.anchor}) elsewhere refers to, so the edit would change that value too; replace the alias with its own value first`,
      );
    }
    current = child;
  }
  const node = current;
  if (!isScalar(node) || typeof node.value !== "string") {
    throw new Error(`${file}: key '${key}' must be a string value`);
  }
  const next = new Scalar(arn);
  next.type = node.type;
  next.anchor = node.anchor;
  next.tag = node.tag;
  next.comment = node.comment;
  next.commentBefore = node.commentBefore;
  doc.setIn(path, next);
  const out = restore(serialiseEdited(doc, file, key), layout);
  const changed = changedLines(text, out);
  if (changed.length !== 1) {
    throw new Error(
      `${file}: refusing to write: editing '${key}' would change ${changed.length} lines (expected exactly 1)`,
    );
  }
  return out;
}

/** Reads `config["ml-landing-zone:models"][model].versionArn` from stack-file text, if present. */
export function getModelVersion(text: string, model: string): string | undefined {
  const doc = parseDocument(text);
  const v = doc.getIn(modelVersionPath(model));
  return typeof v === "string" ? v : undefined;
}

/** 1-based line numbers that differ between `a` and `b` (same line count expected; otherwise all lines after the first difference count). */
export function changedLines(a: string, b: string): number[] {
  const la = a.split("\n");
  const lb = b.split("\n");
  const out: number[] = [];
  const n = Math.max(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    if (la[i] !== lb[i]) out.push(i + 1);
  }
  return out;
}

/** One value to set in a stack file: `path` from the document root, e.g. `["config", "ml-landing-zone:accounts", "ml", "id"]`. */
export interface StackFileEdit {
  readonly path: readonly string[];
  readonly value: string | number | boolean | readonly string[];
}

/**
 * Returns `text` with every edit applied, through the same Document API as `setModelVersion`:
 * comments, key order, quoting and blank lines elsewhere survive, maps on the way are created when
 * missing, an unchanged value is left as it is, and the file keeps its line endings, byte-order mark
 * and final-newline state. Throws (naming `file` and the key) when the file does not parse, a map on
 * the way is an alias or not a map, or a value carries an anchor an alias refers to.
 */
export function editStackFile(text: string, file: string, edits: readonly StackFileEdit[]): string {
  const layout = detectLayout(text, file);
  const doc = parseDocument(normalise(text, layout));
  if (doc.errors.length > 0) throw new Error(`${file}: cannot parse YAML: ${doc.errors[0].message}`);
  const used = aliasedAnchors(doc);
  let changed = false;
  for (const edit of edits) {
    const key = edit.path.join(".");
    let current: unknown = doc.contents;
    for (let depth = 0; depth < edit.path.length; depth++) {
      if (current === undefined) break;
      if (!isMap(current)) throw new Error(`${file}: cannot write '${key}': '${edit.path.slice(0, depth).join(".")}' is not a map`);
      const child: unknown = current.get(edit.path[depth], true);
      if (isAlias(child)) throw new Error(`${file}: cannot write '${key}': '${edit.path.slice(0, depth + 1).join(".")}' is the alias *${child.source}; write it out first`);
      if (isNode(child) && child.anchor !== undefined && used.has(child.anchor)) {
        throw new Error(`${file}: cannot write '${key}': '${edit.path.slice(0, depth + 1).join(".")}' carries the anchor &${child.anchor} that an alias refers to`);
      }
      current = child;
    }
    const before = doc.getIn(edit.path as string[]);
    const same = Array.isArray(edit.value)
      ? isNode(current) && JSON.stringify((current as { toJSON(): unknown }).toJSON()) === JSON.stringify(edit.value)
      : before === edit.value;
    if (same) continue;
    if (isScalar(current) && !Array.isArray(edit.value)) {
      const next = new Scalar(edit.value);
      next.comment = current.comment;
      next.commentBefore = current.commentBefore;
      doc.setIn(edit.path as string[], next);
    } else {
      doc.setIn(edit.path as string[], doc.createNode(edit.value));
    }
    changed = true;
  }
  if (!changed) return text;
  return restore(serialiseEdited(doc, file, edits.map((e) => e.path.join(".")).join(", ")), layout);
}
