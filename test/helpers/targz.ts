import { gzipSync } from "node:zlib";
import * as tar from "tar-stream";

export interface ArchiveFile {
  name: string;
  content: string | Buffer;
}

/** An uncompressed tar archive of the given files. */
export async function tarball(files: ArchiveFile[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const f of files) pack.entry({ name: f.name }, f.content);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** A gzipped tar archive of the given files, as Comprehend writes its job output (`output.tar.gz`). */
export async function targz(files: ArchiveFile[]): Promise<Buffer> {
  return gzipSync(await tarball(files));
}
