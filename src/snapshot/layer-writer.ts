import { readlinkSync, type Stats } from 'node:fs';
import { Readable } from 'node:stream';
import type { Change } from './changes.js';
import type { DiffEntry } from './types.js';
import { encodeTarHeader, TAR_END, tarPadding, type TarEntry } from './tar-header.js';
import { ByteBatch, emit, emitFile, SMALL_FILE_MAX, streamFileExact } from './tar-batch.js';
import { OVERLAY_PRIVATE, type XattrTree } from './xattrs.js';

/** ChangeSource: the changes in layer order and the xattrs of the changed files (by relative path). */
export interface ChangeSource {
  changes: AsyncIterable<Change>;
  xattrs: XattrTree;
}

/** LayerWriterOptions: the SOURCE_DATE_EPOCH clamp (defaults to the environment's). */
export interface LayerWriterOptions {
  sourceDateEpoch?: number;
  /** onEntry sees each entry as it is written (see DiffOptions.onEntry). */
  onEntry?: (entry: DiffEntry) => void;
}

/** sourceDateEpochFromEnv reads $SOURCE_DATE_EPOCH (whole seconds), or undefined when unset or malformed. */
export function sourceDateEpochFromEnv(): number | undefined {
  const v = process.env.SOURCE_DATE_EPOCH;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  // glibc's gnu_dev_major/minor on the 64-bit dev_t.
  const hi = Math.floor(rdev / 2 ** 32);
  const lo = rdev >>> 0;
  return { devmajor: ((lo >>> 8) & 0xfff) | ((hi & 0xfffff000) >>> 0), devminor: (lo & 0xff) | ((lo >>> 12) & 0xfffff00) };
}

function entryType(st: Stats): TarEntry['type'] | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are not archived
}

/** whiteoutName maps a deleted path to its OCI whiteout entry ("a/b" → "a/.wh.b"). */
export function whiteoutName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? `.wh.${path}` : `${path.slice(0, i)}/.wh.${path.slice(i + 1)}`;
}

/**
 * writeLayer turns a change stream (opened when the tar is first read) into an uncompressed OCI layer tar, streaming file contents: a file
 * seen again through another hard link (same device and inode) becomes a tar hard link to the first name.
 */
export function writeLayer(open: () => Promise<ChangeSource>, options: LayerWriterOptions = {}): Readable {
  const clamp = options.sourceDateEpoch ?? sourceDateEpochFromEnv();
  const mtimeOf = (st: Stats) => {
    const s = Math.floor(st.mtimeMs / 1000);
    return clamp !== undefined && s > clamp ? clamp : s;
  };
  const whiteoutMtime = clamp ?? 0;
  async function* generate(): AsyncGenerator<Buffer> {
    const links = new Map<string, string>();
    const out = new ByteBatch();
    const { changes, xattrs: allXattrs } = await open();
    for await (const c of changes) {
      if (c.kind !== 'add') options.onEntry?.({ kind: c.kind, path: c.path });
      if (c.kind === 'whiteout') {
        yield* emit(out, encodeTarHeader({ name: whiteoutName(c.path), type: 'file', mode: 0, uid: 0, gid: 0, size: 0, mtime: whiteoutMtime }));
      } else if (c.kind === 'opaque') {
        yield* emit(out, encodeTarHeader({ name: `${c.path}/.wh..wh..opq`, type: 'file', mode: 0, uid: 0, gid: 0, size: 0, mtime: whiteoutMtime }));
      } else {
        const st = c.stat;
        const type = entryType(st);
        if (type === undefined) continue;
        const xattrs = new Map([...(allXattrs.get(c.path) ?? [])].filter(([k]) => !OVERLAY_PRIVATE.test(k)));
        const entry: TarEntry = { name: c.path, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: mtimeOf(st) };
        if (xattrs.size > 0) entry.xattrs = xattrs;
        if (type === 'symlink') entry.linkname = readlinkSync(c.host);
        if (type === 'char' || type === 'block') Object.assign(entry, deviceNumbers(st.rdev));
        const id = `${st.dev}:${st.ino}`;
        const first = type === 'file' && st.nlink > 1 ? links.get(id) : undefined;
        if (options.onEntry) {
          const seen: DiffEntry = { kind: 'entry', path: c.path, type: first !== undefined ? 'link' : type, mode: entry.mode, uid: entry.uid, gid: entry.gid, size: type === 'file' ? st.size : 0, host: c.host };
          if (first !== undefined || entry.linkname !== undefined) seen.linkname = first ?? entry.linkname;
          options.onEntry(seen);
        }
        if (first !== undefined) {
          yield* emit(out, encodeTarHeader({ ...entry, type: 'link', linkname: first }));
        } else if (type === 'file') {
          if (st.nlink > 1) links.set(id, c.path);
          entry.size = st.size;
          yield* emit(out, encodeTarHeader(entry));
          if (st.size <= SMALL_FILE_MAX) yield* emitFile(out, c.host, st.size, false);
          else {
            if (out.length > 0) yield out.take();
            yield* streamFileExact(c.host, st.size);
          }
          yield* emit(out, tarPadding(st.size));
        } else {
          yield* emit(out, encodeTarHeader(entry));
        }
      }
    }
    yield* emit(out, TAR_END);
    yield out.take();
  }
  return Readable.from(generate(), { objectMode: false });
}
