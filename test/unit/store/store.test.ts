import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Digest, type Digest } from '../../../src/image/digest.js';
import type { ImageConfig } from '../../../src/image/oci.js';
import { writeLayer } from '../../../src/image/write-layer.js';
import { collectGarbage, openStore, putImage, resolveImage, resolveStoreRoot, type Store } from '../../../src/store/index.js';
import { createTar } from '../../helpers/tar.js';

let root: string;
let store: Store;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-store-'));
  store = openStore(root);
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

function config(diffIDs: Digest[], extra: Partial<ImageConfig> = {}): ImageConfig {
  return { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIDs }, ...extra };
}

async function image(files: Record<string, string>, tags: string[] = [], extra: Partial<ImageConfig> = {}) {
  const layer = await writeLayer(store, createTar(files));
  return putImage(store, { config: config([layer.diffID], extra), layers: [layer], tags });
}

describe('blob store', () => {
  it('stores by digest, verifies and refuses a mismatch without leaving anything', async () => {
    const info = await store.putBlob(Readable.from([Buffer.from('hello')]));
    expect(info).toEqual({ digest: sha256Digest('hello'), size: 5 });
    expect(await store.hasBlob(info.digest)).toBe(true);
    expect((await store.readBlob(info.digest)).toString()).toBe('hello');
    await expect(store.readBlob(info.digest, 4)).rejects.toMatchObject({ code: 'SIZE_LIMIT' });
    await expect(store.readBlob(sha256Digest('never stored'))).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
    expect(await store.statBlob(sha256Digest('never stored'))).toBeUndefined();
    expect((await store.readBlob((await store.putBlob('')).digest)).length).toBe(0);
    const wrong = sha256Digest('other');
    await expect(store.putBlob('hello!', { digest: wrong })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(store.putBlob('hello!', { size: 3 })).rejects.toMatchObject({ code: 'SIZE_LIMIT' });
    expect(await store.hasBlob(sha256Digest('hello!'))).toBe(false);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    // a document already stored is answered without writing it again; expectations still hold
    const tmpBefore = statSync(join(root, 'tmp'), { bigint: true }).mtimeNs;
    expect(await store.putBlob('hello')).toEqual(info);
    expect(statSync(join(root, 'tmp'), { bigint: true }).mtimeNs).toBe(tmpBefore); // no temp file was made and removed
    await expect(store.putBlob('hello', { digest: wrong })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(store.putBlob('hello', { size: 4 })).rejects.toMatchObject({ code: 'SIZE_LIMIT' });
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('ingests a blob handed over in batches of chunks, with the checks of putBlob', async () => {
    // 20 MiB in batches of three uneven chunks: more than the writes it queues at once (8 MiB)
    const chunk = (i: number, n: number) => Buffer.alloc(n, i % 251);
    const all: Buffer[][] = [];
    for (let i = 0; i < 20; i++) all.push([chunk(i, 100_000), chunk(i + 1, 900_000), chunk(i + 2, (1 << 20) - 1_000_000)]);
    const whole = Buffer.concat(all.flat());
    async function* batches(upTo = all.length, fail?: Error): AsyncGenerator<Buffer[]> {
      for (let i = 0; i < upTo; i++) yield all[i]!;
      if (fail) throw fail;
    }
    const digest = sha256Digest(whole);
    expect(await store.ingestBlob(batches(), { digest, size: whole.length })).toEqual({ digest, size: whole.length });
    expect((await store.readBlob(digest)).equals(whole)).toBe(true);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);

    const other = sha256Digest('other');
    await expect(store.ingestBlob(batches(3), { digest: other })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(store.ingestBlob(batches(), { size: 5 << 20 })).rejects.toMatchObject({ code: 'SIZE_LIMIT' });
    await expect(store.ingestBlob(batches(4, new Error('connection reset')), { digest: other })).rejects.toThrow('connection reset');
    await expect(store.ingestBlob(batches(2), { digest, size: whole.length })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' }); // too short
    expect(await store.hasBlob(sha256Digest(Buffer.concat(all.slice(0, 3).flat())))).toBe(false);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('resolves the root from --root, STRATA_ROOT, then the user default', () => {
    expect(resolveStoreRoot('/x/y')).toBe('/x/y');
    expect(resolveStoreRoot(undefined, { STRATA_ROOT: '/s' })).toBe('/s');
    if (process.getuid?.() === 0) expect(resolveStoreRoot(undefined, {})).toBe('/var/lib/strata');
  });
});

describe('images', () => {
  it('writes a layer deterministically and records image, layers and tags', async () => {
    const a = await writeLayer(store, createTar({ 'a.txt': 'A' }));
    const b = await writeLayer(store, createTar({ 'a.txt': 'A' }));
    expect(b.descriptor.digest).toBe(a.descriptor.digest);
    expect(store.images.getLayer(a.descriptor.digest)?.diffID).toBe(a.diffID);
    const img = await putImage(store, { config: config([a.diffID]), layers: [a], tags: ['app', 'app:1'] });
    expect(store.images.tagsOf(img.id)).toEqual(['docker.io/library/app:1', 'docker.io/library/app:latest']);
    expect(resolveImage(store, 'app').id).toBe(img.id);
    expect(resolveImage(store, img.id.slice(7, 19)).id).toBe(img.id);
    expect(img.size).toBe(a.uncompressedSize);
    expect(() => resolveImage(store, 'nope')).toThrow('No such image: nope');
  });

  it('refuses an ambiguous short ID', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await image({ f: String(i) }, [], { created: `2020-01-01T00:00:${String(i).padStart(2, '0')}Z` })).id);
    const first = new Map<string, number>();
    for (const id of ids) first.set(id[7]!, (first.get(id[7]!) ?? 0) + 1);
    const shared = [...first.entries()].find(([, n]) => n > 1)![0];
    expect(() => resolveImage(store, shared)).toThrow(/ambiguous/);
  });

  it('refuses a config whose diff_ids do not match the layers', async () => {
    const a = await writeLayer(store, createTar({ x: '1' }));
    await expect(putImage(store, { config: config([sha256Digest('x')]), layers: [a], tags: ['t'] })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(store.images.listTags()).toEqual([]);
  });
});

describe('garbage collection', () => {
  it('keeps what images and cache records reference and removes the rest and temp files', async () => {
    const kept = await image({ k: 'keep' }, ['keep']);
    const cached = await writeLayer(store, createTar({ c: 'cached' }));
    store.putCacheRecord({ key: 'k1', inputs: { step: 'RUN x' }, result: { layer: cached.descriptor }, size: 1 });
    const orphan = await store.putBlob('orphan');
    writeFileSync(join(root, 'tmp', 'blob-1-leftover'), 'partial');
    const r = await collectGarbage(store);
    expect(r.removedBlobs).toEqual([orphan.digest]);
    expect(r.removedTemp).toBe(1);
    expect(await store.hasBlob(kept.manifestDigest)).toBe(true);
    expect(await store.hasBlob(cached.descriptor.digest)).toBe(true);
    store.deleteCacheRecords(['k1']);
    expect((await collectGarbage(store)).removedBlobs).toEqual([cached.descriptor.digest]);
  });
});

describe('records', () => {
  it('keeps cache records, checksums, containers and build records', () => {
    store.putCacheRecord({ key: 'a', inputs: { x: 1 }, result: {}, stage: 's', step: 'RUN a', size: 0 });
    store.touchCacheRecords(['a'], 5);
    expect(store.getCacheRecord('a')).toMatchObject({ inputs: { x: 1 }, step: 'RUN a', lastUsed: 5 });
    store.putCacheRecord({ key: 'b', inputs: {}, result: {}, stage: 's', step: 'RUN b', size: 0 });
    store.touchCacheRecords(['a', 'b', 'missing'], 9);
    expect([store.getCacheRecord('a')?.lastUsed, store.getCacheRecord('b')?.lastUsed]).toEqual([9, 9]);
    expect(store.listCacheRecords({ step: 'RUN a' })).toHaveLength(1);
    const key = { path: '/c/f', dev: 1, ino: 2, size: 3, mtimeNs: '123456789012345678', mode: 0o644, uid: 0, gid: 0 };
    store.putChecksums([{ ...key, checksum: 'sha256:x' }]);
    expect(store.getChecksums([key]).get('/c/f')).toBe('sha256:x');
    expect(store.getChecksums([{ ...key, size: 4 }]).size).toBe(0);
    store.putContainer({ id: 'c1', name: 'web', created: 1, size: 0, record: { a: 1 } });
    expect(store.getContainer('web')?.record).toEqual({ a: 1 });
    store.putBuildRecord({ id: 'b1', started: 1, record: { steps: [] } });
    expect(store.listBuildRecords()).toHaveLength(1);
  });
});

describe('schema migration', () => {
  it('opens a version-1 store made by an earlier release: layers gain diff_verified, layer_indexes and tree_checksums appear, nothing is lost', async () => {
    const img = await image({ 'a.txt': 'a' }, ['old:1']);
    store.close();
    // make it look like version 1: no layer_indexes, no layers.diff_verified
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(root, 'meta.db'));
    db.exec('DROP TABLE layer_indexes; DROP TABLE tree_checksums; ALTER TABLE layers DROP COLUMN diff_verified; PRAGMA user_version = 1');
    db.close();
    store = openStore(root);
    expect(resolveImage(store, 'old:1').id).toBe(img.id);
    const layer = store.images.getLayer(img.layers[0]!)!;
    expect(layer.diffVerified).toBeUndefined();
    store.images.putLayerIndex(layer.diffID, { entries: [] });
    expect(store.images.getLayerIndex(layer.diffID)).toEqual({ entries: [] });
    store.putTreeChecksums([{ path: '/ctx/data', fingerprint: 'f1', checksum: 'sha256:1' }]);
    expect(store.getTreeChecksum('/ctx/data', 'f1')).toBe('sha256:1');
    expect(store.getTreeChecksum('/ctx/data', 'f2')).toBeUndefined();
    const check = new Database(join(root, 'meta.db'), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(4);
    check.close();
  });
});
