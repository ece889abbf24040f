import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NativeSnapshotter } from '../snapshot/native.js';
import { OverlaySnapshotter } from '../snapshot/overlay.js';
import type { Snapshotter } from '../snapshot/types.js';
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
    // Each kind that has a folder is swept as it is: removing needs no mount, so there is no need to
    // probe for overlay support (a process spawn) at the start of every build.
    for (const sn of existingSnapshotters(store.snapshotsDir)) {
      for (const s of await sn.list()) {
        if (s.kind === 'committed' || !WORKING_PREFIXES.some((p) => s.key.startsWith(p))) continue;
        await sn.remove(s.key).then(
          () => removed.push(s.key),
          () => undefined,
        );
      }
      await sn.cleanup().catch(() => undefined);
    }
  } finally {
    store.lock.shared();
  }
  return removed;
}

/** existingSnapshotters opens the snapshotters whose folders exist (see createSnapshotter for the layout). */
export function existingSnapshotters(root: string): Snapshotter[] {
  const out: Snapshotter[] = [];
  if (existsSync(join(root, 'overlay'))) out.push(new OverlaySnapshotter(join(root, 'overlay')));
  if (existsSync(join(root, 'native'))) out.push(new NativeSnapshotter(join(root, 'native')));
  return out;
}
