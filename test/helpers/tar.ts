import { Readable } from 'node:stream';
import { pack, type Header } from 'tar-stream';

/** TarEntry is a file (string content) or a full tar header with optional content. */
export type TarEntry = string | Buffer | { header: Partial<Omit<Header, 'name'>>; content?: string | Buffer };

/** createTar makes a small tar stream in memory (for tests): name → content or header. */
export function createTar(files: Record<string, TarEntry>): Readable {
  const p = pack();
  for (const [name, e] of Object.entries(files)) {
    if (typeof e === 'string' || Buffer.isBuffer(e)) p.entry({ name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, e);
    else p.entry({ mtime: new Date(0), mode: 0o644, ...e.header, name }, e.content ?? '');
  }
  p.finalize();
  return Readable.from(p);
}

/** tarBuffer collects createTar's output. */
export async function tarBuffer(files: Record<string, TarEntry>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of createTar(files)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
