import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { CacheItem, ChecksumCache } from './checksum-cache.js';
import type { IgnoreMatcher } from './ignore.js';
import { byName } from './walk.js';

/**
 * Content checksums as BuildKit's contenthash computes them for COPY: a file's checksum covers
 * its content and its header (type, permission bits, owner, link target), never its times; a
 * directory's checksum covers its header and the names and checksums of its children, so it
 * changes when anything below it changes. Ignored paths do not count.
 *
 * The tree is walked with synchronous lstat/readdir (a metadata walk of 20,000 files is several
 * times faster without a thread-pool hop per call, and planning has nothing else to do
 * meanwhile); the stat-keyed cache is asked once for every file; only the files it does not know
 * are read, as streams, a few at a time.
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

interface Node {
  rel: string;
  abs: string;
  st: Stats;
  link: string;
  children?: [string, Node][];
  ignored: boolean;
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

/** contentDigest hashes one regular file through the stat-keyed cache. */
export async function contentDigest(abs: string, st: Stats, cache: ChecksumCache): Promise<string> {
  const hit = cache.lookup([{ abs, st }]).get(abs);
  if (hit !== undefined) return hit;
  const digest = await hashFile(abs, st.size);
  cache.record([{ abs, st, digest }]);
  return digest;
}

function collect(root: string, rel: string, ignore: IgnoreMatcher, top: boolean, files: CacheItem[]): Node | undefined {
  const abs = rel === '' ? root : join(root, rel);
  const st = lstatSync(abs);
  const ignored = !top && ignore.ignores(rel);
  if (ignored && (!st.isDirectory() || !ignore.hasExceptions)) return undefined;
  const node: Node = { rel, abs, st, link: st.isSymbolicLink() ? readlinkSync(abs) : '', ignored };
  if (st.isDirectory()) {
    node.children = [];
    for (const name of readdirSync(abs).sort(byName)) {
      const child = collect(root, rel === '' ? name : `${rel}/${name}`, ignore, false, files);
      if (child) node.children.push([name, child]);
    }
    if (ignored && node.children.length === 0) return undefined;
  } else if (st.isFile()) files.push({ abs, st });
  return node;
}

/**
 * checksumTree computes the checksum of `rel` (root-relative; '' = root) without following a
 * symlink at `rel` itself (callers resolve it first when they should follow it).
 */
export async function checksumTree(root: string, rel: string, ignore: IgnoreMatcher, cache: ChecksumCache): Promise<PathChecksum> {
  const items: CacheItem[] = [];
  const tree = collect(root, rel, ignore, true, items);
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
  const digest = tree ? digestOf(tree, contents, files) : `sha256:${createHash('sha256').update('').digest('hex')}`;
  return { digest, files };
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
