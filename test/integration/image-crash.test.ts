import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/store/gc.js';
import { openStore } from '../../src/store/store.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { checkStoreIntegrity } from '../helpers/store-check.js';
import { strataOk, strataSpawn } from '../helpers/strata-cli.js';
import { tarBuffer } from '../helpers/tar.js';

/**
 * Crash safety: `strata load` and `strata import` are SIGKILLed at seeded random moments; after each
 * kill the store opens, lists only whole images, every blob matches its digest, and GC then removes
 * every leftover (temp files, unreferenced blobs). The moments vary; the invariants do not.
 */
const SEEDS = 10;
let work: string;
let inputs: { load: string[]; import: string[] };
let budgetMs = 0;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'strata-crash-'));
  const src = join(work, 'src');
  inputs = { load: [], import: [] };
  for (let i = 0; i < SEEDS; i++) {
    // Each input has its own 2 MB of random data, so each run writes new blobs.
    const tar = join(work, `rootfs-${i}.tar`);
    writeFileSync(tar, await tarBuffer({ [`data/${i}.bin`]: randomBytes(2 << 20), 'etc/id': String(i) }));
    inputs.import.push(tar);
    const t0 = Date.now();
    strataOk(src, ['import', tar, `crash/src:${i}`]);
    const archive = join(work, `image-${i}.tar`);
    strataOk(src, ['save', '-o', archive, `crash/src:${i}`]);
    budgetMs = Math.max(budgetMs, Date.now() - t0);
    inputs.load.push(archive);
  }
  inputs.import.push(busyboxRootfsTar());
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function killAt(args: string[], root: string, delayMs: number): Promise<number | null> {
  const child = strataSpawn(root, args);
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return code;
}

describe('crash safety', () => {
  it.each(['load', 'import'] as const)('SIGKILL during %s at random moments leaves a consistent store', async (verb) => {
    const root = join(work, `store-${verb}`);
    let completed = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rand = mulberry32(seed * 7919 + (verb === 'load' ? 1 : 2));
      const delay = Math.floor(rand() * budgetMs * 1.3);
      const args = verb === 'load' ? ['load', '-i', inputs.load[seed - 1]!] : ['import', inputs.import[seed - 1]!, `crash/imp:${seed}`];
      const code = await killAt(args, root, delay);
      if (code === 0) completed++;
      const state = await checkStoreIntegrity(root);
      const listed = strataOk(root, ['images', '-a', '-q', '--no-trunc']).split('\n').filter(Boolean);
      expect(new Set(listed).size).toBe(state.images);
    }
    // GC removes whatever the killed processes left, and keeps every whole image.
    const before = await checkStoreIntegrity(root);
    const store = openStore(root);
    try {
      await collectGarbage(store);
      expect(readdirSync(join(root, 'tmp'))).toEqual([]);
      const referenced = new Set<string>();
      for (const img of store.images.listImages()) {
        referenced.add(img.id);
        referenced.add(img.manifestDigest);
        img.layers.forEach((l) => referenced.add(l));
      }
      expect(readdirSync(join(root, 'blobs', 'sha256')).map((h) => `sha256:${h}`).sort()).toEqual([...referenced].sort());
    } finally {
      store.close();
    }
    const after = await checkStoreIntegrity(root);
    expect(after.images).toBe(before.images);
    expect(after.tags).toBe(before.tags);
    // The kills must have hit both before and after completion for the test to mean something.
    expect(completed).toBeLessThan(SEEDS);
  });
});
