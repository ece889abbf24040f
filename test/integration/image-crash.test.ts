import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { writeArchive } from '../../src/image/archive-write.js';
import { parseReference } from '../../src/image/reference.js';
import { importRootfs } from '../../src/store/import-rootfs.js';
import { loadImage } from '../../src/store/resolve-image.js';
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
  inputs = { load: [], import: [] };
  // Inputs are made in-process (fast); each has its own 2 MB of random data, so each run writes new blobs.
  const src = openStore(join(work, 'src'));
  try {
    for (let i = 0; i < SEEDS; i++) {
      const tar = join(work, `rootfs-${i}.tar`);
      writeFileSync(tar, await tarBuffer({ [`data/${i}.bin`]: randomBytes(2 << 20), 'etc/id': String(i) }));
      inputs.import.push(tar);
      const rec = await importRootfs(src, createReadStream(tar), { source: tar, tags: [`crash/src:${i}`], policy: { allowDevices: true, absoluteSymlinks: true } });
      const archive = join(work, `image-${i}.tar`);
      const entry = { image: await loadImage(src, rec), rawConfig: await src.readBlob(rec.id), rawManifest: await src.readBlob(rec.manifestDigest), refs: [parseReference(`crash/src:${i}`)] };
      await pipeline(writeArchive([entry]), createWriteStream(archive));
      inputs.load.push(archive);
    }
  } finally {
    src.close();
  }
  inputs.import.push(busyboxRootfsTar());
  // The kill moments are spread over how long one whole run takes here.
  const t0 = Date.now();
  strataOk(join(work, 'timing'), ['load', '-i', inputs.load[0]!]);
  strataOk(join(work, 'timing'), ['import', inputs.import[0]!]);
  budgetMs = (Date.now() - t0) / 2;
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
      const delay = Math.floor(rand() * budgetMs * 1.2);
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
