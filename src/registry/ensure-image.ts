import { parseReference } from '../image/reference.js';
import { ImageNotFoundError, resolveImage, type ImageRecord, type Store } from '../store/index.js';
import type { PlatformSpec } from './platform.js';
import { pullImage } from './pull.js';
import type { Registries } from './registries.js';
import type { TransferListener } from './transfer-events.js';

/** PullPolicy: `missing` pulls only when the store lacks the image, `always` refreshes it (build --pull), `never` only looks. */
export type PullPolicy = 'missing' | 'always' | 'never';

export interface EnsureImageOptions {
  pull?: PullPolicy;
  registries?: Registries;
  platform?: PlatformSpec;
  onEvent?: TransferListener;
}

/**
 * ensureImage returns the store's image for `ref` (a reference as written in FROM), pulling it
 * first when the policy asks: what the builder calls for a FROM image.
 */
export async function ensureImage(store: Store, ref: string, opts: EnsureImageOptions = {}): Promise<ImageRecord> {
  const policy = opts.pull ?? 'missing';
  if (policy !== 'always') {
    try {
      return resolveImage(store, ref);
    } catch (err) {
      if (!(err instanceof ImageNotFoundError) || policy === 'never') throw err;
    }
  }
  const result = await pullImage(store, parseReference(ref), {
    ...(opts.registries ? { registries: opts.registries } : {}),
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  return result.image;
}
