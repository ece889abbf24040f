import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChecksumCache } from './checksum-cache.js';
import type { IgnoreMatcher } from './ignore.js';
import { byName } from './walk.js';

/**
 * Content checksums as BuildKit's contenthash computes them for COPY: a file's checksum covers
 * its content and its header (type, permission bits, owner, link target), never its times; a
 * directory's checksum covers its header and the names and checksums of its children, so it
 * changes when anything below it changes. Ignored paths do not count.
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

/** contentDigest hashes a regular file's bytes as a stream, through the stat-keyed cache. */
export async function contentDigest(abs: string, st: Stats, cache: ChecksumCache): Promise<string> {
  const hit = cache.get(abs, st);
  if (hit !== undefined) return hit;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(abs)) h.update(chunk as Buffer);
  const digest = `sha256:${h.digest('hex')}`;
  cache.set(abs, st, digest);
  return digest;
}

/**
 * checksumTree computes the checksum of `rel` (root-relative; '' = root) without following a
 * symlink at `rel` itself (callers resolve it first when they should follow it).
 */
export async function checksumTree(root: string, rel: string, ignore: IgnoreMatcher, cache: ChecksumCache): Promise<PathChecksum> {
  const files = new Map<string, string>();
  const digest = await node(root, rel, ignore, cache, files, true);
  return { digest: digest ?? emptyDigest, files };
}

const emptyDigest = `sha256:${createHash('sha256').update('').digest('hex')}`;

async function node(
  root: string,
  rel: string,
  ignore: IgnoreMatcher,
  cache: ChecksumCache,
  files: Map<string, string>,
  top: boolean,
): Promise<string | undefined> {
  const abs = rel === '' ? root : join(root, rel);
  const st = await lstat(abs);
  const ignored = !top && ignore.ignores(rel);
  if (ignored && (!st.isDirectory() || !ignore.hasExceptions)) return undefined;
  const h = createHash('sha256');
  if (st.isDirectory()) {
    h.update(headerLine(st, ''));
    let kept = 0;
    for (const name of (await readdir(abs)).sort(byName)) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const d = await node(root, childRel, ignore, cache, files, false);
      if (d === undefined) continue;
      kept++;
      h.update(`${name}\0${d}\n`);
    }
    if (ignored && kept === 0) return undefined;
    const digest = `sha256:${h.digest('hex')}`;
    if (kept === 0) files.set(rel, digest);
    return digest;
  }
  const link = st.isSymbolicLink() ? await readlink(abs) : '';
  h.update(headerLine(st, link));
  if (st.isFile()) h.update(await contentDigest(abs, st, cache));
  const digest = `sha256:${h.digest('hex')}`;
  files.set(rel, digest);
  return digest;
}
