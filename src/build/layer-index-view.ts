import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { cleanRel } from '../context/scoped-path.js';
import type { DiffEntry } from '../snapshot/index.js';
import { StrataError } from '../util/errors.js';
import type { FsView, ViewStat } from './fs-view.js';

/** Files whose bytes the index keeps, for --chown and USER lookups. */
const KEPT_FILES = new Set(['etc/passwd', 'etc/group']);
const MAX_KEPT = 1 << 20;

interface Node extends ViewStat {
  linkname?: string;
  data?: Buffer;
}

/**
 * CompactIndex is the part of a layer a later step's destination lookup needs: its directories and
 * symlinks (path, type, mode, uid, gid, target), its whiteouts, and the user database files.
 * It is kept in the step's cache record, so a cached layer never has to be read to be indexed.
 */
export interface CompactIndex {
  entries: [path: string, type: 'dir' | 'symlink' | 'file', mode: number, uid: number, gid: number, linkname?: string][];
  whiteouts: string[];
  opaque: string[];
  files: Record<string, string>;
}

/** CompactSource is what a compact index needs of one layer entry. */
interface CompactSource {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
}

/**
 * indexEntry adds one entry of a layer to its compact index: directories and symlinks, and /etc/passwd and
 * /etc/group with their bytes (`data`, read only for those). Plain files are left out: a destination
 * lookup only walks directories and links, and a 20,000-file COPY must not put 20,000 entries in its
 * cache record.
 */
function indexEntry(out: CompactIndex, e: CompactSource, data: () => Buffer | undefined): void {
  if (e.type === 'dir' || e.type === 'symlink') out.entries.push(e.linkname !== undefined ? [e.path, e.type, e.mode, e.uid, e.gid, e.linkname] : [e.path, e.type, e.mode, e.uid, e.gid]);
  else if (e.type === 'file' && KEPT_FILES.has(e.path)) {
    out.entries.push([e.path, 'file', e.mode, e.uid, e.gid]);
    const bytes = data();
    if (bytes) out.files[e.path] = bytes.toString('base64');
  }
}

/** compactFromEntries builds the compact index of a layer strata writes itself. */
export function compactFromEntries(entries: CompactSource[], readKept: (path: string) => Buffer | undefined): CompactIndex {
  const out: CompactIndex = { entries: [], whiteouts: [], opaque: [], files: {} };
  for (const e of entries) indexEntry(out, e, () => readKept(e.path));
  return out;
}

/**
 * CompactCollector builds the compact index of a layer while a snapshot diff writes it (DiffOptions.onEntry),
 * so a RUN step's layer never has to be read back to be indexed by the steps after it.
 */
export class CompactCollector {
  private readonly out: CompactIndex = { entries: [], whiteouts: [], opaque: [], files: {} };

  readonly observe = (e: DiffEntry): void => {
    if (e.kind !== 'entry') (e.kind === 'whiteout' ? this.out.whiteouts : this.out.opaque).push(e.path);
    else indexEntry(this.out, e, () => (e.size <= MAX_KEPT ? readFileSync(e.host) : undefined));
  };

  result(): CompactIndex {
    return this.out;
  }
}

/**
 * LayerIndex is the metadata of a layer chain read from the layer tars' headers (content is
 * skipped, except /etc/passwd and /etc/group): enough to resolve a COPY destination through
 * symlinks, keep existing parent directories' modes and owners, and look users up, without
 * unpacking anything. OCI whiteouts are applied layer by layer.
 */
export class LayerIndex {
  private readonly nodes = new Map<string, Node>();

  /** addLayer reads one uncompressed layer tar on top of what is indexed, and returns the layer's compact index. */
  async addLayer(stream: Readable): Promise<CompactIndex> {
    const own = new Map<string, Node>();
    const whiteouts: string[] = [];
    const opaque: string[] = [];
    // loaded here: most builds find every layer's index stored and never read a layer tar (an error
    // of the stream meanwhile is kept, not thrown unhandled)
    let early: Error | undefined;
    const keep = (err: Error): void => void (early ??= err);
    stream.on('error', keep);
    const { default: tar } = await import('tar-stream');
    stream.off('error', keep);
    if (early) throw early;
    const extract = tar.extract();
    const done = (async () => {
      for await (const entry of extract) {
        const h = entry.header;
        const path = cleanRel(h.name);
        const base = path.slice(path.lastIndexOf('/') + 1);
        const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
        if (base === '.wh..wh..opq') opaque.push(dir);
        else if (base.startsWith('.wh.')) whiteouts.push(dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}`);
        else if (path !== '') {
          let node: Node = {
            type: h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : h.type === 'character-device' ? 'char' : h.type === 'block-device' ? 'block' : h.type === 'fifo' ? 'fifo' : 'file',
            mode: (h.mode ?? 0) & 0o7777,
            uid: h.uid ?? 0,
            gid: h.gid ?? 0,
            size: h.size ?? 0,
            mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000),
            ino: '',
            nlink: 1,
            rdev: ((h.devmajor ?? 0) << 8) | (h.devminor ?? 0),
          };
          if (h.type === 'symlink') node.linkname = h.linkname ?? '';
          if (h.type === 'link') {
            const target = own.get(cleanRel(h.linkname ?? '')) ?? this.nodes.get(cleanRel(h.linkname ?? ''));
            if (target) node = { ...target };
          }
          if (KEPT_FILES.has(path) && node.type === 'file' && (h.size ?? 0) <= MAX_KEPT) {
            const chunks: Buffer[] = [];
            for await (const c of entry) chunks.push(c as Buffer);
            node.data = Buffer.concat(chunks);
          }
          own.set(path, node);
        }
        entry.resume();
      }
    })();
    stream.pipe(extract);
    stream.on('error', (err) => extract.destroy(err));
    await done;
    this.removeAll(opaque, whiteouts);
    const compact: CompactIndex = { entries: [], whiteouts, opaque, files: {} };
    for (const [p, n] of own) {
      // A non-directory replacing a directory hides everything below it.
      if (n.type !== 'dir' && this.nodes.get(p)?.type === 'dir') this.removeBelow(p);
      this.nodes.set(p, n);
      indexEntry(compact, { ...n, path: p }, () => n.data);
    }
    return compact;
  }

  /** addCompact applies a layer known by its compact index. */
  addCompact(c: CompactIndex): void {
    this.removeAll(c.opaque, c.whiteouts);
    for (const [p, type, mode, uid, gid, linkname] of c.entries) {
      if (type !== 'dir' && this.nodes.get(p)?.type === 'dir') this.removeBelow(p);
      const n: Node = { type, mode, uid, gid, size: 0, mtime: 0, ino: '', nlink: 1, rdev: 0 };
      if (linkname !== undefined) n.linkname = linkname;
      const data = c.files[p];
      if (data !== undefined) n.data = Buffer.from(data, 'base64');
      this.nodes.set(p, n);
    }
  }

  /** clone copies the index (stages branch from a common base). */
  clone(): LayerIndex {
    const c = new LayerIndex();
    for (const [k, v] of this.nodes) c.nodes.set(k, v);
    return c;
  }

  /**
   * removeAll applies a layer's deletions: everything below its opaque directories, and its whiteouts
   * with whatever is below them. The paths below are found in one pass over the index, each path
   * checked against its ancestors: a pass per whiteout made a layer that deletes 1,000 files over a
   * Debian base cost 60 ms. (A missing whiteout target may still have entries below it: a tar need not
   * list a file's parent directories.)
   */
  private removeAll(opaque: readonly string[], whiteouts: readonly string[]): void {
    const below = new Set<string>(opaque);
    for (const w of whiteouts) {
      const was = this.nodes.get(w);
      this.nodes.delete(w);
      if (was === undefined || was.type === 'dir') below.add(w);
    }
    if (below.size === 0) return;
    if (below.has('')) {
      this.nodes.clear();
      return;
    }
    for (const k of [...this.nodes.keys()]) {
      for (let i = k.lastIndexOf('/'); i > 0; i = k.lastIndexOf('/', i - 1)) {
        if (below.has(k.slice(0, i))) {
          this.nodes.delete(k);
          break;
        }
      }
    }
  }

  private removeBelow(dir: string): void {
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const k of [...this.nodes.keys()]) if (k.startsWith(prefix) && k !== dir) this.nodes.delete(k);
  }

  /** view exposes the index as a read-only FsView (content reads are not available). */
  view(): FsView {
    const nodes = this.nodes;
    return {
      lstat: async (rel) => {
        if (rel === '') return { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, ino: '', nlink: 1, rdev: 0 };
        return nodes.get(rel);
      },
      readdir: async (rel) => {
        const prefix = rel === '' ? '' : `${rel}/`;
        const out: string[] = [];
        for (const k of nodes.keys()) if (k.startsWith(prefix) && !k.slice(prefix.length).includes('/') && k !== rel) out.push(k.slice(prefix.length));
        return out.sort();
      },
      readlink: async (rel) => nodes.get(rel)?.linkname ?? '',
      readSmallFile: async (rel) => nodes.get(rel)?.data,
      content: () => {
        throw new StrataError('INDEX_NO_CONTENT', 'internal: file content requested from a header-only layer index');
      },
    };
  }
}
