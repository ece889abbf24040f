import type { Readable } from 'node:stream';
import type { BlobSource } from './blob-io.js';
import { compressionOfMediaType, decompress } from './compression.js';
import type { Digest } from './digest.js';
import type { Descriptor } from './oci.js';

/**
 * Layer is a read-only value: a compressed blob and the uncompressed tar it holds. Each call of
 * `compressed()` / `uncompressed()` opens a fresh stream.
 */
export interface Layer {
  readonly digest: Digest;
  readonly diffID: Digest;
  /** size is the compressed blob's length. */
  readonly size: number;
  /** uncompressedSize is the tar's length, when known. */
  readonly uncompressedSize?: number;
  readonly mediaType: string;
  compressed(): Readable;
  uncompressed(): Readable;
}

/** blobLayer is a Layer whose blob lives in a BlobSource (the store). */
export function blobLayer(
  source: BlobSource,
  l: { digest: Digest; diffID: Digest; size: number; uncompressedSize?: number; mediaType: string },
): Layer {
  return {
    digest: l.digest,
    diffID: l.diffID,
    size: l.size,
    ...(l.uncompressedSize !== undefined ? { uncompressedSize: l.uncompressedSize } : {}),
    mediaType: l.mediaType,
    compressed: () => source.openBlob(l.digest),
    uncompressed: () => decompress(source.openBlob(l.digest), compressionOfMediaType(l.mediaType), `layer ${l.digest}`),
  };
}

/** layerDescriptor is the manifest entry for a layer. */
export function layerDescriptor(l: Pick<Layer, 'digest' | 'size' | 'mediaType'>): Descriptor {
  return { mediaType: l.mediaType, digest: l.digest, size: l.size };
}
