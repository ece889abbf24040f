import { lstat, mkdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PathEscapeError, RunnerError } from '../errors.js';

const MAX_LINKS = 40;

/**
 * resolveInRoot resolves `path` as the process inside `root` would see it (symlinks followed, absolute
 * targets and `..` staying at `root`), without ever letting the host kernel follow a link. Returns the
 * resolved components relative to root and how many of them exist.
 */
export async function resolveInRoot(root: string, path: string): Promise<{ parts: string[]; existing: number }> {
  const todo = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let st;
    try {
      st = await lstat(host);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { parts: [...done, part, ...todo.filter((p) => p !== '..')], existing: done.length };
      throw err;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new PathEscapeError(`too many symlinks resolving ${path} in the rootfs`);
      const target = await readlink(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    done.push(part);
  }
  return { parts: done, existing: done.length };
}

/**
 * ensureMountpoint makes `path` (inside root) exist as a directory or an empty file, creating what is
 * missing, and returns its resolved path relative to root. Every path it creates is pushed on `created`
 * (parents first), so the caller can remove them after the run and keep them out of the layer.
 */
export async function ensureMountpoint(root: string, path: string, kind: 'dir' | 'file', created: string[]): Promise<string> {
  const { parts, existing } = await resolveInRoot(root, path);
  if (parts.includes('..')) throw new PathEscapeError(`mount target ${path} leaves the rootfs`);
  for (let i = existing; i < parts.length; i++) {
    const rel = parts.slice(0, i + 1).join('/');
    if (i === parts.length - 1 && kind === 'file') await writeFile(join(root, rel), '', { flag: 'wx', mode: 0o644 });
    else await mkdir(join(root, rel), { mode: 0o755 });
    created.push(rel);
  }
  if (existing === parts.length && parts.length > 0) {
    const st = await lstat(join(root, ...parts));
    if (kind === 'dir' && !st.isDirectory()) throw new RunnerError(`mount target ${path} exists and is not a directory`);
    if (kind === 'file' && st.isDirectory()) throw new RunnerError(`mount target ${path} is a directory, a file is needed`);
  }
  return '/' + parts.join('/');
}
