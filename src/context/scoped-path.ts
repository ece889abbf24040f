import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { PathEscapeError } from './errors.js';

const MAX_LINKS = 255;

/**
 * cleanRel turns any slash path into a clean root-relative one ('' for the root): `..` cannot climb
 * above the root, as in a chroot. `/a/./b/../c/` → `a/c`.
 */
export function cleanRel(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

/**
 * resolveInRoot resolves `rel` inside `root` the way a chroot would: every symlink on the way
 * (and the last one too when `followLast`) is read and re-resolved against the root, so an
 * absolute target or a `../..` chain lands inside the root, never outside. Returns the clean
 * root-relative path (which may not exist: the missing rest is appended as is).
 */
export async function resolveInRoot(root: string, rel: string, followLast = true): Promise<string> {
  let pending = cleanRel(rel).split('/').filter((s) => s !== '');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const seg = pending.shift()!;
    if (seg === '..') {
      done.pop();
      continue;
    }
    const candidate = [...done, seg];
    const isLast = pending.length === 0;
    if (isLast && !followLast) {
      done.push(seg);
      break;
    }
    let st;
    try {
      st = await lstat(posix.join(root, ...candidate));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        done.push(seg, ...pending);
        return cleanRel(done.join('/'));
      }
      throw err;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new PathEscapeError(rel);
      const target = await readlink(posix.join(root, ...candidate));
      const targetParts = target.split('/').filter((s) => s !== '' && s !== '.');
      if (target.startsWith('/')) done.length = 0;
      pending = [...targetParts, ...pending];
      continue;
    }
    done.push(seg);
  }
  return done.join('/');
}
