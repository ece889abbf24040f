import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';

/** EntrySpec describes a test layer entry (built with tar-stream, independently of strata's writer). */
export interface EntrySpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

/** layerOf packs entries into a layer tar stream. */
export function layerOf(entries: EntrySpec[]): Readable {
  const p = pack();
  (async () => {
    for (const e of entries) {
      const type = e.type ?? 'file';
      await new Promise<void>((resolve, reject) => {
        const header = {
          name: e.name,
          type,
          mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
          uid: e.uid ?? 0,
          gid: e.gid ?? 0,
          mtime: new Date(1_600_000_000_000),
          ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
          ...(e.devmajor !== undefined ? { devmajor: e.devmajor, devminor: e.devminor ?? 0 } : {}),
          ...(e.pax ? { pax: e.pax } : {}),
        };
        const cb = (err?: Error | null) => (err ? reject(err) : resolve());
        p.entry(header, type === 'file' ? (e.content ?? '') : '', cb);
      });
    }
    p.finalize();
  })().catch((err) => p.destroy(err));
  return Readable.from(p as unknown as AsyncIterable<Buffer>);
}

/** ReadEntry: one entry of a produced layer, as the tests compare it. */
export interface ReadEntry {
  line: string;
  mtime: number;
}

/**
 * readLayer reads a layer back with tar-stream and describes each entry on one line:
 * `<type> <name> <mode> <uid>:<gid>` + ` -> link` + ` =content` (files) + ` {xattr=value}` + ` dev M:m`.
 */
export async function readLayer(layer: Readable): Promise<ReadEntry[]> {
  const x = extract();
  layer.pipe(x as unknown as NodeJS.WritableStream);
  const out: ReadEntry[] = [];
  for await (const e of x) {
    const h = e.header;
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    const pax = (h.pax ?? {}) as Record<string, string>;
    // tar-stream applies PAX path/linkpath/size but not uid/gid; Go's archive/tar (Docker) applies all.
    const uid = pax.uid ?? h.uid;
    const gid = pax.gid ?? h.gid;
    let line = `${h.type} ${h.name} ${(h.mode & 0o7777).toString(8)} ${uid}:${gid}`;
    if (h.uname || h.gname) line += ` NAMES(${h.uname}/${h.gname})`;
    if (h.type === 'symlink' || h.type === 'link') line += ` -> ${h.linkname}`;
    if (h.type === 'file') line += ` =${Buffer.concat(chunks).toString()}`;
    if (h.type === 'character-device' || h.type === 'block-device') line += ` dev ${h.devmajor}:${h.devminor}`;
    const xattrs = Object.keys(pax).filter((k) => k.startsWith('SCHILY.xattr.')).sort();
    if (xattrs.length) line += ` {${xattrs.map((k) => `${k.slice(13)}=${pax[k]}`).join(',')}}`;
    out.push({ line, mtime: h.mtime.getTime() / 1000 });
  }
  return out;
}

/** lines keeps only the description of each entry. */
export async function layerLines(layer: Readable): Promise<string[]> {
  return (await readLayer(layer)).map((e) => e.line);
}

/** sha256Of hashes a stream. */
export async function sha256Of(s: Readable): Promise<string> {
  const h = createHash('sha256');
  for await (const c of s) h.update(c as Buffer);
  return h.digest('hex');
}
