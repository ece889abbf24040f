import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Digest } from '../image/digest.js';
import { BlobStore, type BlobInfo, type ExpectedBlob } from './blob-store.js';
import { BuildTables } from './build-tables.js';
import { ImageTables } from './image-tables.js';
import type { BuildRecord, CacheRecord, ChecksumEntry, ChecksumKey, ContainerRecord, LayerRecord, TreeChecksumEntry } from './records.js';
import { StoreBusyError } from './errors.js';
import { resolveStoreRoot } from './root.js';
import { migrate } from './schema.js';
import { StoreLock } from './store-lock.js';
import { openDatabase, useWal } from './sqlite.js';

export interface OpenStoreOptions {
  /** lockTimeoutMs bounds how long opening (shared) or GC (exclusive) waits for the store lock. */
  lockTimeoutMs?: number;
}

/**
 * Store is strata's embedded image store: blobs on disk, metadata in SQLite, a process lock.
 * It is opened by each command (no daemon) and holds the store lock shared until `close()`, so a
 * garbage collection in another process waits for it. Open it with `openStore`.
 */
export class Store {
  readonly root: string;
  readonly db: Database.Database;
  readonly blobs: BlobStore;
  readonly images: ImageTables;
  readonly build: BuildTables;
  readonly lock: StoreLock;
  /** snapshotsDir is where snapshotters keep unpacked layers (`snapshots/<id>/`). */
  readonly snapshotsDir: string;

  constructor(root: string, opts: OpenStoreOptions = {}) {
    this.root = root;
    mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true, mode: 0o700 });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    this.snapshotsDir = join(root, 'snapshots');
    mkdirSync(this.snapshotsDir, { recursive: true });
    this.lock = new StoreLock(root, opts.lockTimeoutMs);
    this.lock.shared();
    this.db = openDatabase(join(root, 'meta.db'), { timeout: opts.lockTimeoutMs ?? 30_000 });
    if (!useWal(this.db, opts.lockTimeoutMs ?? 30_000)) {
      this.db.close();
      this.lock.close();
      throw new StoreBusyError(root);
    }
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.blobs = new BlobStore(root);
    this.images = new ImageTables(this.db);
    this.build = new BuildTables(this.db);
  }

  // Blobs (see BlobStore).
  putBlob(src: Readable | Uint8Array | string, expected?: ExpectedBlob): Promise<BlobInfo> {
    return this.blobs.putBlob(src, expected);
  }
  ingestBlob(batches: AsyncIterable<Buffer[]>, expected?: ExpectedBlob): Promise<BlobInfo> {
    return this.blobs.ingestBlob(batches, expected);
  }
  openBlob(digest: Digest): Readable {
    return this.blobs.openBlob(digest);
  }
  readBlob(digest: Digest, maxSize?: number): Promise<Buffer> {
    return this.blobs.readBlob(digest, maxSize);
  }
  /** readJSON reads and parses a small JSON blob (config, manifest, index). */
  async readJSON<T>(digest: Digest, maxSize = 16 << 20): Promise<T> {
    return JSON.parse((await this.blobs.readBlob(digest, maxSize)).toString('utf8')) as T;
  }
  hasBlob(digest: Digest): Promise<boolean> {
    return this.blobs.hasBlob(digest);
  }
  statBlob(digest: Digest): Promise<BlobInfo | undefined> {
    return this.blobs.statBlob(digest);
  }
  blobPath(digest: Digest): string {
    return this.blobs.blobPath(digest);
  }
  /** tempPath is a fresh path under the store's tmp/ (same filesystem as blobs; GC removes leftovers). */
  tempPath(prefix: string): string {
    return this.blobs.tempPath(prefix);
  }

  /** putLayerRecord records a layer's diffID and sizes (writeLayer calls it). */
  putLayerRecord(l: LayerRecord): void {
    this.images.putLayer(l);
  }

  // Build cache (see BuildTables).
  putCacheRecord(r: Omit<CacheRecord, 'created' | 'lastUsed'> & { created?: number; lastUsed?: number }): void {
    this.build.putCacheRecord(r);
  }
  getCacheRecord<I = unknown, R = unknown>(key: string): CacheRecord<I, R> | undefined {
    return this.build.getCacheRecord<I, R>(key);
  }
  listCacheRecords<I = unknown, R = unknown>(filter?: { stage?: string; step?: string }): CacheRecord<I, R>[] {
    return this.build.listCacheRecords<I, R>(filter);
  }
  touchCacheRecords(keys: string[], when?: number): void {
    this.build.touchCacheRecords(keys, when);
  }
  deleteCacheRecords(keys?: string[]): number {
    return this.build.deleteCacheRecords(keys);
  }
  getChecksums(keys: ChecksumKey[]): Map<string, string> {
    return this.build.getChecksums(keys);
  }
  putChecksums(entries: ChecksumEntry[]): void {
    this.build.putChecksums(entries);
  }
  getTreeChecksum(path: string, fingerprint: string): string | undefined {
    return this.build.getTreeChecksum(path, fingerprint);
  }
  putTreeChecksums(entries: TreeChecksumEntry[]): void {
    this.build.putTreeChecksums(entries);
  }
  putContainer(c: ContainerRecord): void {
    this.build.putContainer(c);
  }
  getContainer<R = unknown>(idOrName: string): ContainerRecord<R> | undefined {
    return this.build.getContainer<R>(idOrName);
  }
  listContainers<R = unknown>(): ContainerRecord<R>[] {
    return this.build.listContainers<R>();
  }
  deleteContainer(id: string): boolean {
    return this.build.deleteContainer(id);
  }
  putBuildRecord(b: BuildRecord): void {
    this.build.putBuildRecord(b);
  }
  getBuildRecord<R = unknown>(id: string): BuildRecord<R> | undefined {
    return this.build.getBuildRecord<R>(id);
  }
  listBuildRecords<R = unknown>(limit?: number): BuildRecord<R>[] {
    return this.build.listBuildRecords<R>(limit);
  }

  /** transaction runs `fn` in one immediate SQLite transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.lock.close();
  }
}

/** openStore opens (creating if needed) the store at `root`, resolved as resolveStoreRoot does. */
export function openStore(root?: string, opts?: OpenStoreOptions): Store {
  return new Store(resolveStoreRoot(root), opts);
}
