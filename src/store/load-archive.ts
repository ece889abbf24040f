import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { autoDecompress } from '../image/compression.js';
import { parseDigest, sha256Digest, type Digest } from '../image/digest.js';
import { stageArchive, JSON_LIMIT, type StagedArchive } from '../image/archive-stage.js';
import { ArchiveError, DigestMismatchError } from '../image/errors.js';
import { imagePartsProblem } from '../image/image.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from '../image/media-types.js';
import type { Descriptor, ImageConfig, Index, Manifest } from '../image/oci.js';
import { parseReference, referenceString } from '../image/reference.js';
import type { TarPolicy } from '../image/tar-policy.js';
import { ingestLayer } from './ingest-layer.js';
import { putImage } from './put-image.js';
import type { Store } from './store.js';

/** LoadedImage is one image a load recorded, with the normalised references it was tagged with. */
export interface LoadedImage {
  id: Digest;
  tags: string[];
}

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

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

async function readJson<T>(staged: StagedArchive, name: string): Promise<{ value: T; raw: Buffer }> {
  const path = staged.path(name);
  if (!path) throw new ArchiveError('missing from the archive', name);
  const size = staged.size(name) ?? 0;
  if (size > JSON_LIMIT) throw new ArchiveError(`JSON document too large (${size} bytes, limit ${JSON_LIMIT})`, name);
  const raw = await readFile(path);
  try {
    return { value: JSON.parse(raw.toString('utf8')) as T, raw };
  } catch (err) {
    throw new ArchiveError(`invalid JSON: ${(err as Error).message}`, name);
  }
}

function blobName(d: Descriptor, entry: string): string {
  try {
    return `blobs/sha256/${parseDigest(d.digest).slice(7)}`;
  } catch {
    throw new ArchiveError(`unsupported or invalid digest ${JSON.stringify(d.digest)}`, entry);
  }
}

/** readBlobJson reads a JSON blob of an OCI layout and checks its digest and size. */
async function readBlobJson<T>(staged: StagedArchive, d: Descriptor, entry: string): Promise<{ value: T; raw: Buffer }> {
  const name = blobName(d, entry);
  const r = await readJson<T>(staged, name);
  const actual = sha256Digest(r.raw);
  if (actual !== d.digest) throw new DigestMismatchError(name, d.digest, actual);
  if (r.raw.length !== d.size) throw new DigestMismatchError(name, `size ${d.size}`, `size ${r.raw.length}`);
  return r;
}

function hostPlatform(): { os: string; architecture: string } {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return { os: 'linux', architecture: arch };
}

async function loadOci(store: Store, staged: StagedArchive, policy: TarPolicy): Promise<LoadedImage[]> {
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

async function loadDockerSave(store: Store, staged: StagedArchive, policy: TarPolicy): Promise<LoadedImage[]> {
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
