import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestingStream, digestHex, isDigest, type Digest } from '../image/digest.js';
import { DigestMismatchError, SizeLimitError } from '../image/errors.js';
import { BlobNotFoundError } from './errors.js';

/** MAX_QUEUED_WRITES bounds what ingestBlob has handed to the file system and not yet seen written. */
const MAX_QUEUED_WRITES = 8 << 20;

/** BlobInfo is what the store knows of a blob: its digest and byte length. */
export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** ExpectedBlob is what a writer announces; putBlob refuses content that differs. */
export interface ExpectedBlob {
  digest?: Digest;
  size?: number;
  /** maxSize refuses content longer than this (for documents read from untrusted archives). */
  maxSize?: number;
  /** what names the content in error messages (a tar entry, a URL). */
  what?: string;
}

/**
 * BlobStore keeps blobs at `blobs/sha256/<hex>`. A blob is streamed to a temp file under `tmp/`
 * while it is hashed, checked against what was expected, fsynced, then renamed into place: a blob
 * is never visible half-written, and a killed writer leaves only a temp file that GC removes.
 */
export class BlobStore {
  readonly dir: string;
  readonly tmpDir: string;

  constructor(root: string) {
    this.dir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  /** blobPath is where the blob with this digest lives (whether or not it exists). */
  blobPath(digest: Digest): string {
    return join(this.dir, digestHex(digest));
  }

  /** tempPath returns a fresh unique path under tmp/ (GC removes leftovers there). */
  tempPath(prefix: string): string {
    return join(this.tmpDir, `${prefix}-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  async hasBlob(digest: Digest): Promise<boolean> {
    return (await this.statBlob(digest)) !== undefined;
  }

  /**
   * statBlob returns the blob's size, or undefined when the store does not hold it. It stats
   * synchronously, as readBlob reads: one stat is a few microseconds, and a thread-pool round trip
   * per blob left a cached build idle between them.
   */
  async statBlob(digest: Digest): Promise<BlobInfo | undefined> {
    const st = statSync(this.blobPath(digest), { throwIfNoEntry: false });
    return st ? { digest, size: st.size } : undefined;
  }

  /**
   * openBlob opens a fresh stream on the blob. A missing blob gives a stream that fails with
   * BlobNotFoundError (so callers handle it where they handle read errors).
   */
  openBlob(digest: Digest): Readable {
    const path = this.blobPath(digest);
    if (!existsSync(path)) {
      const missing = new Readable({ read() {} });
      process.nextTick(() => missing.destroy(new BlobNotFoundError(digest)));
      return missing;
    }
    return createReadStream(path);
  }

  /**
   * readBlob reads a small blob (a config, a manifest) whole; maxSize guards against huge ones. It
   * reads synchronously: these are documents of a few kilobytes, and a stream cost a cached build
   * several thread-pool round trips per document with nothing else to do meanwhile.
   */
  async readBlob(digest: Digest, maxSize = 64 << 20): Promise<Buffer> {
    let fd: number;
    try {
      fd = openSync(this.blobPath(digest), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(digest);
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      if (size > maxSize) throw new SizeLimitError(`blob ${digest}`, maxSize);
      const buf = Buffer.allocUnsafe(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buf, got, size - got, got);
        if (n === 0) break; // truncated meanwhile: what there is
        got += n;
      }
      return got === size ? buf : buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }

  /** putBlob streams `src` into the store (see the class comment) and returns its digest and size. */
  async putBlob(src: Readable | Uint8Array | string, expected: ExpectedBlob = {}): Promise<BlobInfo> {
    const bytes = typeof src === 'string' || src instanceof Uint8Array ? Buffer.from(src) : undefined;
    if (bytes) {
      // A document in memory (a config, a manifest) is hashed first: one that is already stored (every
      // rebuild of an unchanged image) costs no temp file, fsync or rename. Anything unexpected takes
      // the checked path below, which reports it.
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
      const asExpected = (expected.digest ?? digest) === digest && (expected.size ?? bytes.length) === bytes.length && bytes.length <= (expected.maxSize ?? Infinity);
      if (asExpected && (await this.hasBlob(digest))) return { digest, size: bytes.length };
    }
    const readable = bytes ? Readable.from([bytes]) : (src as Readable);
    const what = expected.what ?? expected.digest ?? 'blob';
    const tmp = this.tempPath('blob');
    const hasher = new DigestingStream();
    const limit = expected.size ?? expected.maxSize;
    try {
      await pipeline(readable, sizeLimit(what, limit), hasher, createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
      return await this.commitTemp(tmp, { digest: hasher.digest, size: hasher.size }, expected, what);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * ingestBlob stores a blob handed over as batches of chunks (a download), with putBlob's checks and
   * guarantees but no stream between source and file: each batch is hashed and written with one
   * pwritev at its offset while the next one arrives (up to 8 MiB queued), with no copy to join
   * its chunks. A pull spent about a fifth of its main-thread time in the stream pipes and copies
   * this replaces.
   */
  async ingestBlob(batches: AsyncIterable<Buffer[]>, expected: ExpectedBlob = {}): Promise<BlobInfo> {
    const what = expected.what ?? expected.digest ?? 'blob';
    const limit = expected.size ?? expected.maxSize;
    const tmp = this.tempPath('blob');
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'wx', 0o644);
    const queued: { done: Promise<unknown>; bytes: number }[] = [];
    let queuedBytes = 0;
    try {
      try {
        for await (const batch of batches) {
          let bytes = 0;
          for (const c of batch) {
            hash.update(c);
            bytes += c.length;
          }
          if (bytes === 0) continue;
          if (limit !== undefined && size + bytes > limit) throw new SizeLimitError(what, limit);
          const done = fh.writev(batch, size).then((r) => {
            if (r.bytesWritten !== bytes) throw new Error(`short write to ${tmp}: ${r.bytesWritten} of ${bytes} bytes`);
          });
          done.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
          queued.push({ done, bytes });
          queuedBytes += bytes;
          size += bytes;
          while (queuedBytes > MAX_QUEUED_WRITES) {
            const first = queued.shift()!;
            queuedBytes -= first.bytes;
            await first.done;
          }
        }
      } finally {
        // every write settles before the file is closed, committed or removed
        const results = await Promise.allSettled(queued.map((q) => q.done));
        await fh.close();
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      }
      return await this.commitTemp(tmp, { digest: `sha256:${hash.digest('hex')}` as Digest, size }, expected, what);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /** commitTemp checks a written temp file against what was expected, then makes it the blob (fsynced), or drops it when the blob is already there. */
  private async commitTemp(tmp: string, got: BlobInfo, expected: ExpectedBlob, what: string): Promise<BlobInfo> {
    if (expected.size !== undefined && got.size !== expected.size) {
      throw new DigestMismatchError(what, `size ${expected.size}`, `size ${got.size}`);
    }
    if (expected.digest !== undefined && got.digest !== expected.digest) {
      throw new DigestMismatchError(what, expected.digest, got.digest);
    }
    if (await this.hasBlob(got.digest)) {
      await unlink(tmp);
    } else {
      await fsyncPath(tmp);
      await rename(tmp, this.blobPath(got.digest));
      await fsyncPath(this.dir);
    }
    return got;
  }

  /** deleteBlob removes a blob (GC only: callers must hold the store's exclusive lock). */
  async deleteBlob(digest: Digest): Promise<void> {
    await unlink(this.blobPath(digest)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /** listBlobs lists every blob's digest (files that are not digests are ignored). */
  async listBlobs(): Promise<Digest[]> {
    const names = await readdir(this.dir);
    return names.map((n) => `sha256:${n}`).filter((d): d is Digest => isDigest(d));
  }
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** sizeLimit fails the stream as soon as more than `limit` bytes pass (no limit when undefined). */
export function sizeLimit(what: string, limit: number | undefined): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      n += chunk.length;
      if (limit !== undefined && n > limit) cb(new SizeLimitError(what, limit));
      else cb(null, chunk);
    },
  });
}
