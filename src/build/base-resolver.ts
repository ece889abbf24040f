import type { Digest } from '../image/digest.js';
import type { ImageConfig, Manifest } from '../image/oci.js';
import type { BaseImage, BaseResolver } from '../plan/types.js';
import type { Platform } from '../plan/platform.js';
import { ImageNotFoundError } from '../store/errors.js';
import { resolveImage } from '../store/resolve-image.js';
import type { Store } from '../store/store.js';
import type { ChainLayer } from './types.js';
import { StrataError } from '../util/errors.js';
import type { PullPolicy, Registries } from '../registry/index.js';
import type { ProgressSink } from './progress.js';

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

/** BasePullOptions says how FROM images that the store lacks (or all, with --pull) come from a registry. */
export interface BasePullOptions {
  pull: PullPolicy;
  registries: () => Promise<Registries>;
  onEvent?: ProgressSink;
}

/**
 * pullingResolver resolves FROM and COPY --from images through `ensureImage`: a missing image
 * is pulled (policy 'missing'), or every one is re-resolved against its registry ('always', from
 * `build --pull`). Each pull shows as one `[internal] pull REF` step with Docker's layer lines.
 */
export function pullingResolver(store: Store, opts: BasePullOptions): BaseResolver {
  const seen = new Map<string, Promise<BaseImage>>();
  return {
    resolve(ref: string, platform: Platform): Promise<BaseImage> {
      // one pull per reference and build, even when several stages name it
      let p = seen.get(ref);
      if (!p) seen.set(ref, (p = resolvePulling(store, ref, platform, opts)));
      return p;
    },
  };
}

async function resolvePulling(store: Store, ref: string, platform: Platform, opts: BasePullOptions): Promise<BaseImage> {
  if (opts.pull !== 'always') {
    try {
      return await storeResolver(store).resolve(ref, platform);
    } catch (err) {
      // only a missing image is pulled; an ambiguous ID or a broken store is an error as it is
      if (!(err instanceof ImageNotFoundError) || opts.pull === 'never') throw err;
    }
  }
  // Loaded only to pull: a build whose images are all in the store never loads the registry client.
  const [{ ensureImage }, { pullProgress }] = await Promise.all([import('../registry/ensure-image.js'), import('./pull-progress.js')]);
  const progress = pullProgress(ref, opts.onEvent);
  try {
    const rec = await ensureImage(store, ref, { pull: opts.pull, registries: await opts.registries(), onEvent: progress.listener });
    progress.done(rec.manifestDigest);
    return { ref, id: rec.id, config: await store.readJSON<ImageConfig>(rec.id) };
  } catch (err) {
    progress.failed(err);
    // Not in the store and not pullable: still "no such image" (the registry's reason follows),
    // so scripts that test for IMAGE_NOT_FOUND keep working whether or not a registry was asked.
    if (opts.pull === 'missing') throw new StrataError('IMAGE_NOT_FOUND', `No such image, and the pull failed: ${(err as Error).message}`, { cause: err });
    throw err;
  }
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
