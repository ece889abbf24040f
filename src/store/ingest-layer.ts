import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressionOfMediaType, decompress, detectCompression, peek, type Compression } from '../image/compression.js';
import { DigestingStream, type Digest } from '../image/digest.js';
import { DigestMismatchError } from '../image/errors.js';
import { MediaType } from '../image/media-types.js';
import type { TarPolicy } from '../image/tar-policy.js';
import { tarValidator } from '../image/tar-validator.js';
import { writeLayer } from '../image/write-layer.js';
import { devNull } from './put-image.js';
import type { LayerRecord } from './records.js';
import type { Store } from './store.js';

export interface IngestLayerOptions {
  /** what names the layer in errors (the archive entry). */
  what: string;
  policy: TarPolicy;
  /** expected is the blob as a manifest describes it: stored byte for byte, digest checked. */
  expected?: { digest: Digest; size: number; mediaType: string };
  /** diffID, when known (from the config), is checked. */
  diffID?: Digest;
}

/**
 * ingestLayer stores one layer from an untrusted source. With `expected`, the blob is kept byte for
 * byte (so manifests keep their digests); otherwise an uncompressed tar is gzipped (writeLayer) and a
 * compressed one kept as is. Either way the uncompressed tar is parsed and checked against the policy
 * and its diffID is computed and checked.
 */
export async function ingestLayer(store: Store, open: () => Readable, opts: IngestLayerOptions): Promise<LayerRecord> {
  let rec: LayerRecord;
  if (!opts.expected) {
    const { head, stream } = await peek(open(), 6);
    const kind = detectCompression(head);
    if (kind === 'none') {
      const w = await writeLayer(store, stream.pipe(tarValidator(opts.policy, opts.what)).on('error', () => undefined), { mediaType: MediaType.OciLayerGzip });
      rec = { digest: w.descriptor.digest, diffID: w.diffID, size: w.descriptor.size, uncompressedSize: w.uncompressedSize, mediaType: MediaType.OciLayerGzip };
    } else {
      stream.destroy();
      rec = await keepAsIs(store, open, opts, kind, kind === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayerGzip);
    }
  } else {
    rec = await keepAsIs(store, open, opts, compressionOfMediaType(opts.expected.mediaType), opts.expected.mediaType);
  }
  if (opts.diffID !== undefined && rec.diffID !== opts.diffID) throw new DigestMismatchError(`${opts.what} (uncompressed)`, opts.diffID, rec.diffID);
  store.putLayerRecord(rec);
  return rec;
}

async function keepAsIs(store: Store, open: () => Readable, opts: IngestLayerOptions, kind: Compression, mediaType: string): Promise<LayerRecord> {
  // Check the tar before the blob becomes visible: hash and validate first, then store.
  const hasher = new DigestingStream();
  await pipeline(decompress(open(), kind, opts.what), tarValidator(opts.policy, opts.what), hasher, devNull());
  const blob = await store.putBlob(open(), {
    what: opts.what,
    ...(opts.expected ? { digest: opts.expected.digest, size: opts.expected.size } : {}),
  });
  return { digest: blob.digest, diffID: hasher.digest, size: blob.size, uncompressedSize: hasher.size, mediaType };
}
