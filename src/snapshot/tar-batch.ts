import { closeSync, createReadStream, openSync, readSync } from 'node:fs';

/**
 * BATCH_BYTES: the size a tar producer gathers headers and small bodies to before it hands them on.
 * A layer of 30,000 small files is ~100,000 tiny pieces (header, body, padding); passed one by one, the
 * per-chunk cost of three stream stages (digest, gzip, file) was most of a RUN step's diff time.
 */
export const BATCH_BYTES = 256 << 10;

/** SMALL_FILE_MAX: files up to this size are read whole with synchronous calls; bigger ones are streamed. */
export const SMALL_FILE_MAX = 1 << 20;

/** ByteBatch gathers small buffers until they are worth passing downstream as one chunk. */
export class ByteBatch {
  private parts: Buffer[] = [];
  private len = 0;

  get length(): number {
    return this.len;
  }

  /** full: the batch has reached BATCH_BYTES and should be taken. */
  get full(): boolean {
    return this.len >= BATCH_BYTES;
  }

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.len += b.length;
  }

  /** take returns everything gathered as one buffer and empties the batch. */
  take(): Buffer {
    const out = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.len);
    this.parts = [];
    this.len = 0;
    return out;
  }
}

/**
 * readFileExactSync reads exactly `size` bytes of a (small) file with synchronous calls: one open, a read
 * or two, one close, without a thread-pool round trip each (for thousands of small files those round
 * trips, not the bytes, were the cost). A file that shrank since it was stat'ed is zero-padded and one
 * that grew is cut, so the tar entry stays consistent with the header already written.
 */
export function readFileExactSync(path: string, size: number): Buffer {
  const buf = Buffer.alloc(size);
  if (size === 0) return buf;
  const fd = openSync(path, 'r');
  try {
    for (let off = 0; off < size; ) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** streamFileExact yields exactly `size` bytes of a big file, streamed (padded or cut as readFileExactSync). */
export async function* streamFileExact(path: string, size: number): AsyncGenerator<Buffer> {
  if (size === 0) return;
  let written = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: size - 1, highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    const take = Math.min(buf.length, size - written);
    if (take <= 0) break;
    written += take;
    yield take === buf.length ? buf : buf.subarray(0, take);
  }
  if (written < size) yield Buffer.alloc(size - written);
}
