import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';

/**
 * holdExclusive starts another process that creates `meta.db` in rollback-journal mode and holds it
 * exclusively for `ms`: the state a store's database is in while another strata process creates it.
 * Resolves once the lock is held.
 */
async function holdExclusive(root: string, ms: number): Promise<ChildProcess> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const script = `const D = require(${JSON.stringify(sqlite)}); const db = new D(${JSON.stringify(join(root, 'meta.db'))});
    db.exec('CREATE TABLE IF NOT EXISTS x (a)'); db.exec('BEGIN EXCLUSIVE'); console.log('held');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

describe('opening a store that another process holds', () => {
  let root: string;
  let holder: ChildProcess | undefined;
  beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), 'strata-open-')), 'store');
    mkdirSync(root);
  });
  afterEach(() => {
    holder?.kill();
    rmSync(join(root, '..'), { recursive: true, force: true });
  });

  it('waits for it and switches the database to WAL once it is free', async () => {
    holder = await holdExclusive(root, 400);
    const store = openStore(root, { lockTimeoutMs: 10_000 });
    try {
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.images.listTags()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('gives up after the lock timeout with STORE_BUSY, not a raw SQLite error', async () => {
    holder = await holdExclusive(root, 5_000);
    expect(() => openStore(root, { lockTimeoutMs: 300 })).toThrow(expect.objectContaining({ code: 'STORE_BUSY' }));
  });
});
