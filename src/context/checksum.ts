import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { CacheItem, ChecksumCache } from './checksum-cache.js';
import type { IgnoreMatcher } from './ignore.js';
import { sortNames } from './walk.js';

/**
 * Content checksums as BuildKit's contenthash computes them for COPY: a file's checksum covers
 * its content and its header (type, permission bits, owner, link target), never its times; a
 * directory's checksum covers its header and the names and checksums of its children, so it
 * changes when anything below it changes. Ignored paths do not count.
 *
 * The tree is walked with synchronous lstat/readdir (a metadata walk of 20,000 files is several
 * times faster without a thread-pool hop per call, and planning has nothing else to do
 * meanwhile); the stat-keyed cache is asked once for every file; only the files it does not know
 * are read, as streams, a few at a time. Before that, the whole tree's fingerprint is looked up: an
 * unchanged tree is answered without a per-file lookup or a hash per node.
 */

/** PathChecksum is the checksum of one source path plus the files below it (for explanations). */
export interface PathChecksum {
  digest: string;
  /** files maps each regular file, link and empty directory below the path to its checksum. */
  files: Map<string, string>;
}

export function fileType(st: Stats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'socket';
}

function headerLine(st: Stats, link: string): string {
  return `${fileType(st)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${link}\n`;
}

/** Node is one walked path: what its checksum is computed from. */
interface Node {
  rel: string;
  abs: string;
  st: Stats;
  link: string;
  children?: [string, Node][];
}

const SMALL = 256 << 10;
const PARALLEL_READS = 4;

/** hashFile hashes a regular file's bytes (small files in one read, big ones as a stream). */
async function hashFile(abs: string, size: number): Promise<string> {
  const h = createHash('sha256');
  if (size <= SMALL) h.update(readFileSync(abs));
  else for await (const chunk of createReadStream(abs)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/** hashFileSync is hashFile without the event loop (the on-demand per-file detail of a memoised tree). */
function hashFileSync(abs: string, size: number): string {
  const h = createHash('sha256');
  if (size <= SMALL) h.update(readFileSync(abs));
  else {
    const fd = openSync(abs, 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    try {
      for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return `sha256:${h.digest('hex')}`;
}

/** contentDigest hashes one regular file through the stat-keyed cache. */
export async function contentDigest(abs: string, st: Stats, cache: ChecksumCache): Promise<string> {
  const hit = cache.lookup([{ abs, st }]).get(abs);
  if (hit !== undefined) return hit;
  const digest = await hashFile(abs, st.size);
  cache.record([{ abs, st, digest }]);
  return digest;
}

/** Visit is called once per kept path of a walk: parents before children, names in byte order. */
type Visit = (rel: string, abs: string, st: Stats, link: string) => void;

/**
 * walkKept walks `rel` and everything below it that the ignore rules keep, with synchronous calls.
 * An ignored directory is entered when the rules have `!` exceptions, and visited only if something
 * below it is kept, just before the first such path (as BuildKit's fsutil does). Returns whether
 * `rel` was visited.
 */
function walkKept(abs: string, rel: string, ignore: IgnoreMatcher, top: boolean, visit: Visit): boolean {
  const st = lstatSync(abs);
  const ignored = !top && ignore.ignores(rel);
  if (ignored && (!st.isDirectory() || !ignore.hasExceptions)) return false;
  const link = st.isSymbolicLink() ? readlinkSync(abs) : '';
  let visitBelow = visit;
  if (!ignored) visit(rel, abs, st, link);
  else {
    let owed = true;
    visitBelow = (...args) => {
      if (owed) {
        owed = false;
        visit(rel, abs, st, link);
      }
      visit(...args);
    };
  }
  let kept = !ignored;
  if (st.isDirectory()) {
    const prefix = abs.endsWith('/') ? abs : `${abs}/`;
    for (const name of sortNames(readdirSync(abs))) kept = walkKept(prefix + name, rel === '' ? name : `${rel}/${name}`, ignore, false, visitBelow) || kept;
  }
  return kept;
}

/**
 * collect builds the tree of `rel` from walkKept, gathering the regular files for the cache and,
 * when asked, one fingerprint line per node.
 */
function collect(abs: string, rel: string, ignore: IgnoreMatcher, files: CacheItem[], prints?: string[]): Node | undefined {
  let top: Node | undefined;
  const dirs = new Map<string, Node>();
  walkKept(abs, rel, ignore, true, (r, a, st, link) => {
    const node: Node = { rel: r, abs: a, st, link };
    prints?.push(fingerprintLine(r, st, link));
    if (r === rel) top = node;
    else {
      const cut = r.lastIndexOf('/');
      dirs.get(cut < 0 ? '' : r.slice(0, cut))!.children!.push([r.slice(cut + 1), node]);
    }
    if (st.isDirectory()) {
      node.children = [];
      dirs.set(r, node);
    } else if (st.isFile()) files.push({ abs: a, st });
  });
  return top;
}

/**
 * checksumTree computes the checksum of `rel` (root-relative; '' = root) without following a
 * symlink at `rel` itself (callers resolve it first when they should follow it).
 */
export async function checksumTree(root: string, rel: string, ignore: IgnoreMatcher, cache: ChecksumCache): Promise<PathChecksum> {
  const abs = rel === '' ? root : join(root, rel);
  if (cache.lookupTree) {
    // A first walk that keeps nothing but a running hash: when the tree is known, no Node, Stats or
    // cache item outlives its directory (retaining 20,000 of each cost a cached w4 build 0.1 s of
    // garbage collection). A changed tree is walked again below, which reading it dwarfs.
    const known = cache.lookupTree(abs, walkFingerprint(abs, rel, ignore));
    if (known !== undefined) {
      // The per-file detail is read only to explain a miss or to show a plan: worked out on demand.
      let files: Map<string, string> | undefined;
      return {
        digest: known,
        get files() {
          return (files ??= fileDigestsSync(abs, rel, ignore, cache));
        },
      };
    }
  }
  const items: CacheItem[] = [];
  // fingerprint lines only for a cache that keeps trees
  const prints: string[] | undefined = cache.recordTree ? [] : undefined;
  const tree = collect(abs, rel, ignore, items, prints);
  if (!tree) return { digest: `sha256:${createHash('sha256').update('').digest('hex')}`, files: new Map() };
  const contents = cache.lookup(items);
  const missing = items.filter((i) => !contents.has(i.abs));
  const fresh: (CacheItem & { digest: string })[] = [];
  for (let i = 0; i < missing.length; i += PARALLEL_READS) {
    const batch = missing.slice(i, i + PARALLEL_READS);
    const digests = await Promise.all(batch.map((m) => hashFile(m.abs, m.st.size)));
    batch.forEach((m, j) => {
      contents.set(m.abs, digests[j]!);
      fresh.push({ ...m, digest: digests[j]! });
    });
  }
  if (fresh.length > 0) cache.record(fresh);
  const files = new Map<string, string>();
  const digest = digestOf(tree, contents, files);
  // recorded under what this walk saw (the first walk may have seen an earlier state)
  if (prints) cache.recordTree?.(abs, fingerprintOf(prints), digest);
  return { digest, files };
}

/** fileDigestsSync works out the per-file checksums of a tree whose own checksum came from the memo. */
function fileDigestsSync(abs: string, rel: string, ignore: IgnoreMatcher, cache: ChecksumCache): Map<string, string> {
  const items: CacheItem[] = [];
  const tree = collect(abs, rel, ignore, items);
  if (!tree) return new Map();
  const contents = cache.lookup(items);
  const fresh: (CacheItem & { digest: string })[] = [];
  for (const i of items) {
    if (contents.has(i.abs)) continue;
    const digest = hashFileSync(i.abs, i.st.size);
    contents.set(i.abs, digest);
    fresh.push({ ...i, digest });
  }
  if (fresh.length > 0) cache.record(fresh);
  const files = new Map<string, string>();
  digestOf(tree, contents, files);
  return files;
}

/** fingerprintOf hashes a tree's fingerprint lines, in walk order. */
function fingerprintOf(lines: string[]): string {
  return createHash('sha256').update(`strata-tree-v1\n${lines.join('')}`).digest('hex');
}

/**
 * walkFingerprint is collect without the tree: the same walk, the same lines, fed to a hash as they
 * come, so nothing outlives its directory.
 */
function walkFingerprint(abs: string, rel: string, ignore: IgnoreMatcher): string {
  const h = createHash('sha256').update('strata-tree-v1\n');
  let pending = '';
  walkKept(abs, rel, ignore, true, (r, _a, st, link) => {
    pending += fingerprintLine(r, st, link);
    if (pending.length > 1 << 16) {
      h.update(pending);
      pending = '';
    }
  });
  return h.update(pending).digest('hex');
}

/**
 * fingerprintLine is one node's part of its tree's fingerprint. The fingerprint covers everything
 * the per-file cache keys on, for every node of the walked tree: its path, type and permission
 * bits, owner, link target and, for a regular file, the stat fields that change with its content
 * (device, inode, size, mtime in ns). Ignored paths are not in the tree, so the ignore rules count
 * too. Lengths prefix the free-form parts (names may hold newlines). A directory's own times are
 * left out: its checksum never depends on them.
 */
function fingerprintLine(rel: string, st: Stats, link: string): string {
  const head = `${rel.length}:${rel}\0${st.mode}:${st.uid}:${st.gid}\0${link.length}:${link}`;
  return st.isFile() ? `${head}\0${st.dev}:${st.ino}:${st.size}:${Math.round(st.mtimeMs * 1e6)}\n` : `${head}\n`;
}

function digestOf(n: Node, contents: Map<string, string>, files: Map<string, string>): string {
  // One-shot hashing of a short string: no Hash object per node (20,000 nodes add up).
  let text = headerLine(n.st, n.link);
  if (n.children) {
    for (const [name, child] of n.children) text += `${name}\0${digestOf(child, contents, files)}\n`;
    const d = `sha256:${sha256Hex(text)}`;
    if (n.children.length === 0) files.set(n.rel, d);
    return d;
  }
  if (n.st.isFile()) text += contents.get(n.abs) ?? '';
  const d = `sha256:${sha256Hex(text)}`;
  files.set(n.rel, d);
  return d;
}

const oneShot = (crypto as unknown as { hash?: (alg: string, data: string) => string }).hash;

/** sha256Hex uses Node's one-shot crypto.hash where it exists (20.12+), a Hash object otherwise. */
function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text) : createHash('sha256').update(text).digest('hex');
}
