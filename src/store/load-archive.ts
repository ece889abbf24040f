import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { stageArchive } from '../image/archive-stage.js';
import { autoDecompress } from '../image/compression.js';
import { ArchiveError } from '../image/errors.js';
import type { TarPolicy } from '../image/tar-policy.js';
import type { LoadedImage } from './archive-json.js';
import { loadDockerSave } from './load-docker-save.js';
import { loadOci } from './load-oci.js';
import type { Store } from './store.js';

export type { LoadedImage } from './archive-json.js';

/**
 * loadArchive reads an image archive (plain or compressed): a `docker save` archive of any Docker
 * version since 1.10 (manifest.json) or an OCI image layout (index.json; Docker 25+ archives are
 * both, and load as OCI so digests are kept). Every digest is verified and every layer tar is checked
 * before the image is recorded; images are recorded (and tagged) one by one, each whole.
 */
export async function loadArchive(store: Store, src: Readable, policy: TarPolicy): Promise<LoadedImage[]> {
  const dir = store.tempPath('load');
  try {
    const { stream } = await autoDecompress(src, 'archive');
    const staged = await stageArchive(stream, dir);
    if (staged.has('index.json')) return await loadOci(store, staged, policy);
    if (staged.has('manifest.json')) return await loadDockerSave(store, staged, policy);
    throw new ArchiveError('no manifest.json or index.json: not a docker save archive or an OCI image layout', 'archive');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

