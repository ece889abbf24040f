import type { Digest } from '../image/digest.js';
import type { Store } from '../store/store.js';
import { USERNS_ENV } from './userns-reexec.js';

/**
 * unpackAfterWrite unpacks an image that import or load just wrote into the snapshotter, as Docker does,
 * so that the first build on it starts at once. Only root (or strata inside its user namespace) can make
 * the snapshot files with their real owners; otherwise, and when unpacking fails, the first build unpacks
 * instead, so this warns and never fails the command that stored the image.
 */
export async function unpackAfterWrite(store: Store, id: Digest): Promise<void> {
  if (process.getuid?.() !== 0 && process.env[USERNS_ENV] === undefined) return;
  try {
    const { unpackImage } = await import('../build/unpack-image.js');
    await unpackImage(store, id);
  } catch (err) {
    process.stderr.write(`warning: image ${id.slice(0, 19)} was stored but not unpacked (the first build will unpack it): ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
