import type { Readable } from 'node:stream';
import type { Digest } from './digest.js';

/**
 * BlobSink and BlobSource are what the image model needs of a content store, so src/image stays
 * below src/store (the store's Store satisfies both structurally).
 */
export interface BlobSink {
  putBlob(src: Readable | Uint8Array | string, expected?: { digest?: Digest; size?: number; maxSize?: number; what?: string }): Promise<{ digest: Digest; size: number }>;
  /** putLayerRecord, when present, remembers a layer's diffID and uncompressed size. */
  putLayerRecord?(l: { digest: Digest; diffID: Digest; size: number; uncompressedSize: number; mediaType: string }): void;
}

export interface BlobSource {
  openBlob(digest: Digest): Readable;
}
