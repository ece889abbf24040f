import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { StoreBusyError } from './errors.js';
import { openDatabase } from './sqlite.js';

/**
 * StoreLock is a readers-writer lock between strata processes, made of SQLite's own file locks on
 * `lock.db` (rollback-journal mode, so a reader's SHARED lock keeps an EXCLUSIVE writer out).
 * Every open store holds it shared; garbage collection takes it exclusive, so GC never runs while
 * another process is between writing a blob and recording what references it. The locks are POSIX
 * advisory locks owned by the process: the kernel drops them when a process dies, even by SIGKILL.
 */
export class StoreLock {
  private readonly db: Database.Database;
  private mode: 'none' | 'shared' | 'exclusive' = 'none';

  constructor(
    private readonly root: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.db = openDatabase(join(root, 'lock.db'), { timeout: timeoutMs });
    this.db.pragma('journal_mode = DELETE');
    this.db.exec('CREATE TABLE IF NOT EXISTS lock (x INTEGER)');
  }

  /** shared takes the lock for reading and writing store content (not deleting it). */
  shared(): void {
    this.release();
    this.run(() => {
      this.db.exec('BEGIN DEFERRED');
      this.db.prepare('SELECT count(*) FROM lock').get();
    });
    this.mode = 'shared';
  }

  /** exclusive waits until no other process holds the lock (GC). */
  exclusive(timeoutMs = this.timeoutMs): void {
    this.release();
    this.db.pragma(`busy_timeout = ${timeoutMs}`);
    try {
      this.run(() => this.db.exec('BEGIN EXCLUSIVE'));
    } finally {
      this.db.pragma(`busy_timeout = ${this.timeoutMs}`);
    }
    this.mode = 'exclusive';
  }

  release(): void {
    if (this.mode !== 'none') this.db.exec('ROLLBACK');
    this.mode = 'none';
  }

  close(): void {
    this.release();
    this.db.close();
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new StoreBusyError(this.root);
      throw err;
    }
  }
}
