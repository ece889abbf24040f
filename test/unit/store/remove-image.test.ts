import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageConfig } from '../../../src/image/oci.js';
import { writeLayer } from '../../../src/image/write-layer.js';
import { openStore, putImage, removeImage, type Store } from '../../../src/store/index.js';
import type { ImageRecord } from '../../../src/store/records.js';
import { createTar } from '../../helpers/tar.js';

/** rmi semantics with parent chains and containers (docker's image_delete rules). */
let root: string;
let store: Store;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-rmi-'));
  store = openStore(root);
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

async function image(name: string, parent?: ImageRecord, tags: string[] = []): Promise<ImageRecord> {
  const l = await writeLayer(store, createTar({ [name]: name }));
  const diffIDs = [...(parent ? (await store.readJSON<ImageConfig>(parent.id)).rootfs.diff_ids : []), l.diffID];
  const layers = [...(parent ? parent.layers.map((d) => store.images.getLayer(d)!).map((r) => ({ descriptor: { mediaType: r.mediaType, digest: r.digest, size: r.size }, diffID: r.diffID })) : []), l];
  return putImage(store, { config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIDs } }, layers, tags, ...(parent ? { parent: parent.id } : {}) });
}

describe('removeImage', () => {
  it('refuses an image with children, and prunes untagged parents unless noPrune', async () => {
    const base = await image('base');
    const mid = await image('mid', base);
    const top = await image('top', mid, ['top']);
    expect(() => removeImage(store, mid.id)).toThrow(`conflict: unable to delete ${mid.id.slice(7, 19)} (cannot be forced) - image has dependent child images`);
    expect(removeImage(store, 'top', { noPrune: true })).toEqual([
      { kind: 'untagged', ref: 'top:latest' },
      { kind: 'deleted', id: top.id },
    ]);
    expect(store.images.getImage(mid.id)).toBeDefined();
    expect(removeImage(store, mid.id)).toEqual([
      { kind: 'deleted', id: mid.id },
      { kind: 'deleted', id: base.id },
    ]);
    expect(store.images.listImages()).toEqual([]);
  });

  it('refuses an image a container uses unless forced', async () => {
    const img = await image('c', undefined, ['app']);
    store.putContainer({ id: 'abcdef1234567890', imageId: img.id, created: 1, size: 0, record: {} });
    expect(() => removeImage(store, 'app')).toThrow(`conflict: unable to remove repository reference "app" (must force) - container abcdef123456 is using its referenced image ${img.id.slice(7, 19)}`);
    expect(removeImage(store, 'app', { force: true })).toEqual([
      { kind: 'untagged', ref: 'app:latest' },
      { kind: 'deleted', id: img.id },
    ]);
  });
});
