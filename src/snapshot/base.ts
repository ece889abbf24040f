import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ApplyOptions } from './apply-layer.js';
import { SnapshotExistsError, SnapshotNotFoundError, SnapshotStateError } from './errors.js';
import { holdStream } from './hold-stream.js';
import { MetadataStore } from './metadata.js';
import type { CommitOptions, DiffOptions, ImportLayerOptions, Mount, SnapshotInfo, SnapshotKind, Snapshotter, SnapshotterName } from './types.js';

/**
 * SnapshotterBase holds what overlay and native share: metadata, keys, parents, and the directory of each
 * snapshot (`<root>/<id>/fs`). Subclasses say how a tree is made, mounted and diffed.
 */
export abstract class SnapshotterBase implements Snapshotter {
  abstract readonly name: SnapshotterName;
  protected readonly meta: MetadataStore;
  private ready: Promise<void> | undefined;

  constructor(readonly root: string) {
    this.meta = new MetadataStore(root);
  }

  protected init(): Promise<void> {
    this.ready ??= this.meta.init();
    return this.ready;
  }

  /** fsDir is where a snapshot's files live. */
  fsDir(info: SnapshotInfo): string {
    return join(this.root, info.id, 'fs');
  }

  protected abstract create(info: SnapshotInfo, parent: SnapshotInfo | undefined): Promise<void>;
  protected abstract mountsOf(info: SnapshotInfo): Promise<Mount[]>;
  abstract diff(key: string, options?: DiffOptions): Readable;
  abstract layerDirs(key: string): Promise<string[] | undefined>;
  /** applyOptions says how this kind unpacks a layer into the new snapshot `info` (whiteouts, lowers). */
  protected abstract applyOptions(info: SnapshotInfo): Promise<ApplyOptions>;

  async importLayer(name: string, parent: string | undefined, layer: Readable, options: ImportLayerOptions = {}): Promise<SnapshotInfo> {
    const input = holdStream(layer);
    const key = `import-${name}-${process.pid}-${Date.now()}`;
    const info = await this.newSnapshot(key, 'active', parent);
    try {
      // loaded on the first unpack: listing, removing and mounting snapshots (every build) do not need the tar reader
      const { applyLayer } = await import('./apply-layer.js');
      await applyLayer(input, this.fsDir(info), {
        ...(await this.applyOptions(info)),
        ignoreOwnership: process.getuid?.() !== 0,
        ...(options.onEntry ? { onEntry: options.onEntry } : {}),
      });
      return await this.commit(name, key, options.labels ? { labels: options.labels } : {});
    } catch (err) {
      input.destroy();
      await this.remove(key).catch(() => {});
      throw err;
    }
  }

  /** chain returns `info` and its ancestors, nearest first. */
  protected async chain(info: SnapshotInfo): Promise<SnapshotInfo[]> {
    const out = [info];
    let cur = info;
    while (cur.parent !== undefined) {
      cur = await this.stat(cur.parent);
      out.push(cur);
    }
    return out;
  }

  protected async newSnapshot(key: string, kind: SnapshotKind, parent?: string): Promise<SnapshotInfo> {
    await this.init();
    if (await this.meta.get(key)) throw new SnapshotExistsError(key);
    let parentInfo: SnapshotInfo | undefined;
    if (parent !== undefined) {
      parentInfo = await this.stat(parent);
      if (parentInfo.kind !== 'committed') throw new SnapshotStateError(`snapshot ${parent} is not committed and cannot be a parent`);
    }
    const info: SnapshotInfo = { key, kind, id: randomBytes(8).toString('hex'), created: new Date().toISOString() };
    if (parent !== undefined) info.parent = parent;
    // Directories first, metadata last: a crash leaves an orphan directory that cleanup() removes.
    try {
      await mkdir(join(this.root, info.id), { recursive: true, mode: 0o700 });
      await this.create(info, parentInfo);
      await this.meta.put(info);
    } catch (err) {
      await rm(join(this.root, info.id), { recursive: true, force: true });
      throw err;
    }
    return info;
  }

  async prepare(key: string, parent?: string): Promise<Mount[]> {
    return this.mountsOf(await this.newSnapshot(key, 'active', parent));
  }

  async view(key: string, parent?: string): Promise<Mount[]> {
    return this.mountsOf(await this.newSnapshot(key, 'view', parent));
  }

  async mounts(key: string): Promise<Mount[]> {
    const info = await this.stat(key);
    if (info.kind === 'committed') throw new SnapshotStateError(`snapshot ${key} is committed; prepare or view on it instead`);
    return this.mountsOf(info);
  }

  async commit(name: string, key: string, options: CommitOptions = {}): Promise<SnapshotInfo> {
    const info = await this.stat(key);
    if (info.kind !== 'active') throw new SnapshotStateError(`snapshot ${key} is a ${info.kind} snapshot, only an active one can be committed`);
    if (await this.meta.get(name)) throw new SnapshotExistsError(name);
    await this.beforeCommit(info);
    const committed: SnapshotInfo = { ...info, key: name, kind: 'committed', ...(options.labels ? { labels: options.labels } : {}) };
    await this.meta.put(committed);
    await this.meta.delete(key);
    return committed;
  }

  async rename(from: string, to: string, options: CommitOptions = {}): Promise<SnapshotInfo> {
    const info = await this.stat(from);
    if (info.kind !== 'committed') throw new SnapshotStateError(`snapshot ${from} is not committed`);
    if (await this.meta.get(to)) throw new SnapshotExistsError(to);
    const child = (await this.meta.list()).find((i) => i.parent === from);
    if (child) throw new SnapshotStateError(`snapshot ${from} is the parent of ${child.key} and cannot be renamed`);
    // new record first, as commit does; a crash before the old one is gone leaves two records of one
    // directory, and cleanup() drops the old one (renamedFrom says which)
    const renamed: SnapshotInfo = { ...info, key: to, renamedFrom: from, ...(options.labels ? { labels: options.labels } : {}) };
    await this.meta.put(renamed);
    await this.meta.delete(from);
    return renamed;
  }

  /** beforeCommit lets a subclass tidy an active snapshot (overlay empties its work dir). */
  protected async beforeCommit(_info: SnapshotInfo): Promise<void> {}

  async remove(key: string): Promise<void> {
    const info = await this.stat(key);
    if (info.kind === 'committed') {
      const child = (await this.meta.list()).find((i) => i.parent === key);
      if (child) throw new SnapshotStateError(`snapshot ${key} is the parent of ${child.key} and cannot be removed`);
    }
    await this.meta.delete(key);
    await rm(join(this.root, info.id), { recursive: true, force: true });
  }

  async stat(key: string): Promise<SnapshotInfo> {
    await this.init();
    const info = await this.meta.get(key);
    if (!info) throw new SnapshotNotFoundError(key);
    return info;
  }

  async has(key: string): Promise<boolean> {
    await this.init();
    return (await this.meta.get(key)) !== undefined;
  }

  async list(): Promise<SnapshotInfo[]> {
    await this.init();
    return this.meta.list();
  }

  async cleanup(): Promise<void> {
    await this.init();
    await this.meta.removeTemps();
    // A crash inside commit leaves the active record beside the committed one: drop the active one.
    const all = await this.meta.listAll();
    const committed = new Set(all.filter((i) => i.kind === 'committed').map((i) => i.id));
    for (const i of all) if (i.kind !== 'committed' && committed.has(i.id)) await this.meta.delete(i.key);
    // A crash inside rename leaves the old record beside the new one (same directory): drop the old one.
    for (const i of all) {
      const old = i.renamedFrom !== undefined ? all.find((o) => o.key === i.renamedFrom && o.id === i.id) : undefined;
      if (old) await this.meta.delete(old.key);
    }
    const live = new Set((await this.meta.list()).map((i) => i.id));
    for (const d of readdirSync(this.root)) {
      if (d === 'meta' || live.has(d)) continue;
      if (/^[0-9a-f]{16}$/.test(d)) await rm(join(this.root, d), { recursive: true, force: true });
    }
  }
}
