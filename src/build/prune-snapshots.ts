import type { SnapshotInfo } from '../snapshot/types.js';
import type { Store } from '../store/store.js';
import { DIFF_ID_LABEL } from './snapshots.js';
import { existingSnapshotters } from './sweep-snapshots.js';

/** PruneSnapshotsResult: how many committed snapshots were removed. */
export interface PruneSnapshotsResult {
  removed: number;
}

/**
 * pruneSnapshots removes the committed snapshots nothing can use any more, after garbage collection has
 * dropped the layers of pruned cache records and removed images. A committed snapshot is kept when the
 * layer it holds (its diffID label) is still in the store and its parent is kept, and every ancestor of
 * an active snapshot (a container's) is kept. The rest go, children first: snapshots made by older
 * versions without a label, the unpacked copies of layers captured for a later RUN (named per build),
 * and the layers of what was pruned. It runs under the store's exclusive lock, so no build is using them.
 */
export async function pruneSnapshots(store: Store, opts: { lockTimeoutMs?: number } = {}): Promise<PruneSnapshotsResult> {
  store.lock.exclusive(opts.lockTimeoutMs);
  let removed = 0;
  try {
    const live = new Set<string>(store.images.listLayers().map((l) => l.diffID));
    for (const sn of existingSnapshotters(store.snapshotsDir)) {
      const all = await sn.list();
      const byKey = new Map(all.map((i) => [i.key, i]));
      const keep = new Set<string>();
      const decided = new Map<string, boolean>();
      const kept = (info: SnapshotInfo): boolean => {
        const known = decided.get(info.key);
        if (known !== undefined) return known;
        const parent = info.parent === undefined ? undefined : byKey.get(info.parent);
        const label = info.labels?.[DIFF_ID_LABEL];
        const ok = label !== undefined && live.has(label) && (info.parent === undefined || (parent !== undefined && kept(parent)));
        decided.set(info.key, ok);
        return ok;
      };
      for (const i of all) if (i.kind === 'committed' && kept(i)) keep.add(i.key);
      for (const i of all) {
        if (i.kind === 'committed') continue;
        for (let p = i.parent; p !== undefined; p = byKey.get(p)?.parent) keep.add(p);
      }
      const depth = (i: SnapshotInfo): number => (i.parent === undefined ? 0 : 1 + depth(byKey.get(i.parent) ?? { ...i, parent: undefined }));
      const doomed = all.filter((i) => i.kind === 'committed' && !keep.has(i.key)).sort((a, b) => depth(b) - depth(a));
      for (const i of doomed) {
        await sn.remove(i.key);
        removed++;
      }
    }
  } finally {
    store.lock.shared();
  }
  return { removed };
}
