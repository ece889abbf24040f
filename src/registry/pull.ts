import { compressionOfMediaType } from '../image/compression.js';
import type { Digest } from '../image/digest.js';
import { gzipTrailerSize } from '../image/gzip-trailer.js';
import { MediaType, isLayerMediaType } from '../image/media-types.js';
import type { Descriptor, ImageConfig, Manifest } from '../image/oci.js';
import { familiarString, referenceString, type Reference } from '../image/reference.js';
import { putImage, type ImageRecord, type PutImageLayer, type Store } from '../store/index.js';
import { ManifestUnknownError, UnsupportedMediaTypeError } from './errors.js';
import { mapLimit } from './limit.js';
import { formatPlatform, hostPlatform, selectManifest, type PlatformSpec } from './platform.js';
import { Registries } from './registries.js';
import { RemoteRepository } from './remote-repository.js';
import { shortDigest, type TransferListener } from './transfer-events.js';

export interface PullOptions {
  registries?: Registries;
  /** platform to pick from an index (default: this host's, linux/amd64 on x86-64). */
  platform?: PlatformSpec;
  /** layers downloaded at once (default 3, as Docker). */
  concurrency?: number;
  onEvent?: TransferListener;
}

export interface PullResult {
  reference: Reference;
  image: ImageRecord;
  /** digest is what the reference resolved to in the registry (the index's, for a multi-platform image). */
  digest: Digest;
  /** upToDate: the store already had this exact image under this reference; nothing was downloaded. */
  upToDate: boolean;
}

const CONFIG_TYPES = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);
const MAX_CONFIG = 8 << 20;

/**
 * pullImage fetches `ref` into the store: resolve the tag or digest, pick the platform from an
 * index, fetch the config and, beside it, the layers (in parallel, skipping blobs the store has, each
 * verified while it streams and stored only if it matches), and record the image and its tag last,
 * so a failure at any point leaves no tag and no unverified blob behind.
 */
export async function pullImage(store: Store, ref: Reference, opts: PullOptions = {}): Promise<PullResult> {
  const registries = opts.registries ?? new Registries();
  const subject = familiarString(ref);
  const repo = new RemoteRepository(registries.client(ref.domain), ref.path, subject);
  const top = await repo.manifest(ref.digest ?? ref.tag ?? 'latest');
  let fetched = top;
  if (top.kind === 'index') {
    const want = opts.platform ?? hostPlatform();
    const desc = selectManifest(top.index.manifests, want);
    if (!desc) throw new ManifestUnknownError(`${subject}: no manifest for platform ${formatPlatform(want)} (the image has ${top.index.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : '?')).join(', ')})`);
    fetched = await repo.manifest(desc.digest);
    if (fetched.kind !== 'manifest') throw new UnsupportedMediaTypeError(subject, `${fetched.mediaType} nested in an index`);
  }
  if (fetched.kind !== 'manifest') throw new UnsupportedMediaTypeError(subject, fetched.mediaType);
  const manifest: Manifest = fetched.manifest;
  if (!CONFIG_TYPES.has(manifest.config.mediaType)) throw new UnsupportedMediaTypeError(subject, `config ${manifest.config.mediaType}`);
  for (const l of manifest.layers) if (!isLayerMediaType(l.mediaType)) throw new UnsupportedMediaTypeError(subject, `layer ${l.mediaType}`);

  const tag = referenceString(ref.digest ? { domain: ref.domain, path: ref.path, digest: ref.digest } : ref);
  const current = store.images.getTag(tag);
  const known = current ? store.images.getImage(current.imageId) : undefined;
  if (known && known.manifestDigest === fetched.digest) return { reference: ref, image: known, digest: top.digest, upToDate: true };

  if (manifest.config.size > MAX_CONFIG) throw new UnsupportedMediaTypeError(subject, `config of ${manifest.config.size} bytes`);
  // The config is fetched beside the layers, not before them (as skopeo does): a layer needs it only
  // once it is down, for its diffID, and a round trip and an fsync less stand before the first byte.
  const configReady = (async (): Promise<{ config: ImageConfig; diffIds: readonly Digest[] }> => {
    if (!(await store.hasBlob(manifest.config.digest))) await repo.fetchBlob(store, manifest.config);
    const config = await store.readJSON<ImageConfig>(manifest.config.digest);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length < manifest.layers.length) throw new UnsupportedMediaTypeError(subject, 'config without a diff_id for every layer');
    return { config, diffIds };
  })();
  configReady.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
  // the length was checked against the layers
  const diffIdOf = async (i: number): Promise<Digest> => (await configReady).diffIds[i]!;
  const emit = opts.onEvent ?? (() => undefined);
  for (const l of manifest.layers) emit({ type: 'layer', id: shortDigest(l.digest), status: 'Pulling fs layer' });
  const downloaded: string[] = [];
  const fetchLayer = async (desc: Descriptor, i: number): Promise<PutImageLayer> => {
    const id = shortDigest(desc.digest);
    if (await store.hasBlob(desc.digest)) {
      emit({ type: 'layer', id, status: 'Already exists' });
      return { descriptor: desc, diffID: await diffIdOf(i) };
    }
    // Only the compressed digest is checked while downloading (as skopeo and containerd's fetch do):
    // gunzipping and hashing every layer a second time doubled a pull's CPU. The config's diffID and
    // the gzip trailer's size are recorded as claims, and the layer's first unpack hashes the tar and
    // checks them (src/build/snapshots.ts), as containerd's unpacker does.
    await repo.fetchBlob(store, desc, {
      onProgress: (n) => emit({ type: 'layer', id, status: 'Downloading', current: n, total: desc.size }),
    });
    emit({ type: 'layer', id, status: 'Verifying Checksum' });
    emit({ type: 'layer', id, status: 'Download complete' });
    downloaded.push(id);
    const diffID = await diffIdOf(i);
    const kind = compressionOfMediaType(desc.mediaType);
    // an uncompressed layer's diffID is its digest, already checked (putImage reads it if they differ)
    if (kind === 'none') return { descriptor: desc, diffID, ...(diffID === desc.digest ? { uncompressedSize: desc.size } : {}) };
    const claimed = kind === 'gzip' ? await gzipTrailerSize(store.blobPath(desc.digest), desc.size) : undefined;
    // without a claim (zstd), putImage reads the layer once to learn and check its diffID
    return claimed !== undefined ? { descriptor: desc, diffID, uncompressedSize: claimed, unverified: true } : { descriptor: desc, diffID };
  };
  let layers: PutImageLayer[];
  try {
    layers = await mapLimit(manifest.layers, opts.concurrency ?? 3, fetchLayer);
  } catch (err) {
    await configReady.catch(() => undefined); // no write into the store after pullImage has returned
    throw err;
  }
  const image = await putImage(store, {
    config: (await configReady).config,
    layers,
    tags: [tag],
    manifestMediaType: fetched.mediaType === MediaType.DockerManifest ? MediaType.DockerManifest : MediaType.OciManifest,
    rawConfig: await store.readBlob(manifest.config.digest, MAX_CONFIG),
    rawManifest: fetched.bytes,
  });
  for (const id of downloaded) emit({ type: 'layer', id, status: 'Pull complete' });
  return { reference: ref, image, digest: top.digest, upToDate: false };
}

/** listRemoteTags lists a repository's tags (for `pull -a`). */
export async function listRemoteTags(ref: Reference, registries: Registries = new Registries()): Promise<string[]> {
  return new RemoteRepository(registries.client(ref.domain), ref.path, familiarString(ref)).tags();
}
