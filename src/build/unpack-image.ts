import type { Digest } from '../image/digest.js';
import { createSnapshotter, type SnapshotterChoice } from '../snapshot/select.js';
import type { Store } from '../store/store.js';
import { imageChain } from './base-resolver.js';
import { SnapshotChains } from './snapshots.js';

/**
 * unpackImage unpacks an image's layers into committed snapshots (named by chain id, as a build's
 * RUN steps look them up), so the first build on a freshly imported or loaded image does not pay for
 * unpacking it, as with `docker import` / `docker load`, which unpack into the daemon's snapshotter.
 * Layers already unpacked are skipped. Returns the snapshotter that was used.
 */
export async function unpackImage(store: Store, id: Digest, choice: SnapshotterChoice = 'auto'): Promise<string> {
  const snapshotter = createSnapshotter(choice, store.snapshotsDir);
  await new SnapshotChains(snapshotter, store).ensure(await imageChain(store, id));
  return snapshotter.name;
}
