import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest, type Digest } from '../image/digest.js';
import { isIndexMediaType, isManifestMediaType } from '../image/media-types.js';
import type { Store } from './store.js';

export interface GcResult {
  removedBlobs: Digest[];
  reclaimedBytes: number;
  removedTemp: number;
}

const DIGEST_IN_TEXT = /sha256:[a-f0-9]{64}/g;

/**
 * collectGarbage is mark-and-sweep under the store's exclusive lock: every image (its manifest,
 * config and layers), every digest named in a cache record's result, and the images of containers
 * are marked, recursively through manifests and indexes; unmarked blobs, layer rows and every temp
 * file (left by a killed writer: no writer runs while the lock is held) are removed.
 */
export async function collectGarbage(store: Store, opts: { lockTimeoutMs?: number } = {}): Promise<GcResult> {
  store.lock.exclusive(opts.lockTimeoutMs);
  try {
    const marked = new Set<Digest>();
    const pending: Digest[] = [];
    const mark = (d: string) => {
      if (isDigest(d) && !marked.has(d)) (marked.add(d), pending.push(d));
    };
    for (const img of store.images.listImages()) {
      mark(img.id);
      mark(img.manifestDigest);
      img.layers.forEach(mark);
    }
    for (const c of store.listCacheRecords()) for (const d of JSON.stringify(c.result).match(DIGEST_IN_TEXT) ?? []) mark(d);
    for (const c of store.listContainers()) if (c.imageId) mark(c.imageId);
    const containerImages = store.listContainers().map((c) => c.imageId).filter((d): d is Digest => d !== undefined);
    for (const id of containerImages) {
      const img = store.images.getImage(id);
      if (img) (mark(img.manifestDigest), img.layers.forEach(mark));
    }
    // Follow manifests and indexes named by cache records (layers are never parsed: the table knows them).
    while (pending.length) {
      const d = pending.pop()!;
      if (store.images.getLayer(d)) continue;
      const st = await store.statBlob(d);
      if (!st || st.size > 4 << 20) continue;
      let doc: { mediaType?: string; config?: { digest: string }; layers?: { digest: string }[]; manifests?: { digest: string }[] };
      try {
        doc = JSON.parse((await store.readBlob(d)).toString('utf8')) as typeof doc;
      } catch {
        continue;
      }
      if (doc.mediaType && !isManifestMediaType(doc.mediaType) && !isIndexMediaType(doc.mediaType)) continue;
      if (doc.config) mark(doc.config.digest);
      doc.layers?.forEach((l) => mark(l.digest));
      doc.manifests?.forEach((m) => mark(m.digest));
    }
    const removedBlobs: Digest[] = [];
    let reclaimedBytes = 0;
    for (const d of await store.blobs.listBlobs()) {
      if (marked.has(d)) continue;
      const st = await store.statBlob(d);
      await store.blobs.deleteBlob(d);
      removedBlobs.push(d);
      reclaimedBytes += st?.size ?? 0;
    }
    store.transaction(() => {
      for (const l of store.images.listLayers()) if (!marked.has(l.digest)) store.images.deleteLayer(l.digest);
    });
    let removedTemp = 0;
    for (const name of await readdir(store.blobs.tmpDir)) {
      await rm(join(store.blobs.tmpDir, name), { recursive: true, force: true });
      removedTemp++;
    }
    return { removedBlobs, reclaimedBytes, removedTemp };
  } finally {
    store.lock.shared();
  }
}
