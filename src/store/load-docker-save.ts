import { createReadStream } from 'node:fs';
import type { StagedArchive } from '../image/archive-stage.js';
import { sha256Digest } from '../image/digest.js';
import { ArchiveError, DigestMismatchError } from '../image/errors.js';
import type { ImageConfig } from '../image/oci.js';
import { parseReference, referenceString } from '../image/reference.js';
import type { TarPolicy } from '../image/tar-policy.js';
import { readJson, type DockerManifestEntry, type LoadedImage } from './archive-json.js';
import { ingestLayer } from './ingest-layer.js';
import { putImage } from './put-image.js';
import type { Store } from './store.js';

/**
 * loadDockerSave loads a `docker save` archive of Docker 1.10–24 (manifest.json, `<id>/layer.tar`,
 * `<hex>.json`): the config keeps its bytes (so the image ID), uncompressed layers are gzipped.
 */
export async function loadDockerSave(store: Store, staged: StagedArchive, policy: TarPolicy): Promise<LoadedImage[]> {
  const { value: entries } = await readJson<DockerManifestEntry[]>(staged, 'manifest.json');
  if (!Array.isArray(entries)) throw new ArchiveError('not a list of images', 'manifest.json');
  const out: LoadedImage[] = [];
  for (const e of entries) {
    if (typeof e.Config !== 'string' || !Array.isArray(e.Layers)) throw new ArchiveError('entry without Config or Layers', 'manifest.json');
    const { value: config, raw: rawConfig } = await readJson<ImageConfig>(staged, e.Config);
    const named = /([a-f0-9]{64})(?:\.json)?$/.exec(e.Config);
    const actual = sha256Digest(rawConfig);
    if (named && actual !== `sha256:${named[1]}`) throw new DigestMismatchError(e.Config, `sha256:${named[1]}`, actual);
    if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids) || config.rootfs.diff_ids.length !== e.Layers.length) {
      throw new ArchiveError(`config lists ${config.rootfs?.diff_ids?.length ?? 0} diff_ids for ${e.Layers.length} layers`, e.Config);
    }
    const layers = [];
    for (const [i, lname] of e.Layers.entries()) {
      const path = staged.path(lname);
      if (!path) throw new ArchiveError('layer missing from the archive', lname);
      const rec = await ingestLayer(store, () => createReadStream(path), { what: lname, policy, diffID: config.rootfs.diff_ids[i]! });
      layers.push({ descriptor: { mediaType: rec.mediaType, digest: rec.digest, size: rec.size }, diffID: rec.diffID, uncompressedSize: rec.uncompressedSize });
    }
    const tags = e.RepoTags ?? [];
    const rec = await putImage(store, { config, layers, rawConfig, tags });
    out.push({ id: rec.id, tags: tags.map((t) => referenceString(parseReference(t))) });
  }
  return out;
}
