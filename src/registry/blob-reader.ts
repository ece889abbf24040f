import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Descriptor } from '../image/oci.js';
import type { Digest } from '../image/digest.js';
import { BlobInterruptedError, DigestMismatchError, RegistryError } from './errors.js';
import type { RegistryClient } from './registry-client.js';
import { waitBackoff, DEFAULT_RETRY } from './retry.js';

/** BlobReadOptions tune one blob download. */
export interface BlobReadOptions {
  /** what errors name (the image reference). */
  subject: string;
  /** called with the bytes received so far, for progress bars. */
  onProgress?: (received: number) => void;
  /** how many times a broken download is resumed with a Range request (default 4). */
  maxResumes?: number;
  /**
   * false: the consumer checks digest and size itself (the store's putBlob does, before it keeps
   * anything), so the reader saves a second sha256 pass over the blob. Default true.
   */
  verify?: boolean;
}

/**
 * readBlob streams one blob from `/v2/<repo>/blobs/<digest>`, hashing it as it flows. A broken
 * connection is resumed with `Range: bytes=N-` from the last byte received (a registry that
 * ignores Range is read again from the start, the bytes already passed on skipped). The stream
 * errors, before it ends, with DigestMismatchError if the bytes do not hash to the descriptor's
 * digest or are not its size, so a sink that commits only on a clean end never stores bad content.
 * Nothing is buffered beyond one chunk.
 */
export function readBlob(client: RegistryClient, repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, options: BlobReadOptions): Readable {
  return Readable.from(blobChunks(client, repo, desc, options), { objectMode: false, highWaterMark: 1 << 16 });
}

async function* blobChunks(client: RegistryClient, repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, options: BlobReadOptions): AsyncGenerator<Buffer> {
  const { subject } = options;
  const maxResumes = options.maxResumes ?? DEFAULT_RETRY.maxRetries;
  const hash = options.verify === false ? undefined : createHash('sha256');
  let offset = 0;
  let resumes = 0;
  for (;;) {
    const res = await client.request({
      method: 'GET',
      url: `/v2/${repo}/blobs/${desc.digest}`,
      scopes: [`repository:${repo}:pull`],
      subject,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
    });
    // A 200 to a ranged request means the server ignored Range: skip what we already have.
    let skip = offset > 0 && res.status === 200 ? offset : 0;
    if (offset > 0 && res.status === 206) {
      const start = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1];
      if (start !== undefined && Number(start) !== offset) {
        await res.body.dump();
        throw new BlobInterruptedError(subject, `${desc.digest}: registry resumed at byte ${start}, wanted ${offset}`);
      }
    }
    let broken: unknown;
    try {
      for await (const raw of res.body) {
        let chunk = raw as Buffer;
        if (skip > 0) {
          const n = Math.min(skip, chunk.length);
          skip -= n;
          chunk = chunk.subarray(n);
          if (chunk.length === 0) continue;
        }
        offset += chunk.length;
        if (offset > desc.size) throw new DigestMismatchError(subject, desc.digest, `more than the ${desc.size} bytes announced`);
        hash?.update(chunk);
        yield chunk;
        options.onProgress?.(offset);
      }
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      broken = err;
    }
    if (offset >= desc.size) break;
    // The body ended early, cleanly or not: resume from where it stopped.
    if (resumes >= maxResumes) {
      const why = broken instanceof Error ? broken.message : 'connection closed early';
      throw new BlobInterruptedError(subject, `${desc.digest} after ${offset} of ${desc.size} bytes (${resumes} resumes): ${why}`, { cause: broken });
    }
    await waitBackoff(DEFAULT_RETRY, resumes++);
  }
  if (!hash) return;
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== desc.digest) throw new DigestMismatchError(subject, desc.digest, actual);
}

/** blobExists answers a HEAD for the blob: true on 200, false on 404. */
export async function blobExists(client: RegistryClient, repo: string, digest: Digest, subject: string, scopes?: readonly string[]): Promise<boolean> {
  const res = await client.request({ method: 'HEAD', url: `/v2/${repo}/blobs/${digest}`, scopes: scopes ?? [`repository:${repo}:pull`], subject, accept: [404] });
  await res.body.dump();
  return res.status === 200;
}
