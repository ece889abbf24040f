import { sha256Digest, type Digest } from '../image/digest.js';
import { MediaType } from '../image/media-types.js';
import type { Descriptor, Manifest } from '../image/oci.js';
import { familiarString, type Reference } from '../image/reference.js';
import type { Store } from '../store/index.js';
import { UnsupportedMediaTypeError } from './errors.js';
import { mapLimit } from './limit.js';
import { Registries } from './registries.js';
import { RemoteRepository } from './remote-repository.js';

/**
 * Artifact is a set of store blobs moved as one OCI image manifest whose config is not an image
 * config: its `configMediaType` says what it is (a build cache's records, for instance) and its
 * `layers` are the blobs it carries. This is how a build cache travels through a registry: the
 * cache records are the config, the cached layers are the layers (BuildKit's `image-manifest`
 * cache layout, which every registry accepts, unlike an index pointing straight at blobs).
 */
export interface Artifact {
  configMediaType: string;
  /** config is the artifact's own document (e.g. the cache records as JSON). */
  config: Buffer;
  /** layers are blobs already in the store. */
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ArtifactTransferOptions {
  registries?: Registries;
  concurrency?: number;
}

/**
 * pushArtifact uploads the artifact's blobs (HEAD first, so unchanged blobs cost one request),
 * then its manifest under ref's tag. Returns the manifest digest.
 */
export async function pushArtifact(store: Store, ref: Reference, artifact: Artifact, opts: ArtifactTransferOptions = {}): Promise<{ digest: Digest; size: number }> {
  const registries = opts.registries ?? new Registries();
  const repo = new RemoteRepository(registries.client(ref.domain), ref.path, familiarString(ref));
  const config = await store.putBlob(artifact.config, { what: 'artifact config' });
  const configDesc: Descriptor = { mediaType: artifact.configMediaType, digest: config.digest, size: config.size };
  await mapLimit([configDesc, ...artifact.layers], opts.concurrency ?? 3, (d) => repo.pushBlob(store, d));
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: configDesc,
    layers: artifact.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations ? { annotations: l.annotations } : {}) })),
    ...(artifact.annotations ? { annotations: artifact.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  await store.putBlob(bytes, { what: 'artifact manifest' });
  const digest = await repo.putManifest(ref.digest ?? ref.tag ?? 'latest', bytes, MediaType.OciManifest);
  return { digest, size: bytes.length };
}

export interface PulledArtifact {
  digest: Digest;
  manifest: Manifest;
  config: Buffer;
}

/**
 * pullArtifact fetches an artifact's manifest and config (checked to be `configMediaType`), and
 * the layers `wantLayer` selects (all by default; a cache import fetches only the layers of its
 * hits), each verified into the store and skipped when already there.
 */
export async function pullArtifact(
  store: Store,
  ref: Reference,
  configMediaType: string,
  opts: ArtifactTransferOptions & { wantLayer?: (d: Descriptor) => boolean } = {},
): Promise<PulledArtifact> {
  const registries = opts.registries ?? new Registries();
  const subject = familiarString(ref);
  const repo = new RemoteRepository(registries.client(ref.domain), ref.path, subject);
  const fetched = await repo.manifest(ref.digest ?? ref.tag ?? 'latest');
  if (fetched.kind !== 'manifest') throw new UnsupportedMediaTypeError(subject, fetched.mediaType);
  const { manifest } = fetched;
  if (manifest.config.mediaType !== configMediaType) throw new UnsupportedMediaTypeError(subject, `config ${manifest.config.mediaType} (want ${configMediaType})`);
  if (!(await store.hasBlob(manifest.config.digest))) await repo.fetchBlob(store, manifest.config);
  const want = manifest.layers.filter(opts.wantLayer ?? (() => true));
  await mapLimit(want, opts.concurrency ?? 3, async (d) => {
    if (!(await store.hasBlob(d.digest))) await repo.fetchBlob(store, d);
  });
  await store.putBlob(fetched.bytes, { digest: sha256Digest(fetched.bytes), what: 'artifact manifest' });
  return { digest: fetched.digest, manifest, config: await store.readBlob(manifest.config.digest) };
}
