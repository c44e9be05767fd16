/**
 * Turns a Comprehend entities-detection job's output archive (`output.tar.gz`) into one JSON index
 * per document: every entity with its type, text, score, page and position on the page.
 *
 * For semi-structured input (PDF, Word; one document per file) the archive holds one JSON file per
 * document (named after the input file, `.out`), each with `File`, `Entities` (with
 * `BlockReferences`), `Blocks` (PAGE/LINE/WORD with `Page` and `Geometry.BoundingBox`) and
 * possibly page-level `Errors`. An entity's page is the page of the blocks it references; its
 * position is the union of the bounding boxes of the words it covers (the referenced child blocks,
 * or the line when it has none), in page fractions (0–1), as Textract gives them.
 *
 * All or nothing: the whole archive is read and checked first; any problem (not gzip, a truncated
 * archive, a file that is not JSON, an entity without type/text/score, a reference to a block the
 * document does not have, a document with page errors) is reported with its file name and
 * nothing is written, so a consumer never sees a half-written or partial job. Pure.
 */
import { gunzipSync } from "node:zlib";
import { Readable } from "node:stream";
import * as tar from "tar-stream";

export interface Position {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface IndexedEntity {
  type: string;
  text: string;
  score: number;
  /** Page number from 1. */
  page: number;
  /** Bounding box on the page, in fractions of the page's width and height. */
  position: Position;
}

export interface DocumentIndex {
  /** The input file's name, as Comprehend reports it (`File`). */
  document: string;
  /** Pages of the document (`DocumentMetadata.Pages`), when reported. */
  pages?: number;
  /** Entities in the order Comprehend lists them. */
  entities: IndexedEntity[];
}

export class OutputError extends Error {
  constructor(public readonly problems: string[]) {
    super(`the job output is bad or partial; nothing was written: ${problems.join("; ")}`);
    this.name = "OutputError";
  }
}

/** Every regular file of a .tar.gz, in archive order. Throws on bad gzip or a truncated tar. */
export async function readTarGz(archive: Buffer): Promise<{ name: string; content: Buffer }[]> {
  let tarBytes: Buffer;
  try {
    tarBytes = gunzipSync(archive);
  } catch (err) {
    throw new OutputError([`the archive is not a complete gzip file (${(err as Error).message})`]);
  }
  const files: { name: string; content: Buffer }[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on("data", (d: unknown) => parts.push(d as Buffer));
      stream.on("end", () => {
        if (header.type === "file" || header.type === "contiguous-file") files.push({ name: header.name, content: Buffer.concat(parts) });
        next();
      });
      stream.on("error", reject);
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  Readable.from([tarBytes]).pipe(extract);
  try {
    await done;
  } catch (err) {
    throw new OutputError([`the archive is not a complete tar file (${(err as Error).message})`]);
  }
  return files;
}

interface Block {
  Id?: string;
  BlockType?: string;
  Page?: number;
  Geometry?: { BoundingBox?: { Left?: number; Top?: number; Width?: number; Height?: number } };
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Builds one document's index from its output JSON; returns problems instead of throwing. */
export function indexDocument(file: string, doc: unknown): { index?: DocumentIndex; problems: string[] } {
  const problems: string[] = [];
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return { problems: [`${file}: expected a JSON object`] };
  const d = doc as Record<string, unknown>;
  const name = typeof d.File === "string" && d.File !== "" ? d.File : undefined;
  if (!name) problems.push(`${file}: File is missing`);
  if (Array.isArray(d.Errors) && d.Errors.length > 0) {
    problems.push(`${file}: Comprehend reported ${d.Errors.length} page error(s): ${d.Errors.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if (!Array.isArray(d.Entities)) problems.push(`${file}: Entities is missing`);
  if (!Array.isArray(d.Blocks)) problems.push(`${file}: Blocks is missing (was the document analysed as semi-structured, one document per file?)`);
  if (problems.length > 0) return { problems };

  const blocks = new Map<string, Block>();
  for (const b of d.Blocks as Block[]) if (b && typeof b.Id === "string") blocks.set(b.Id, b);
  const entities: IndexedEntity[] = [];
  (d.Entities as Record<string, unknown>[]).forEach((e, i) => {
    const where = `${file}: Entities[${i}]`;
    if (!e || typeof e.Type !== "string" || typeof e.Text !== "string" || !isNum(e.Score)) {
      problems.push(`${where}: expected Type, Text and a numeric Score`);
      return;
    }
    const refs = Array.isArray(e.BlockReferences) ? (e.BlockReferences as Record<string, unknown>[]) : [];
    if (refs.length === 0) {
      problems.push(`${where} (${e.Type}): has no BlockReferences`);
      return;
    }
    const boxes: Block[] = [];
    for (const ref of refs) {
      const line = blocks.get(String(ref?.BlockId));
      if (!line) {
        problems.push(`${where} (${e.Type}): references block ${String(ref?.BlockId)}, which the document does not have`);
        return;
      }
      const children = Array.isArray(ref.ChildBlocks) ? (ref.ChildBlocks as Record<string, unknown>[]) : [];
      if (children.length === 0) boxes.push(line);
      for (const c of children) {
        const word = blocks.get(String(c?.ChildBlockId));
        if (!word) {
          problems.push(`${where} (${e.Type}): references block ${String(c?.ChildBlockId)}, which the document does not have`);
          return;
        }
        boxes.push(word);
      }
    }
    const pages = new Set(boxes.map((b) => b.Page));
    const page = boxes[0].Page;
    if (!isNum(page) || pages.size !== 1) {
      problems.push(`${where} (${e.Type}): its blocks give no single page (${[...pages].join(", ")})`);
      return;
    }
    let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    for (const b of boxes) {
      const bb = b.Geometry?.BoundingBox;
      if (!bb || !isNum(bb.Left) || !isNum(bb.Top) || !isNum(bb.Width) || !isNum(bb.Height)) {
        problems.push(`${where} (${e.Type}): block ${b.Id} has no bounding box`);
        return;
      }
      left = Math.min(left, bb.Left);
      top = Math.min(top, bb.Top);
      right = Math.max(right, bb.Left + bb.Width);
      bottom = Math.max(bottom, bb.Top + bb.Height);
    }
    entities.push({ type: e.Type, text: e.Text, score: e.Score, page, position: { left, top, width: right - left, height: bottom - top } });
  });
  if (problems.length > 0) return { problems };
  const pagesRaw = (d.DocumentMetadata as { Pages?: unknown } | undefined)?.Pages;
  const pages = pagesRaw === undefined ? undefined : Number(pagesRaw);
  return { index: { document: name!, ...(Number.isInteger(pages) ? { pages } : {}), entities }, problems };
}

/** Reads an archive and indexes every document; throws `OutputError` listing every problem. */
export async function indexArchive(archive: Buffer): Promise<DocumentIndex[]> {
  const files = await readTarGz(archive);
  const problems: string[] = [];
  const indexes: DocumentIndex[] = [];
  const seen = new Set<string>();
  if (files.length === 0) throw new OutputError(["the archive holds no document output"]);
  for (const f of files) {
    let json: unknown;
    try {
      json = JSON.parse(f.content.toString("utf8"));
    } catch (err) {
      problems.push(`${f.name}: is not JSON (${(err as Error).message})`);
      continue;
    }
    const r = indexDocument(f.name, json);
    problems.push(...r.problems);
    if (r.index) {
      if (seen.has(r.index.document)) problems.push(`${f.name}: document '${r.index.document}' appears twice`);
      seen.add(r.index.document);
      indexes.push(r.index);
    }
  }
  if (problems.length > 0) throw new OutputError(problems);
  return indexes;
}

/**
 * Where the indexes of a job go: `<indexPrefix><job folder>/<document>.json`, the job folder being
 * the one Comprehend wrote the archive in (`<account>-NER-<job id>`).
 */
export function indexKeys(archiveKey: string, indexPrefix: string, documents: readonly DocumentIndex[]): string[] {
  const m = /(?:^|\/)([^/]+)\/output\/output\.tar\.gz$/.exec(archiveKey);
  if (!m) throw new Error(`'${archiveKey}' is not a Comprehend job archive (<prefix><account>-NER-<job id>/output/output.tar.gz)`);
  return documents.map((d) => `${indexPrefix}${m[1]}/${d.document}.json`);
}
