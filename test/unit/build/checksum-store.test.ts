import { lstatSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeChecksumCache } from '../../../src/build/checksum-store.js';
import { checksumTree, noIgnore } from '../../../src/context/index.js';
import { openStore, type Store } from '../../../src/store/index.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'checksum-store-'));
  store = openStore(join(dir, 'root'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('storeChecksumCache', () => {
  it('keeps tree checksums across processes (flush), keyed by path and fingerprint', async () => {
    const ctx = join(dir, 'ctx');
    mkdirSync(join(ctx, 'data'), { recursive: true });
    for (let i = 0; i < 50; i++) writeFileSync(join(ctx, 'data', `f${i}`), `file ${i}`);
    const first = storeChecksumCache(store);
    const sum = await checksumTree(ctx, 'data', noIgnore, first);
    first.flush();
    const again = storeChecksumCache(store);
    let perFile = 0;
    const counted = { ...again, lookup: (items: Parameters<typeof again.lookup>[0]) => (perFile++, again.lookup(items)) };
    expect((await checksumTree(ctx, 'data', noIgnore, counted)).digest).toBe(sum.digest);
    expect(perFile).toBe(0);
    writeFileSync(join(ctx, 'data', 'f7'), 'changed and longer');
    const changed = await checksumTree(ctx, 'data', noIgnore, counted);
    expect(changed.digest).not.toBe(sum.digest);
    expect(perFile).toBe(1);
  });

  it('answers a big batch (range scan) and a small one alike, and misses a file whose stat changed', () => {
    const ctx = join(dir, 'ctx', 'data');
    mkdirSync(ctx, { recursive: true });
    const items = [];
    for (let i = 0; i < 400; i++) {
      const abs = join(ctx, `f${i}`);
      writeFileSync(abs, `file ${i}`);
      items.push({ abs, st: lstatSync(abs) });
    }
    const cache = storeChecksumCache(store);
    cache.record(items.map((it, i) => ({ ...it, digest: `sha256:${String(i).padStart(64, '0')}` })));
    cache.flush();
    const again = storeChecksumCache(store);
    const big = again.lookup(items);
    expect(big.size).toBe(400);
    expect(big.get(items[7]!.abs)).toBe(`sha256:${'7'.padStart(64, '0')}`);
    expect(again.lookup(items.slice(0, 10)).size).toBe(10);

    utimesSync(items[3]!.abs, new Date(1_000_000), new Date(1_000_000));
    const changed = items.map((it) => ({ abs: it.abs, st: lstatSync(it.abs) }));
    const after = again.lookup(changed);
    expect(after.size).toBe(399);
    expect(after.has(items[3]!.abs)).toBe(false);
  });
});
