import { createReadStream } from 'node:fs';
import type { StagedArchive } from '../image/archive-stage.js';
import { sha256Digest, type Digest } from '../image/digest.js';
import { ArchiveError } from '../image/errors.js';
import { imagePartsProblem } from '../image/image.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from '../image/media-types.js';
import type { Descriptor, ImageConfig, Index, Manifest } from '../image/oci.js';
import { parseReference, referenceString } from '../image/reference.js';
import type { TarPolicy } from '../image/tar-policy.js';
import { blobName, hostPlatform, readBlobJson, readJson, type DockerManifestEntry, type LoadedImage } from './archive-json.js';
import { ingestLayer } from './ingest-layer.js';
import { putImage } from './put-image.js';
import type { Store } from './store.js';

/**
 * loadOci loads every image an OCI layout's index.json names (for a nested index, the host's
 * platform), keeping manifests and blobs byte for byte, so digests survive save → load → save.
 */
export async function loadOci(store: Store, staged: StagedArchive, policy: TarPolicy): Promise<LoadedImage[]> {
  const { value: index } = await readJson<Index>(staged, 'index.json');
  if (!Array.isArray(index.manifests)) throw new ArchiveError('no manifests list', 'index.json');
  const repoTags = staged.has('manifest.json') ? await dockerRepoTags(staged) : new Map<string, string[]>();
  const out = new Map<Digest, LoadedImage>();
  for (const top of index.manifests) {
    let desc = top;
    if (isIndexMediaType(desc.mediaType)) {
      const { value: nested } = await readBlobJson<Index>(staged, desc, 'index.json');
      const host = hostPlatform();
      const pick = nested.manifests.find((m) => m.platform?.os === host.os && m.platform.architecture === host.architecture) ?? nested.manifests[0];
      if (!pick) throw new ArchiveError('empty image index', blobName(desc, 'index.json'));
      desc = { ...pick, annotations: { ...(pick.annotations ?? {}), ...(top.annotations ?? {}) } };
    }
    if (!isManifestMediaType(desc.mediaType)) throw new ArchiveError(`unsupported manifest media type ${desc.mediaType}`, 'index.json');
    const mname = blobName(desc, 'index.json');
    const { value: manifest, raw: rawManifest } = await readBlobJson<Manifest>(staged, desc, 'index.json');
    const cname = blobName(manifest.config, mname);
    const { value: config, raw: rawConfig } = await readBlobJson<ImageConfig>(staged, manifest.config, mname);
    const problem = imagePartsProblem(manifest, config);
    if (problem) throw new ArchiveError(problem, cname);
    const layers = [];
    for (const [i, l] of manifest.layers.entries()) {
      const lname = blobName(l, mname);
      const path = staged.path(lname);
      if (!path) throw new ArchiveError('layer missing from the archive', lname);
      // A layer the store already holds was checked when it was stored: only its diffID must agree.
      const known = store.images.getLayer(l.digest);
      if (known && known.diffID === config.rootfs.diff_ids[i] && (await store.hasBlob(l.digest))) {
        layers.push({ descriptor: l, diffID: known.diffID, uncompressedSize: known.uncompressedSize });
        continue;
      }
      const rec = await ingestLayer(store, () => createReadStream(path), { what: lname, policy, expected: l, diffID: config.rootfs.diff_ids[i]! });
      layers.push({ descriptor: l, diffID: rec.diffID, uncompressedSize: rec.uncompressedSize });
    }
    const tags = [...ociTags(desc), ...(repoTags.get(sha256Digest(rawConfig)) ?? [])];
    const rec = await putImage(store, {
      config,
      layers,
      rawConfig,
      rawManifest,
      manifestMediaType: manifest.mediaType === MediaType.DockerManifest ? MediaType.DockerManifest : MediaType.OciManifest,
      tags,
    });
    const prev = out.get(rec.id);
    out.set(rec.id, { id: rec.id, tags: [...new Set([...(prev?.tags ?? []), ...tags.map((t) => referenceString(parseReference(t)))])] });
  }
  return [...out.values()];
}

/** ociTags names an index entry: containerd's full image name, else a ref.name that is a full reference. */
function ociTags(d: Descriptor): string[] {
  const full = d.annotations?.['io.containerd.image.name'];
  if (full) return [full];
  const ref = d.annotations?.['org.opencontainers.image.ref.name'];
  if (ref && /[/:]/.test(ref)) {
    try {
      parseReference(ref);
      return [ref];
    } catch {
      return [];
    }
  }
  return [];
}

async function dockerRepoTags(staged: StagedArchive): Promise<Map<string, string[]>> {
  const { value } = await readJson<DockerManifestEntry[]>(staged, 'manifest.json');
  const out = new Map<string, string[]>();
  if (!Array.isArray(value)) return out;
  for (const e of value) {
    const m = /([a-f0-9]{64})(?:\.json)?$/.exec(e.Config ?? '');
    if (m && e.RepoTags) out.set(`sha256:${m[1]}`, e.RepoTags);
  }
  return out;
}
