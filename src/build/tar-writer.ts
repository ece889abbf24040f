import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { comparePaths, type LayerEntry } from './layer-entry.js';

/** READ_AHEAD files of at most READ_AHEAD_MAX bytes are read ahead of the tar writer. */
const READ_AHEAD = 16;
const READ_AHEAD_MAX = 1 << 20;

/** LayerTarOptions: `epoch` (SOURCE_DATE_EPOCH) clamps every mtime to at most that second. */
export interface LayerTarOptions {
  epoch?: number;
}

/**
 * writeLayerTar writes entries as an OCI layer tar: sorted by path, numeric uid/gid with empty
 * user and group names, mtimes clamped to the epoch when set; big files are streamed from disk and
 * small ones read a few ahead (at most 16 MiB held), so a layer is never held in memory. The returned stream fails (destroyed
 * with the error) if a source file cannot be read or changed size while being written.
 */
export function writeLayerTar(entries: LayerEntry[], opts: LayerTarOptions = {}): Readable {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const pack = tar.pack();
  // Small files are read ahead, a few at once: reading them one by one in tar order left every
  // open/read/close round trip on the critical path (20,000 files: most of a COPY's time).
  const ahead = new Map<number, Promise<Buffer>>();
  let next = 0;
  const readAhead = (upTo: number): void => {
    for (; next < Math.min(upTo, sorted.length); next++) {
      const e = sorted[next]!;
      if (e.type !== 'file' || e.content?.kind !== 'file' || (e.size ?? 0) > READ_AHEAD_MAX) continue;
      const p = readFile(e.content.abs);
      p.catch(() => undefined); // awaited in order below
      ahead.set(next, p);
    }
  };
  void (async () => {
    for (const [i, e] of sorted.entries()) {
      readAhead(i + READ_AHEAD);
      const mtime = opts.epoch !== undefined ? Math.min(e.mtime, opts.epoch) : e.mtime;
      const header: tar.Header = {
        name: e.type === 'dir' ? `${e.path}/` : e.path,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        mtime: new Date(mtime * 1000),
        uname: '',
        gname: '',
        type: tarType(e.type),
        size: e.type === 'file' ? (e.size ?? 0) : 0,
        linkname: e.linkname ?? '',
        devmajor: e.devmajor ?? 0,
        devminor: e.devminor ?? 0,
      };
      const early = ahead.get(i);
      if (early) {
        ahead.delete(i);
        const data = await early;
        if (data.length !== header.size) throw new Error(`${e.path}: size changed while the layer was written`);
        await new Promise<void>((res, rej) => pack.entry(header, data, (err) => (err ? rej(err) : res())));
      } else if (e.type === 'file' && e.content?.kind === 'file') {
        const sink = pack.entry(header);
        await pipeline(createReadStream(e.content.abs), sink);
      } else {
        const data = e.type === 'file' && e.content?.kind === 'bytes' ? e.content.data : Buffer.alloc(0);
        await new Promise<void>((res, rej) => pack.entry(header, data, (err) => (err ? rej(err) : res())));
      }
    }
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  // tar-stream's pack is a streamx stream; hand callers a Node Readable.
  return Readable.from(pack);
}

function tarType(t: LayerEntry['type']): tar.Header['type'] {
  switch (t) {
    case 'file':
      return 'file';
    case 'dir':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'hardlink':
      return 'link';
    case 'fifo':
      return 'fifo';
    case 'char':
      return 'character-device';
    case 'block':
      return 'block-device';
  }
}

/** tarToBuffer collects a small tar (tests only). */
export async function streamToBuffer(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
