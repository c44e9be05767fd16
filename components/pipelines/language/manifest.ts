/**
 * Rewrites a SageMaker Ground Truth augmented manifest (JSON lines) for the bucket Comprehend
 * trains from: every `source-ref` becomes `s3://<bucket>/<sourcePrefix><file name>` and every
 * `<attribute>.annotation-ref` becomes `s3://<bucket>/<annotationsPrefix><file name>`, so the
 * manifest, the letters and the annotation files all live where the recognizer's data-access role
 * may read. Pure; a malformed line is reported with its number, never dropped.
 */

export interface ManifestRewrite {
  bucket: string;
  /** Prefix of the source documents (ends in `/`). */
  sourcePrefix: string;
  /** Prefix of the annotation files (ends in `/`). */
  annotationsPrefix: string;
  /** The labeling job's attribute name (the key holding `annotation-ref`). */
  attributeName: string;
}

export interface RewrittenManifest {
  /** The rewritten manifest, one JSON object per line, with a final newline. */
  text: string;
  /** Lines (documents) in it. */
  lines: number;
  /** Distinct labels of the manifest (`metadata.labels`), in first-seen order. */
  labels: string[];
}

const fileName = (uri: string) => uri.slice(uri.lastIndexOf("/") + 1);

export function rewriteManifest(text: string, r: ManifestRewrite, file = "manifest"): RewrittenManifest {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(r.bucket)) throw new Error(`[bucket] must be an S3 bucket name; got '${r.bucket}'`);
  for (const k of ["sourcePrefix", "annotationsPrefix"] as const) {
    if (!/^([^/]+\/)+$/.test(r[k])) throw new Error(`[${k}] must be a key prefix ending in '/'; got '${r[k]}'`);
  }
  const problems: string[] = [];
  const out: string[] = [];
  const labels: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let d: Record<string, any>;
    try {
      d = JSON.parse(line);
    } catch (e) {
      problems.push(`${where}: not JSON (${(e as Error).message})`);
      return;
    }
    const source = d?.["source-ref"];
    const ann = d?.[r.attributeName]?.["annotation-ref"];
    if (typeof source !== "string" || !/^s3:\/\/[^/]+\/.+[^/]$/.test(source)) {
      problems.push(`${where}: source-ref must be an s3:// object URI; got ${JSON.stringify(source)}`);
      return;
    }
    if (typeof ann !== "string" || !/^s3:\/\/[^/]+\/.+[^/]$/.test(ann)) {
      const attrs = Object.keys(d).filter((k) => d[k]?.["annotation-ref"] !== undefined);
      problems.push(`${where}: has no ${r.attributeName}.annotation-ref (attributes with annotations: ${attrs.join(", ") || "none"})`);
      return;
    }
    for (const l of Array.isArray(d.metadata?.labels) ? d.metadata.labels : []) if (!labels.includes(l)) labels.push(l);
    d["source-ref"] = `s3://${r.bucket}/${r.sourcePrefix}${fileName(source)}`;
    d[r.attributeName] = { ...d[r.attributeName], "annotation-ref": `s3://${r.bucket}/${r.annotationsPrefix}${fileName(ann)}` };
    out.push(JSON.stringify(d));
  });
  if (problems.length > 0) throw new Error(`the augmented manifest is malformed: ${problems.slice(0, 10).join("; ")}${problems.length > 10 ? `; and ${problems.length - 10} more` : ""}`);
  if (out.length === 0) throw new Error(`${file}: the augmented manifest holds no document`);
  return { text: `${out.join("\n")}\n`, lines: out.length, labels };
}
