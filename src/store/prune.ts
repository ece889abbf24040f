import { collectGarbage } from './gc.js';
import type { ImageRecord } from './records.js';
import { removeImage, type RemoveEvent } from './remove-image.js';
import type { Store } from './store.js';

/** ImagePruneFilter is `image prune --filter`: until=, label= and label!=. */
export interface ImagePruneFilter {
  /** until keeps images created after this time (ms). */
  until?: number;
  labels?: { key: string; value?: string; negate: boolean }[];
}

export interface PruneResult {
  events: RemoveEvent[];
  reclaimedBytes: number;
}

/**
 * pruneImages removes dangling images (no tag), or with `all` every image no container uses, that
 * pass the filters; then collects garbage and reports what the freed blobs took on disk.
 */
export async function pruneImages(store: Store, opts: { all?: boolean; filter?: ImagePruneFilter } = {}): Promise<PruneResult> {
  const used = new Set(store.listContainers().map((c) => c.imageId));
  const events: RemoveEvent[] = [];
  // Children first, so a parent is not refused for having a child that is about to go.
  const candidates = store.images.listImages().sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
  for (const img of candidates) {
    if (used.has(img.id)) continue;
    if (!store.images.getImage(img.id)) continue;
    const tags = store.images.tagsOf(img.id);
    if (!opts.all && tags.length > 0) continue;
    if (!(await matches(store, img, opts.filter))) continue;
    if (store.images.childrenOf(img.id).length > 0) continue;
    events.push(...removeImage(store, img.id, { force: true }));
  }
  const gc = await collectGarbage(store);
  return { events, reclaimedBytes: gc.reclaimedBytes };
}

async function matches(store: Store, img: ImageRecord, f: ImagePruneFilter | undefined): Promise<boolean> {
  if (!f) return true;
  if (f.until !== undefined) {
    const created = img.created ? Date.parse(img.created) : img.added;
    if (!(created < f.until)) return false;
  }
  if (f.labels?.length) {
    const labels = (await store.readJSON<{ config?: { Labels?: Record<string, string> } }>(img.id)).config?.Labels ?? {};
    for (const l of f.labels) {
      const has = l.key in labels && (l.value === undefined || labels[l.key] === l.value);
      if (has === l.negate) return false;
    }
  }
  return true;
}

/** pruneBuildCache deletes build cache records (all, or those last used before `until`). */
export function pruneBuildCache(store: Store, opts: { until?: number } = {}): { keys: string[]; size: number } {
  const recs = store.listCacheRecords().filter((r) => opts.until === undefined || r.lastUsed < opts.until);
  store.deleteCacheRecords(recs.map((r) => r.key));
  return { keys: recs.map((r) => r.key), size: recs.reduce((n, r) => n + r.size, 0) };
}
