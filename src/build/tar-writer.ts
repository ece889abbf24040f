import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { comparePaths, type LayerEntry } from './layer-entry.js';

/** LayerTarOptions: `epoch` (SOURCE_DATE_EPOCH) clamps every mtime to at most that second. */
export interface LayerTarOptions {
  epoch?: number;
}

/**
 * writeLayerTar writes entries as an OCI layer tar: sorted by path, numeric uid/gid with empty
 * user and group names, mtimes clamped to the epoch when set; file contents are streamed from
 * disk one at a time, so a layer is never held in memory. The returned stream fails (destroyed
 * with the error) if a source file cannot be read or changed size while being written.
 */
export function writeLayerTar(entries: LayerEntry[], opts: LayerTarOptions = {}): Readable {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const pack = tar.pack();
  void (async () => {
    for (const e of sorted) {
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
      if (e.type === 'file' && e.content?.kind === 'file') {
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
