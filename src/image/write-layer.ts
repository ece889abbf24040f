import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { BlobSink } from './blob-io.js';
import { BlockGzip, LAYER_GZIP_LEVEL } from './block-gzip.js';
import { DigestingStream, type Digest } from './digest.js';
import { MediaType } from './media-types.js';
import type { Descriptor } from './oci.js';

export interface WriteLayerOptions {
  /** mediaType of the written blob; OCI gzip by default (Docker's gzip type works too). */
  mediaType?: string;
  /** level is the gzip level (default LAYER_GZIP_LEVEL, see block-gzip.ts). */
  level?: number;
}

export interface WrittenLayer {
  descriptor: Descriptor;
  diffID: Digest;
  uncompressedSize: number;
}

/**
 * writeLayer turns an uncompressed tar stream into a gzip layer blob in one streaming pass: the tar
 * is hashed (diffID) on its way into gzip, the gzip output is hashed and stored by the sink. The gzip
 * header carries no time or name and BlockGzip's output depends on its input alone, so the same tar
 * always gives the same digest.
 */
export async function writeLayer(sink: BlobSink, tar: Readable, opts: WriteLayerOptions = {}): Promise<WrittenLayer> {
  const mediaType = opts.mediaType ?? MediaType.OciLayerGzip;
  const diff = new DigestingStream();
  // Block-parallel gzip: the thread pool compresses while the tar is produced, and incompressible
  // blocks are stored rather than deflated for nothing.
  const gzip = new BlockGzip({ level: opts.level ?? LAYER_GZIP_LEVEL });
  let upstreamError: Error | undefined;
  const compressed = pipeline(tar, diff, gzip, (err) => {
    if (err) upstreamError = err;
  });
  let blob;
  try {
    blob = await sink.putBlob(compressed, { what: 'layer' });
  } catch (err) {
    throw upstreamError ?? err;
  }
  if (upstreamError) throw upstreamError;
  const rec = { digest: blob.digest, diffID: diff.digest, size: blob.size, uncompressedSize: diff.size, mediaType };
  sink.putLayerRecord?.(rec);
  return { descriptor: { mediaType, digest: blob.digest, size: blob.size }, diffID: diff.digest, uncompressedSize: diff.size };
}
