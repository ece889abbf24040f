import type { Descriptor } from '../image/oci.js';
import type { Digest } from '../image/digest.js';
import { BlobInterruptedError, DigestMismatchError, RegistryError } from './errors.js';
import type { RegistryClient } from './registry-client.js';
import { waitBackoff, DEFAULT_RETRY } from './retry.js';

const BATCH_BYTES = 1 << 20;

/** BlobReadOptions tune one blob download. */
export interface BlobReadOptions {
  /** what errors name (the image reference). */
  subject: string;
  /** called with the bytes received so far, for progress bars. */
  onProgress?: (received: number) => void;
  /** how many times a broken download is resumed with a Range request (default 4). */
  maxResumes?: number;
}

/**
 * blobBatches downloads one blob from `/v2/<repo>/blobs/<digest>` as batches of the chunks the
 * network gave (about 1 MiB each; the chunks are not joined), for the store's ingestBlob, which
 * hashes what it writes and refuses a blob whose digest or size is not the descriptor's. A broken
 * connection is resumed with `Range: bytes=N-` from the last byte received (a registry that ignores
 * Range is read again from the start, the bytes already passed on skipped). More bytes than the
 * descriptor announces fail at once. Nothing is held beyond one batch.
 */
export async function* blobBatches(client: RegistryClient, repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, options: BlobReadOptions): AsyncGenerator<Buffer[]> {
  const { subject } = options;
  const maxResumes = options.maxResumes ?? DEFAULT_RETRY.maxRetries;
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
    let batch: Buffer[] = [];
    let batchBytes = 0;
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
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= BATCH_BYTES) {
          yield batch;
          batch = [];
          batchBytes = 0;
          options.onProgress?.(offset);
        }
      }
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      broken = err;
    }
    // what arrived before the end (or the break) is good so far: pass it on before resuming
    if (batchBytes > 0) {
      yield batch;
      options.onProgress?.(offset);
    }
    if (offset >= desc.size) return;
    // The body ended early, cleanly or not: resume from where it stopped.
    if (resumes >= maxResumes) {
      const why = broken instanceof Error ? broken.message : 'connection closed early';
      throw new BlobInterruptedError(subject, `${desc.digest} after ${offset} of ${desc.size} bytes (${resumes} resumes): ${why}`, { cause: broken });
    }
    await waitBackoff(DEFAULT_RETRY, resumes++);
  }
}

/** blobExists answers a HEAD for the blob: true on 200, false on 404. */
export async function blobExists(client: RegistryClient, repo: string, digest: Digest, subject: string, scopes?: readonly string[]): Promise<boolean> {
  const res = await client.request({ method: 'HEAD', url: `/v2/${repo}/blobs/${digest}`, scopes: scopes ?? [`repository:${repo}:pull`], subject, accept: [404] });
  await res.body.dump();
  return res.status === 200;
}
