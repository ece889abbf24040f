import type { Digest } from '../image/digest.js';
import type { ImageConfig, Manifest } from '../image/oci.js';
import type { BaseImage, BaseResolver } from '../plan/types.js';
import { resolveImage } from '../store/resolve-image.js';
import type { Store } from '../store/store.js';
import type { ChainLayer } from './types.js';

/**
 * storeResolver resolves FROM and COPY --from images in the local store (registry pulls come with
 * the registry issue: they would fetch into the store here first).
 */
export function storeResolver(store: Store): BaseResolver {
  return {
    async resolve(ref: string): Promise<BaseImage> {
      const rec = resolveImage(store, ref);
      const config = await store.readJSON<ImageConfig>(rec.id);
      return { ref, id: rec.id, config };
    },
  };
}

/** imageChain lists an image's layers (bottom first) with their diffIDs. */
export async function imageChain(store: Store, id: Digest): Promise<ChainLayer[]> {
  const rec = store.images.getImage(id);
  if (!rec) throw new Error(`image ${id} vanished from the store`);
  const manifest = await store.readJSON<Manifest>(rec.manifestDigest);
  const config = await store.readJSON<ImageConfig>(rec.id);
  return manifest.layers.map((d, i) => {
    const known = store.images.getLayer(d.digest);
    return { descriptor: d, diffID: config.rootfs.diff_ids[i]!, ...(known ? { uncompressedSize: known.uncompressedSize } : {}) };
  });
}
