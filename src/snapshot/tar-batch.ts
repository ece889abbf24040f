import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { StrataError } from '../util/errors.js';

/**
 * BATCH_BYTES: the size a tar producer gathers headers and small bodies to before it hands them on.
 * A layer of 30,000 small files is ~100,000 tiny pieces (header, body, padding); passed one by one, the
 * per-chunk cost of three stream stages (digest, gzip, file) was most of a RUN step's diff time.
 */
export const BATCH_BYTES = 256 << 10;

/** SMALL_FILE_MAX: files up to this size are read whole with synchronous calls; bigger ones are streamed. */
export const SMALL_FILE_MAX = 1 << 20;

/** SourceChangedError: a file's size differs from the size its tar header already announced. */
export class SourceChangedError extends StrataError {
  constructor(path: string) {
    super('SOURCE_CHANGED', `${path}: size changed while the layer was written`);
  }
}

/**
 * ByteBatch gathers tar headers and small file bodies in one buffer until it is worth passing on:
 * everything is copied (or read) straight into it once, and `take` hands the filled part over without
 * another copy. Use it through `emit` and `emitFile`, which make room (yielding the batch) as needed.
 */
export class ByteBatch {
  private slab = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;

  get length(): number {
    return this.used;
  }

  get room(): number {
    return BATCH_BYTES - this.used;
  }

  /** copyIn appends `b`, which must fit (see room). */
  copyIn(b: Buffer): void {
    b.copy(this.slab, this.used);
    this.used += b.length;
  }

  /** readIn appends `size` bytes of the file at `path`, which must fit (see readFileExactSync for `strict`). */
  readIn(path: string, size: number, strict: boolean): void {
    readExactInto(path, this.slab.subarray(this.used, this.used + size), strict);
    this.used += size;
  }

  /** take returns everything gathered and starts a new buffer. */
  take(): Buffer {
    const out = this.slab.subarray(0, this.used);
    this.slab = Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    return out;
  }
}

/** emit adds `b` to the batch, first yielding the batch when `b` does not fit (and `b` itself when it never would). */
export function* emit(out: ByteBatch, b: Buffer): Generator<Buffer> {
  if (b.length === 0) return;
  if (b.length > out.room && out.length > 0) yield out.take();
  if (b.length > out.room) yield b;
  else out.copyIn(b);
}

/** emitFile adds a small file's `size` bytes to the batch (read in place), as emit does for a buffer. */
export function* emitFile(out: ByteBatch, path: string, size: number, strict: boolean): Generator<Buffer> {
  if (size === 0) return;
  if (size > out.room && out.length > 0) yield out.take();
  if (size > out.room) yield readFileExactSync(path, size, strict);
  else out.readIn(path, size, strict);
}

/**
 * readFileExactSync reads exactly `size` bytes of a (small) file with synchronous calls: one open, a read
 * or two, one close, without a thread-pool round trip each (for thousands of small files those round
 * trips, not the bytes, were the cost). Not `strict` (a snapshot, which nothing changes any more): a file
 * that shrank is zero-padded and one that grew is cut, so the entry matches its header. `strict` (a build
 * context, which a user may be editing): either throws SourceChangedError.
 */
export function readFileExactSync(path: string, size: number, strict = false): Buffer {
  const buf = Buffer.allocUnsafe(size);
  readExactInto(path, buf, strict);
  return buf;
}

/** PROBE: one byte read past a strict file's announced end, to tell that it grew. */
const PROBE = Buffer.alloc(1);

function readExactInto(path: string, target: Buffer, strict: boolean): void {
  const size = target.length;
  const fd = openSync(path, 'r');
  try {
    let off = 0;
    while (off < size) {
      const n = readSync(fd, target, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    if (off < size) {
      if (strict) throw new SourceChangedError(path);
      target.fill(0, off);
    }
    if (strict && readSync(fd, PROBE, 0, 1, size) > 0) throw new SourceChangedError(path);
  } finally {
    closeSync(fd);
  }
}

/** streamFileExact yields exactly `size` bytes of a big file, streamed (padded, cut or refused as readFileExactSync). */
export async function* streamFileExact(path: string, size: number, strict = false): AsyncGenerator<Buffer> {
  if (size === 0) return;
  let written = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: strict ? size : size - 1, highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    const take = Math.min(buf.length, size - written);
    if (take < buf.length && strict) throw new SourceChangedError(path);
    if (take <= 0) break;
    written += take;
    yield take === buf.length ? buf : buf.subarray(0, take);
  }
  if (written < size) {
    if (strict) throw new SourceChangedError(path);
    yield Buffer.alloc(size - written);
  }
}
