import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { autoDecompress } from '../image/compression.js';
import { applyChanges } from '../image/config-changes.js';
import type { ImageConfig } from '../image/oci.js';
import type { TarPolicy } from '../image/tar-policy.js';
import { tarValidator } from '../image/tar-validator.js';
import { writeLayer } from '../image/write-layer.js';
import { putImage } from './put-image.js';
import type { ImageRecord } from './records.js';
import type { Store } from './store.js';

export interface ImportOptions {
  /** source names the input in the history comment ("Imported from -"). */
  source: string;
  changes?: string[];
  message?: string;
  tags?: string[];
  policy: TarPolicy;
  platform?: { os: string; architecture: string; variant?: string };
  /** now is the creation time (SOURCE_DATE_EPOCH-style reproducibility, and tests). */
  now?: Date;
}

/** hostArchitecture is Node's architecture in OCI spelling. */
export function hostArchitecture(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
}

/**
 * importRootfs makes a one-layer image from a root filesystem tarball (plain, gzip, bzip2, xz or
 * zstd), as `docker import` does: the tar is checked entry by entry while it streams into the layer,
 * the config takes the `--change` instructions, and the history says where it came from.
 */
export async function importRootfs(store: Store, src: Readable, opts: ImportOptions): Promise<ImageRecord> {
  const containerConfig = applyChanges({}, opts.changes ?? []);
  const { stream } = await autoDecompress(src, opts.source);
  const checked = pipeline(stream, tarValidator(opts.policy, opts.source), () => undefined);
  const layer = await writeLayer(store, checked);
  const created = (opts.now ?? new Date()).toISOString();
  const config: ImageConfig = {
    architecture: opts.platform?.architecture ?? hostArchitecture(),
    ...(opts.platform?.variant ? { variant: opts.platform.variant } : {}),
    config: containerConfig,
    comment: opts.message || `Imported from ${opts.source}`,
    created,
    history: [{ created, comment: opts.message || `Imported from ${opts.source}` }],
    os: opts.platform?.os ?? 'linux',
    rootfs: { type: 'layers', diff_ids: [layer.diffID] },
  };
  return putImage(store, { config, layers: [layer], tags: opts.tags ?? [] });
}
