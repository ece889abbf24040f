import type { Digest } from '../image/digest.js';
import type { Store } from '../store/store.js';
import { USERNS_ENV } from './userns-reexec.js';

/** ownsSnapshots: only root, or strata inside its user namespace, can write snapshot files with their real owners. */
function ownsSnapshots(): boolean {
  return process.getuid?.() === 0 || process.env[USERNS_ENV] !== undefined;
}

/**
 * unpackAfterWrite unpacks an image that import or load just wrote into the snapshotter, as Docker does,
 * so that the first build on it starts at once. Where this process cannot (see ownsSnapshots), and when
 * unpacking fails, the first build unpacks instead, so this warns and never fails the command that stored
 * the image.
 */
export async function unpackAfterWrite(store: Store, id: Digest): Promise<void> {
  if (!ownsSnapshots()) return;
  try {
    const { unpackImage } = await import('../build/unpack-image.js');
    await unpackImage(store, id);
  } catch (err) {
    process.stderr.write(`warning: image ${id.slice(0, 19)} was stored but not unpacked (the first build will unpack it): ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

/**
 * pruneUnusedSnapshots removes the unpacked layers nothing in the store refers to any more (after rmi or
 * a prune; see build/prune-snapshots.ts) and returns how many went. An unprivileged user's snapshots hold
 * files of its subordinate ids, which only a build (in its user namespace) can remove: they stay until then.
 */
export async function pruneUnusedSnapshots(store: Store): Promise<number> {
  if (!ownsSnapshots()) return 0;
  const { pruneSnapshots } = await import('../build/prune-snapshots.js');
  return (await pruneSnapshots(store)).removed;
}
