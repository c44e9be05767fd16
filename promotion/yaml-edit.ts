/**
 * Edits a stack file (`stacks/Pulumi.<stack>.yaml`) through the `yaml` library's Document API, so
 * comments, key order, quoting and blank lines survive, and only the one value changes.
 */
import { isScalar, parseDocument, Scalar } from "yaml";

/** The project's config namespace in stack files. */
export const CONFIG_NAMESPACE = "ml-landing-zone";

/** Path of a model's version ARN inside a stack file. */
export function modelVersionPath(model: string): string[] {
  return ["config", `${CONFIG_NAMESPACE}:models`, model, "versionArn"];
}

/**
 * Returns `text` with `config["ml-landing-zone:models"][model].versionArn` set to `arn`.
 * The scalar keeps its quoting style and any trailing comment. Throws (naming `file` and the key)
 * when the file does not parse, the key is missing or is not a plain value, or when serialising
 * would change anything but that one line.
 */
export function setModelVersion(text: string, file: string, model: string, arn: string): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    throw new Error(`${file}: cannot parse YAML: ${doc.errors[0].message}`);
  }
  const path = modelVersionPath(model);
  const key = `${CONFIG_NAMESPACE}:models.${model}.versionArn`;
  const node = doc.getIn(path, true);
  if (node === undefined) {
    throw new Error(`${file}: key '${key}' not found`);
  }
  if (!isScalar(node) || typeof node.value !== "string") {
    throw new Error(`${file}: key '${key}' must be a string value`);
  }
  const next = new Scalar(arn);
  next.type = node.type;
  next.comment = node.comment;
  next.commentBefore = node.commentBefore;
  doc.setIn(path, next);
  const out = doc.toString({ lineWidth: 0 });
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
