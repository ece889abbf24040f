import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let addonPath: string | null | undefined;

/**
 * nativeAddon is where better-sqlite3's build puts its compiled addon. Left to itself,
 * better-sqlite3 finds it through the `bindings` package, which walks stack traces and tries a dozen
 * paths; with the addon handed over, the package's JavaScript can live in strata's bundle (compiled
 * from the code cache) and every command starts about 10 ms sooner. null: not where a build puts it
 * (a Debug build, an unusual install), and better-sqlite3 looks for it itself.
 */
function nativeAddon(): string | null {
  if (addonPath !== undefined) return addonPath;
  const path = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
  addonPath = existsSync(path) ? path : null;
  return addonPath;
}

/** openDatabase opens (creating if needed) an SQLite database file. */
export function openDatabase(path: string, opts: { timeout: number }): Database.Database {
  const native = nativeAddon();
  return new Database(path, { timeout: opts.timeout, ...(native ? { nativeBinding: native } : {}) });
}

/**
 * useWal puts the database in WAL mode, waiting up to `timeoutMs` while other processes hold it.
 * The mode is kept in the file, so this only reads it after the first open. SQLite answers this
 * pragma with SQLITE_BUSY at once, without its busy timeout, in the moments another process holds the
 * file exclusively (creating the store, or checkpointing as its last connection closes). Parallel
 * commands on one store met that as "database is locked". False: still held by another after the timeout.
 */
export function useWal(db: Database.Database, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (let waitMs = 2; ; waitMs = Math.min(waitMs * 2, 100)) {
    try {
      if (db.pragma('journal_mode', { simple: true }) === 'wal') return true;
      // SQLite returns the old mode, not an error, when it could not change it
      if (db.pragma('journal_mode = WAL', { simple: true }) === 'wal') return true;
    } catch (err) {
      if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw err;
    }
    if (Date.now() >= deadline) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitMs); // opening a store is synchronous
  }
}

