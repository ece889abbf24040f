import type Database from 'better-sqlite3';
import type { Digest } from '../image/digest.js';
import type { BuildRecord, CacheRecord, ChecksumEntry, ChecksumKey, ContainerRecord, TreeChecksumEntry } from './records.js';

interface CacheRow {
  key: string;
  inputs: string;
  result: string;
  stage: string | null;
  step: string | null;
  size: number;
  created: number;
  last_used: number;
}

function toCache<I, R>(r: CacheRow): CacheRecord<I, R> {
  return {
    key: r.key,
    inputs: JSON.parse(r.inputs) as I,
    result: JSON.parse(r.result) as R,
    ...(r.stage !== null ? { stage: r.stage } : {}),
    ...(r.step !== null ? { step: r.step } : {}),
    size: r.size,
    created: r.created,
    lastUsed: r.last_used,
  };
}

/** BuildTables reads and writes cache records, the checksum cache, containers and build records. */
export class BuildTables {
  constructor(private readonly db: Database.Database) {}

  putCacheRecord(r: Omit<CacheRecord, 'created' | 'lastUsed'> & { created?: number; lastUsed?: number }): void {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO cache_records (key, inputs, result, stage, step, size, created, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET inputs = excluded.inputs, result = excluded.result, stage = excluded.stage,
           step = excluded.step, size = excluded.size, last_used = excluded.last_used`,
      )
      .run(r.key, JSON.stringify(r.inputs), JSON.stringify(r.result), r.stage ?? null, r.step ?? null, r.size, r.created ?? now, r.lastUsed ?? now);
  }

  getCacheRecord<I = unknown, R = unknown>(key: string): CacheRecord<I, R> | undefined {
    const r = this.db.prepare('SELECT * FROM cache_records WHERE key = ?').get(key) as CacheRow | undefined;
    return r ? toCache<I, R>(r) : undefined;
  }

  /** listCacheRecords lists records, newest use first; `step` filters on the step text (to explain misses). */
  listCacheRecords<I = unknown, R = unknown>(filter: { stage?: string; step?: string } = {}): CacheRecord<I, R>[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.stage !== undefined) (where.push('stage = ?'), args.push(filter.stage));
    if (filter.step !== undefined) (where.push('step = ?'), args.push(filter.step));
    const sql = `SELECT * FROM cache_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_used DESC, key`;
    return (this.db.prepare(sql).all(...args) as CacheRow[]).map((r) => toCache<I, R>(r));
  }

  /** touchCacheRecords marks many records used in one transaction (a cached build's steps: one commit, not one each). */
  touchCacheRecords(keys: string[], when = Date.now()): void {
    if (keys.length === 0) return;
    const upd = this.db.prepare('UPDATE cache_records SET last_used = ? WHERE key = ?');
    this.db.transaction(() => {
      for (const k of keys) upd.run(when, k);
    }).immediate();
  }

  /** deleteCacheRecords deletes the given keys, or every record when `keys` is undefined; returns the count. */
  deleteCacheRecords(keys?: string[]): number {
    if (keys === undefined) return this.db.prepare('DELETE FROM cache_records').run().changes;
    const del = this.db.prepare('DELETE FROM cache_records WHERE key = ?');
    let n = 0;
    this.db.transaction(() => {
      for (const k of keys) n += del.run(k).changes;
    }).immediate();
    return n;
  }

  /** getChecksums returns the cached checksum of each key whose stat tuple still matches (by path). */
  getChecksums(keys: ChecksumKey[]): Map<string, string> {
    const out = new Map<string, string>();
    const q = this.db.prepare(
      'SELECT checksum FROM checksum_cache WHERE path = ? AND dev = ? AND ino = ? AND size = ? AND mtime_ns = ? AND mode = ? AND uid = ? AND gid = ?',
    );
    this.db.transaction(() => {
      for (const k of keys) {
        const r = q.get(k.path, k.dev, k.ino, k.size, k.mtimeNs, k.mode, k.uid, k.gid) as { checksum: string } | undefined;
        if (r) out.set(k.path, r.checksum);
      }
    })();
    return out;
  }

  /** putChecksums records many checksums in one transaction. */
  putChecksums(entries: ChecksumEntry[]): void {
    const ins = this.db.prepare(
      'INSERT OR REPLACE INTO checksum_cache (path, dev, ino, size, mtime_ns, mode, uid, gid, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const e of entries) ins.run(e.path, e.dev, e.ino, e.size, e.mtimeNs, e.mode, e.uid, e.gid, e.checksum);
    }).immediate();
  }

  /** getTreeChecksum returns the checksum recorded for the tree at `path` under exactly this fingerprint. */
  getTreeChecksum(path: string, fingerprint: string): string | undefined {
    const r = this.db.prepare('SELECT checksum FROM tree_checksums WHERE path = ? AND fingerprint = ?').get(path, fingerprint) as { checksum: string } | undefined;
    return r?.checksum;
  }

  /** putTreeChecksums records tree checksums (one row per tree root, the latest wins) in one transaction. */
  putTreeChecksums(entries: TreeChecksumEntry[]): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO tree_checksums (path, fingerprint, checksum) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const e of entries) ins.run(e.path, e.fingerprint, e.checksum);
    }).immediate();
  }

  putContainer(c: ContainerRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO containers (id, name, image_id, created, size, record) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.id, c.name ?? null, c.imageId ?? null, c.created, c.size, JSON.stringify(c.record));
  }

  getContainer<R = unknown>(idOrName: string): ContainerRecord<R> | undefined {
    const r = this.db.prepare('SELECT * FROM containers WHERE id = ? OR name = ? OR substr(id, 1, ?) = ? LIMIT 1').get(idOrName, idOrName, idOrName.length, idOrName) as ContainerRow | undefined;
    return r ? toContainer<R>(r) : undefined;
  }

  listContainers<R = unknown>(): ContainerRecord<R>[] {
    return (this.db.prepare('SELECT * FROM containers ORDER BY created DESC').all() as ContainerRow[]).map((r) => toContainer<R>(r));
  }

  deleteContainer(id: string): boolean {
    return this.db.prepare('DELETE FROM containers WHERE id = ?').run(id).changes > 0;
  }

  putBuildRecord(b: BuildRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO build_records (id, started, finished, record) VALUES (?, ?, ?, ?)')
      .run(b.id, b.started, b.finished ?? null, JSON.stringify(b.record));
  }

  getBuildRecord<R = unknown>(id: string): BuildRecord<R> | undefined {
    const r = this.db.prepare('SELECT * FROM build_records WHERE id = ?').get(id) as BuildRow | undefined;
    return r ? toBuild<R>(r) : undefined;
  }

  listBuildRecords<R = unknown>(limit = 100): BuildRecord<R>[] {
    return (this.db.prepare('SELECT * FROM build_records ORDER BY started DESC LIMIT ?').all(limit) as BuildRow[]).map((r) => toBuild<R>(r));
  }
}

interface ContainerRow {
  id: string;
  name: string | null;
  image_id: string | null;
  created: number;
  size: number;
  record: string;
}

function toContainer<R>(r: ContainerRow): ContainerRecord<R> {
  return {
    id: r.id,
    ...(r.name !== null ? { name: r.name } : {}),
    ...(r.image_id !== null ? { imageId: r.image_id as Digest } : {}),
    created: r.created,
    size: r.size,
    record: JSON.parse(r.record) as R,
  };
}

interface BuildRow {
  id: string;
  started: number;
  finished: number | null;
  record: string;
}

function toBuild<R>(r: BuildRow): BuildRecord<R> {
  return { id: r.id, started: r.started, ...(r.finished !== null ? { finished: r.finished } : {}), record: JSON.parse(r.record) as R };
}
