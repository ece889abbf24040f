import { chmod, mkdtemp, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumTree, ignoreMatcher, memoryChecksumCache, noIgnore, walk, type CacheItem, type ChecksumCache } from '../../../src/context/index.js';
import { sortNames } from '../../../src/context/walk.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-sum-'));
  await mkdir(join(dir, 'src/sub'), { recursive: true });
  await writeFile(join(dir, 'src/a.ts'), 'a');
  await writeFile(join(dir, 'src/sub/b.ts'), 'b');
  await writeFile(join(dir, 'src/debug.log'), 'log');
  await symlink('a.ts', join(dir, 'src/link'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** countingCache wraps a cache and counts misses (files actually read). */
function countingCache(): ChecksumCache & { reads: number } {
  const inner = memoryChecksumCache();
  const c = {
    reads: 0,
    lookup: (items: CacheItem[]) => {
      const found = inner.lookup(items);
      c.reads += items.length - found.size;
      return found;
    },
    record: inner.record,
    flush: inner.flush,
  };
  return c;
}

describe('checksumTree', () => {
  it('ignores mtimes but sees content, mode and link targets', async () => {
    const cache = memoryChecksumCache();
    const first = await checksumTree(dir, 'src', noIgnore, cache);
    await utimes(join(dir, 'src/a.ts'), new Date(1000), new Date(1000));
    expect((await checksumTree(dir, 'src', noIgnore, cache)).digest).toBe(first.digest);
    await chmod(join(dir, 'src/a.ts'), 0o755);
    const moded = await checksumTree(dir, 'src', noIgnore, cache);
    expect(moded.digest).not.toBe(first.digest);
    await writeFile(join(dir, 'src/sub/b.ts'), 'B');
    const changed = await checksumTree(dir, 'src', noIgnore, cache);
    expect(changed.digest).not.toBe(moded.digest);
    expect(changed.files.get('src/sub/b.ts')).not.toBe(moded.files.get('src/sub/b.ts'));
    expect(changed.files.get('src/a.ts')).toBe(moded.files.get('src/a.ts'));
    expect([...changed.files.keys()].sort()).toEqual(['src/a.ts', 'src/debug.log', 'src/link', 'src/sub/b.ts']);
  });

  it('does not count ignored files', async () => {
    const ig = ignoreMatcher(['**/*.log']);
    const before = await checksumTree(dir, 'src', ig, memoryChecksumCache());
    await writeFile(join(dir, 'src/debug.log'), 'other');
    const after = await checksumTree(dir, 'src', ig, memoryChecksumCache());
    expect(after.digest).toBe(before.digest);
    expect(after.files.has('src/debug.log')).toBe(false);
  });

  it('reads an unchanged file only once through the stat-keyed cache', async () => {
    const cache = countingCache();
    await checksumTree(dir, '', noIgnore, cache);
    const firstReads = cache.reads;
    expect(firstReads).toBe(3);
    await checksumTree(dir, '', noIgnore, cache);
    expect(cache.reads).toBe(firstReads);
  });
});

describe('checksumTree with a tree memo', () => {
  /** memoCache counts what a checksum costs: per-file lookups and files read, memo answers. */
  function memoCache(): ChecksumCache & { lookups: number; reads: number; memoHits: number } {
    const inner = memoryChecksumCache();
    const c = {
      lookups: 0,
      reads: 0,
      memoHits: 0,
      lookup: (items: CacheItem[]) => {
        c.lookups++;
        const found = inner.lookup(items);
        c.reads += items.length - found.size;
        return found;
      },
      record: inner.record,
      flush: inner.flush,
      lookupTree: (abs: string, fp: string) => {
        const d = inner.lookupTree!(abs, fp);
        if (d !== undefined) c.memoHits++;
        return d;
      },
      recordTree: inner.recordTree!,
    };
    return c;
  }

  it('answers an unchanged tree from the memo, with the digest and per-file detail of a full walk', async () => {
    const memo = memoCache();
    const full = await checksumTree(dir, 'src', noIgnore, memoryChecksumCache());
    const first = await checksumTree(dir, 'src', noIgnore, memo);
    expect(first.digest).toBe(full.digest);
    const lookups = memo.lookups;
    const again = await checksumTree(dir, 'src', noIgnore, memo);
    expect(again.digest).toBe(full.digest);
    expect(memo.memoHits).toBe(1);
    expect(memo.lookups).toBe(lookups); // no per-file lookup for the answer itself
    expect(new Map(again.files)).toEqual(new Map(full.files)); // worked out on demand, from the per-file cache
    expect(memo.reads).toBe(3);
  });

  it('sees every change a full walk sees: content, mode, link target, a new file, an ignore rule; not a touch', async () => {
    const memo = memoCache();
    const sum = async (ig = noIgnore) => {
      const m = await checksumTree(dir, 'src', ig, memo);
      expect(m.digest).toBe((await checksumTree(dir, 'src', ig, memoryChecksumCache())).digest);
      return m.digest;
    };
    const seen = new Set([await sum()]);
    await utimes(join(dir, 'src/a.ts'), new Date(5000), new Date(5000));
    expect(seen.has(await sum())).toBe(true); // only a touch: same digest (the memo misses, the per-file cache answers)
    const changes: (() => Promise<unknown>)[] = [
      () => writeFile(join(dir, 'src/sub/b.ts'), 'changed'),
      () => chmod(join(dir, 'src/a.ts'), 0o700),
      () => rm(join(dir, 'src/link')).then(() => symlink('sub/b.ts', join(dir, 'src/link'))),
      () => writeFile(join(dir, 'src/sub/new.ts'), ''),
      () => mkdir(join(dir, 'src/empty')),
    ];
    for (const change of changes) {
      await change();
      const d = await sum();
      expect(seen.has(d)).toBe(false);
      seen.add(d);
    }
    const ignored = await sum(ignoreMatcher(['**/*.log']));
    expect(seen.has(ignored)).toBe(false);
    // an ignored directory kept for an exception below it, and dropped once the exception is gone
    await mkdir(join(dir, 'src/docs'));
    await writeFile(join(dir, 'src/docs/keep.md'), 'k');
    const exception = await sum(ignoreMatcher(['src/docs', '!src/docs/keep.md']));
    await rm(join(dir, 'src/docs/keep.md'));
    expect(await sum(ignoreMatcher(['src/docs', '!src/docs/keep.md']))).not.toBe(exception);
  });
});

describe('walk', () => {
  it('orders names by their UTF-8 bytes, also where UTF-16 order differs', () => {
    expect(sortNames(['b', '\u{1F600}', '\uE000', 'a', 'é'])).toEqual(['a', 'b', 'é', '\uE000', '\u{1F600}']);
    expect(sortNames(['b', 'B', 'a1', 'a'])).toEqual(['B', 'a', 'a1', 'b']);
  });

  it('yields sorted paths, skips ignored ones, enters an ignored dir for an exception', async () => {
    await mkdir(join(dir, 'docs'));
    await writeFile(join(dir, 'docs/README.md'), 'r');
    await writeFile(join(dir, 'docs/LICENSE.md'), 'l');
    const ig = ignoreMatcher(['docs', '!docs/LICENSE.md', '**/*.log']);
    const seen: string[] = [];
    for await (const e of walk(dir, '', ig)) seen.push(e.rel);
    expect(seen).toEqual(['', 'docs', 'docs/LICENSE.md', 'src', 'src/a.ts', 'src/link', 'src/sub', 'src/sub/b.ts']);
  });
});
