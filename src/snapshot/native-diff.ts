import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { compareNames, joinRel, type Change } from './changes.js';
import type { XattrTree } from './xattrs.js';

/**
 * DiffTrees: the parent's and the snapshot's directory, with their xattrs. `copiedAt` is the birth time (ns)
 * of a marker made right after the copy: a directory of the snapshot born later was removed and recreated,
 * and becomes an opaque directory, as overlayfs would record it.
 */
export interface DiffTrees {
  lower: string;
  upper: string;
  lowerXattrs: XattrTree;
  upperXattrs: XattrTree;
  copiedAt: bigint;
}

function sameXattrs(a: Map<string, Buffer> | undefined, b: Map<string, Buffer> | undefined): boolean {
  const ea = [...(a ?? [])];
  if (ea.length !== (b?.size ?? 0)) return false;
  return ea.every(([k, v]) => b!.get(k)?.equals(v) === true);
}

function typeBits(st: Stats): number {
  return st.mode & 0o170000;
}

/** changed compares what a layer records: type, mode, owner, size, mtime, device, link target, xattrs. */
async function changed(t: DiffTrees, path: string, a: Stats, b: Stats): Promise<boolean> {
  if (typeBits(a) !== typeBits(b) || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return true;
  if (a.mtimeMs !== b.mtimeMs || a.rdev !== b.rdev) return true;
  if (!b.isDirectory() && a.size !== b.size) return true;
  if (!sameXattrs(t.lowerXattrs.get(path), t.upperXattrs.get(path))) return true;
  if (b.isSymbolicLink()) return (await readlink(join(t.lower, path))) !== (await readlink(join(t.upper, path)));
  return false;
}

async function* everything(upper: string, rel: string): AsyncGenerator<Change> {
  const names = (await readdir(join(upper, rel))).sort(compareNames);
  const stats = await Promise.all(names.map((n) => lstat(join(upper, rel, n))));
  for (const [k, name] of names.entries()) {
    const path = joinRel(rel, name);
    const host = join(upper, path);
    const stat = stats[k]!;
    yield { kind: 'add', path, host, stat };
    if (stat.isDirectory()) yield* everything(upper, path);
  }
}

/**
 * nativeChanges walks a snapshot's full copy against its parent's (both sorted, in step) and yields what
 * differs, in layer order. A deleted directory is one whiteout; its contents are not listed. Like overlay's
 * upper dir, the layer also holds every directory above a change, so both snapshotters give the same layer.
 */
export async function* nativeChanges(t: DiffTrees, rel = '', pending: Change[] = []): AsyncGenerator<Change> {
  function* flush(): Generator<Change> {
    yield* pending;
    pending.length = 0;
  }
  const a = (await readdir(join(t.lower, rel))).sort(compareNames);
  const b = (await readdir(join(t.upper, rel))).sort(compareNames);
  // lstat a directory's entries on both sides at once: the walk is bound by these calls.
  const [statsA, statsB] = await Promise.all([
    Promise.all(a.map((n) => lstat(join(t.lower, rel, n)))).then((l) => new Map(a.map((n, k) => [n, l[k]!]))),
    Promise.all(b.map((n) => lstat(join(t.upper, rel, n)))).then((l) => new Map(b.map((n, k) => [n, l[k]!]))),
  ]);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const order = i >= a.length ? 1 : j >= b.length ? -1 : compareNames(a[i]!, b[j]!);
    if (order < 0) {
      yield* flush();
      yield { kind: 'whiteout', path: joinRel(rel, a[i++]!) };
      continue;
    }
    const name = b[j++]!;
    const path = joinRel(rel, name);
    const host = join(t.upper, path);
    const stB = statsB.get(name)!;
    if (order > 0) {
      yield* flush();
      yield { kind: 'add', path, host, stat: stB };
      if (stB.isDirectory()) yield* everything(t.upper, path);
      continue;
    }
    i++;
    const stA = statsA.get(name)!;
    if (stA.isDirectory() && stB.isDirectory()) {
      const self: Change = { kind: 'add', path, host, stat: stB };
      if ((await lstat(host, { bigint: true })).birthtimeNs > t.copiedAt) {
        yield* flush();
        yield self;
        yield { kind: 'opaque', path };
        yield* everything(t.upper, path);
      } else if (await changed(t, path, stA, stB)) {
        yield* flush();
        yield self;
        yield* nativeChanges(t, path, pending);
      } else {
        pending.push(self);
        yield* nativeChanges(t, path, pending);
        if (pending[pending.length - 1] === self) pending.pop();
      }
    } else if (await changed(t, path, stA, stB)) {
      yield* flush();
      yield { kind: 'add', path, host, stat: stB };
      if (stB.isDirectory()) yield* everything(t.upper, path);
    }
  }
}
