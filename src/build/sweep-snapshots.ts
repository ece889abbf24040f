import { createSnapshotter } from '../snapshot/select.js';
import type { Store } from '../store/store.js';

/** WORKING_PREFIXES name the snapshots a build or a view makes for itself (run-, view-: see run-step.ts, snapshots.ts). */
const WORKING_PREFIXES = ['run-', 'view-'];

/**
 * sweepWorkingSnapshots removes the working snapshots a killed build left behind (an active RUN
 * snapshot, a view). It only runs when it can take the store lock exclusive at once: then no other
 * strata process has the store open, so every working snapshot is an orphan. Otherwise it does
 * nothing and a later command sweeps. Containers' snapshots (ctr-) are theirs to keep. Returns the
 * keys removed.
 */
export async function sweepWorkingSnapshots(store: Store): Promise<string[]> {
  try {
    store.lock.exclusive(0);
  } catch {
    return [];
  }
  const removed: string[] = [];
  try {
    const sn = createSnapshotter('auto', store.snapshotsDir);
    for (const s of await sn.list()) {
      if (s.kind === 'committed' || !WORKING_PREFIXES.some((p) => s.key.startsWith(p))) continue;
      await sn.remove(s.key).then(
        () => removed.push(s.key),
        () => undefined,
      );
    }
    await sn.cleanup().catch(() => undefined);
  } finally {
    store.lock.shared();
  }
  return removed;
}
