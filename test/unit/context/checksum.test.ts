import { chmod, mkdtemp, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumTree, ignoreMatcher, memoryChecksumCache, noIgnore, walk, type CacheItem, type ChecksumCache } from '../../../src/context/index.js';

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

describe('walk', () => {
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
