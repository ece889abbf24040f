import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressionOfMediaType, decompress } from '../image/compression.js';
import { DigestingStream, type Digest } from '../image/digest.js';
import { DigestMismatchError } from '../image/errors.js';
import { imagePartsProblem } from '../image/image.js';
import { MediaType } from '../image/media-types.js';
import type { Descriptor, ImageConfig, Manifest } from '../image/oci.js';
import { normalizeReference } from '../image/reference.js';
import { BlobNotFoundError } from './errors.js';
import type { ImageRecord, LayerRecord } from './records.js';
import type { Store } from './store.js';

/** PutImageLayer is a layer already in the store, with its diffID (and uncompressed size if known). */
export interface PutImageLayer {
  descriptor: Descriptor;
  diffID: Digest;
  uncompressedSize?: number;
  /** unverified: diffID and uncompressedSize are claimed, not computed (a pull); the first unpack checks them. */
  unverified?: boolean;
}

export interface PutImageInput {
  /** config is the image config; its rootfs.diff_ids must list the layers' diffIDs in order. */
  config: ImageConfig;
  layers: PutImageLayer[];
  /** tags are references (any form: `app`, `app:1`, `host:5000/a/b:t`) that move to this image. */
  tags?: string[];
  /** manifestMediaType selects OCI (default) or Docker schema2 documents. */
  manifestMediaType?: typeof MediaType.OciManifest | typeof MediaType.DockerManifest;
  /** rawConfig / rawManifest keep exact bytes (and so digests) of documents read from elsewhere. */
  rawConfig?: Buffer;
  rawManifest?: Buffer;
  parent?: Digest;
  annotations?: Record<string, string>;
}

/**
 * putImage writes the config and manifest blobs, then records the image, its layers and its tags in
 * one transaction. Every layer blob must already be in the store: a tag only moves when everything
 * it points to is whole. It returns the image's record (its ID is the config digest).
 */
export async function putImage(store: Store, input: PutImageInput): Promise<ImageRecord> {
  const problem = imagePartsProblem({ layers: input.layers.map((l) => l.descriptor) } as Manifest, input.config);
  if (problem) throw new DigestMismatchError('image', 'consistent manifest and config', problem);
  const layers: LayerRecord[] = [];
  for (const [i, l] of input.layers.entries()) {
    if (input.config.rootfs.diff_ids[i] !== l.diffID) throw new DigestMismatchError(`layer ${i}`, input.config.rootfs.diff_ids[i] ?? '', l.diffID);
    layers.push(await layerRecord(store, l));
  }
  const manifestMediaType = input.manifestMediaType ?? MediaType.OciManifest;
  const configMediaType = manifestMediaType === MediaType.DockerManifest ? MediaType.DockerConfig : MediaType.OciConfig;
  const configBlob = await store.putBlob(input.rawConfig ?? JSON.stringify(input.config), { what: 'image config' });
  let manifestBytes = input.rawManifest;
  if (!manifestBytes) {
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: { mediaType: configMediaType, digest: configBlob.digest, size: configBlob.size },
      layers: input.layers.map((l) => ({ mediaType: l.descriptor.mediaType, digest: l.descriptor.digest, size: l.descriptor.size })),
      ...(input.annotations ? { annotations: input.annotations } : {}),
    };
    manifestBytes = Buffer.from(JSON.stringify(manifest));
  }
  const manifestBlob = await store.putBlob(manifestBytes, { what: 'image manifest' });
  const tags = (input.tags ?? []).map(normalizeReference);
  return store.images.recordImage(
    {
      id: configBlob.digest,
      manifestDigest: manifestBlob.digest,
      manifestMediaType,
      ...(input.config.created !== undefined ? { created: input.config.created } : {}),
      size: layers.reduce((n, l) => n + l.uncompressedSize, 0),
      ...(input.parent ? { parent: input.parent } : {}),
      layers: layers.map((l) => l.digest),
    },
    layers,
    tags,
  );
}

/** layerRecord checks that the layer blob is stored and finds its uncompressed size (reading it if unknown). */
async function layerRecord(store: Store, l: PutImageLayer): Promise<LayerRecord> {
  const d = l.descriptor;
  const st = await store.statBlob(d.digest);
  if (!st) throw new BlobNotFoundError(d.digest);
  if (st.size !== d.size) throw new DigestMismatchError(`layer ${d.digest}`, `size ${d.size}`, `size ${st.size}`);
  const known = store.images.getLayer(d.digest);
  if (known) return known;
  let uncompressedSize = l.uncompressedSize;
  if (uncompressedSize === undefined) {
    const hasher = new DigestingStream();
    await pipeline(decompress(store.openBlob(d.digest), compressionOfMediaType(d.mediaType), `layer ${d.digest}`), hasher, devNull());
    if (hasher.digest !== l.diffID) throw new DigestMismatchError(`layer ${d.digest} (uncompressed)`, l.diffID, hasher.digest);
    uncompressedSize = hasher.size;
  }
  return { digest: d.digest, diffID: l.diffID, size: d.size, uncompressedSize, mediaType: d.mediaType, ...(l.unverified && l.uncompressedSize !== undefined ? { diffVerified: false } : {}) };
}

/** devNull is a sink that discards what it is given. */
export function devNull(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}
