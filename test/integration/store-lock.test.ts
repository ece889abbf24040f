import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/store/gc.js';
import { openStore } from '../../src/store/store.js';
import { strataSpawn } from '../helpers/strata-cli.js';
import { tarBuffer } from '../helpers/tar.js';

/**
 * The store lock between processes: GC waits for (and here times out on) a process that has the
 * store open, and a SIGKILLed holder releases it, so the next GC runs and sweeps its leftovers.
 * Needs the compiled CLI (npm run build).
 */
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-lock-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

describe('store lock', () => {
  it('keeps GC out while another process writes, and is released when that process is killed', async () => {
    const store = openStore(root);
    try {
      // `strata load` from a pipe that never ends: it holds the store open, with a staging folder in tmp/.
      const child = strataSpawn(root, ['load'], { stdin: true });
      // A tar header announcing 100 kB, then only 512 bytes of it: the load waits for the rest.
      child.stdin!.write((await tarBuffer({ 'blob.bin': 'x'.repeat(100_000) })).subarray(0, 1024));
      await until(() => existsSync(join(root, 'tmp')) && readdirSync(join(root, 'tmp')).some((n) => n.startsWith('load-')));
      await expect(collectGarbage(store, { lockTimeoutMs: 200 })).rejects.toMatchObject({ code: 'STORE_BUSY' });
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      const r = await collectGarbage(store, { lockTimeoutMs: 5000 });
      expect(r.removedTemp).toBe(1);
      expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    } finally {
      store.close();
    }
  });
});
