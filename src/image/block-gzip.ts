import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { constants, crc32, deflateRaw } from 'node:zlib';

/** BLOCK: input bytes per deflate segment; fixed offsets keep the output a function of the input only. */
const BLOCK = 256 << 10;
/** WINDOW: deflate's window; each segment is primed with the previous segment's last 32 KiB (as pigz). */
const WINDOW = 32 << 10;
/** SAMPLE: bytes of a block whose entropy tells incompressible data (already compressed, random). */
const SAMPLE = 16 << 10;
/** ENTROPY_STORED: bits per byte above which a block is stored (random 16 KiB samples measure ≈ 7.99). */
const ENTROPY_STORED = 7.9;
/**
 * RLE_REPEATS: share of a sample's 4-byte sequences (runs of one byte aside) seen earlier in it below
 * which a block is deflated with runs as its only matches (Z_RLE). LZ77's match search was most of
 * the cost and finds next to nothing in such data (base64 or hex of random bytes, between tar headers
 * whose padding RLE still catches): w4's 300 MB context took 5.4 s of CPU at level 6 and takes 2.3 s,
 * 0.4% bigger; a Debian rootfs is 0.5% bigger (10 blocks of 470 qualify) at the same cost.
 */
const RLE_REPEATS = 0.01;
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
/**
 * LAYER_GZIP_LEVEL: zlib's level 4, its first with lazy matching. Against level 6 (zlib's default) a
 * Debian rootfs deflates 1.6× faster (56 against 35 MB/s here) for 2% more bytes (0.403 against 0.395 of
 * the tar), and w3's 700 HTML pages 2× faster (113 against 55 MB/s) for 0.8% more. A layer is compressed
 * while the build's other steps want the CPU (w3's two stages and their COPYs): that was a quarter of
 * strata's own CPU time in w3 at level 6.
 */
export const LAYER_GZIP_LEVEL = 4;

export interface BlockGzipOptions {
  /** level for compressible blocks (default LAYER_GZIP_LEVEL). */
  level?: number;
  /** parallel: segments compressed at once on the thread pool (default: the number of CPUs, at most 4). */
  parallel?: number;
}

/**
 * BlockGzip is a gzip compressor that splits its input into fixed 256 KiB blocks and deflates them on
 * the thread pool in parallel (each primed with the previous block's last 32 KiB, as pigz does), and
 * stores a block without compressing it when a 16 KiB sample of it has the byte entropy of random data: compressing
 * already-compressed or random data costs as much CPU as text and gains nothing. The result is one
 * ordinary gzip member that any gunzip reads. Every decision depends on the input bytes alone, so the
 * same input always gives the same output (layer digests stay reproducible).
 */
export class BlockGzip extends Transform {
  private readonly level: number;
  private readonly parallel: number;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private prevTail: Buffer | undefined;
  private readonly inflight: Promise<Buffer>[] = [];
  private crc = 0;
  private size = 0;

  constructor(opts: BlockGzipOptions = {}) {
    super();
    this.level = opts.level ?? LAYER_GZIP_LEVEL;
    this.parallel = Math.max(1, opts.parallel ?? Math.min(4, availableParallelism()));
    this.push(GZIP_HEADER);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    this.drainFull().then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    const rest = this.takeBytes(this.pendingLen);
    this.start(rest, true);
    (async () => {
      while (this.inflight.length > 0) this.push(await this.inflight.shift()!);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.crc >>> 0, 0);
      trailer.writeUInt32LE(this.size % 2 ** 32, 4);
      this.push(trailer);
    })().then(() => cb(), cb);
  }

  private async drainFull(): Promise<void> {
    while (this.pendingLen >= BLOCK) {
      this.start(this.takeBytes(BLOCK), false);
      while (this.inflight.length > this.parallel) this.push(await this.inflight.shift()!);
    }
  }

  private takeBytes(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLen);
    const block = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingLen = rest.length;
    return block;
  }

  private start(block: Buffer, last: boolean): void {
    const kind = blockKind(block);
    if (kind === 'stored') {
      // Written here, not by zlib: a deflate call costs a stream, its buffers and a thread-pool round
      // trip (0.4 ms of main thread a block) to copy the bytes; stored blocks need no window either.
      this.prevTail = nextTail(this.prevTail, block);
      this.inflight.push(Promise.resolve(storedBlocks(block, last)));
      return;
    }
    const opts = {
      level: this.level,
      ...(kind === 'rle' ? { strategy: constants.Z_RLE } : {}),
      // Room for the whole deflated block (a stored block grows by a few bytes per 64 KiB): with zlib's
      // default 16 KiB chunks each block took a dozen thread-pool round trips, and their callbacks were
      // seconds of main-thread time on a 300 MB layer.
      chunkSize: BLOCK + (16 << 10),
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      ...(this.prevTail ? { dictionary: this.prevTail } : {}),
    };
    this.prevTail = nextTail(this.prevTail, block);
    const p = new Promise<Buffer>((resolve, reject) => deflateRaw(block, opts, (err, out) => (err ? reject(err) : resolve(out))));
    p.catch(() => undefined); // awaited in order; a failure surfaces there
    this.inflight.push(p);
  }
}

/** nextTail: the last 32 KiB of input once `block` is added, the dictionary of the next segment. */
function nextTail(prev: Buffer | undefined, block: Buffer): Buffer {
  return block.length >= WINDOW ? block.subarray(block.length - WINDOW) : Buffer.concat([prev ?? Buffer.alloc(0), block]).subarray(-WINDOW);
}

/** STORED_MAX: the most bytes one stored deflate block holds (its length field is 16 bits). */
const STORED_MAX = 0xffff;

/**
 * storedBlocks encodes `data` as deflate stored blocks (RFC 1951 3.2.4: a byte with BFINAL and type 00,
 * then LEN and its complement, then the bytes), the last one final when `last`. Every segment before
 * ends on a byte boundary (a sync flush or a stored block), so no padding bits come first.
 */
function storedBlocks(data: Buffer, last: boolean): Buffer {
  const n = Math.max(1, Math.ceil(data.length / STORED_MAX));
  const out = Buffer.allocUnsafe(data.length + 5 * n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const part = data.subarray(i * STORED_MAX, (i + 1) * STORED_MAX);
    out[o] = last && i === n - 1 ? 1 : 0;
    out.writeUInt16LE(part.length, o + 1);
    out.writeUInt16LE(~part.length & 0xffff, o + 3);
    o += 5 + part.copy(out, o + 5);
  }
  return out;
}

/** BlockKind: how a block is deflated (see blockKind). */
export type BlockKind = 'stored' | 'rle' | 'deflate';

/**
 * blockKind looks at a sample of a block. Random or already-compressed data shows in the byte entropy:
 * it uses all 256 byte values almost evenly (≈ 8 bits a byte), while text, code and tables stay well
 * below (base64 ≈ 6); such a block is stored. Data whose 4-byte sequences hardly repeat gains next
 * to nothing from LZ77's search and gets only run-length matches. Counting costs a fraction of the
 * trial deflates it replaces. Deterministic: it depends on the block's bytes alone.
 */
export function blockKind(block: Buffer): BlockKind {
  if (block.length < SAMPLE) return 'deflate';
  const counts = new Uint32Array(256);
  for (let i = 0; i < SAMPLE; i++) counts[block[i]!]!++;
  let bits = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / SAMPLE;
    bits -= p * Math.log2(p);
  }
  if (bits > ENTROPY_STORED) return 'stored';
  // A table of the last sequence seen per hash slot: a hit is a real repeat (values are compared), a
  // collision only hides one, so the count errs towards "no repeats" by little.
  const table = new Int32Array(1 << 14);
  const used = new Uint8Array(1 << 14);
  let repeats = 0;
  let v = (block[0]! << 16) | (block[1]! << 8) | block[2]!;
  for (let i = 3; i < SAMPLE; i++) {
    v = (v << 8) | block[i]!;
    if (((v ^ (v >>> 8)) & 0xffffff) === 0) continue; // a run: Z_RLE finds those
    const h = Math.imul(v, 0x9e3779b1) >>> 18;
    if (used[h] === 1 && table[h] === v) repeats++;
    else {
      used[h] = 1;
      table[h] = v;
    }
  }
  return repeats < SAMPLE * RLE_REPEATS ? 'rle' : 'deflate';
}
