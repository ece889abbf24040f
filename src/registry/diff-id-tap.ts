import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { DigestingStream, type Digest } from '../image/digest.js';
import { compressionOfMediaType } from '../image/compression.js';

const SIDE_BUFFER = 8 << 20;

/** DiffIdResult is what a tap learns of the uncompressed tar inside a layer. */
export interface DiffIdResult {
  diffID: Digest;
  uncompressedSize: number;
}

/**
 * DiffIdTap passes a compressed layer through unchanged and, on the side, gunzips and hashes it,
 * so a pull learns each layer's diffID and uncompressed size in the same pass that stores it
 * (the store would otherwise read every layer again). Backpressure follows the slower side.
 * Layers that are not gzip or plain tar are not tapped (`result` stays undefined).
 */
export class DiffIdTap extends Transform {
  private readonly gunzip: Gunzip | undefined;
  private readonly hasher = new DigestingStream();
  private done: Promise<void> | undefined;
  result: DiffIdResult | undefined;

  constructor(mediaType: string) {
    super();
    const kind = compressionOfMediaType(mediaType);
    if (kind === 'gzip') this.gunzip = createGunzip({ chunkSize: 256 << 10 });
    if (kind === 'gzip' || kind === 'none') {
      const head = this.gunzip ?? this.hasher;
      if (this.gunzip) this.gunzip.pipe(this.hasher);
      this.hasher.resume();
      this.done = new Promise((resolve, reject) => {
        this.hasher.on('end', resolve);
        head.on('error', reject);
        this.hasher.on('error', reject);
      });
      this.done.catch(() => undefined);
    }
  }

  private get head(): NodeJS.WritableStream | undefined {
    return this.done ? (this.gunzip ?? this.hasher) : undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const head = this.head;
    if (!head) return cb(null, chunk);
    // Let the inflater queue up to SIDE_BUFFER bytes before holding the main stream back: waiting
    // for every 'drain' would lock download and inflate into step, one zlib round trip per chunk.
    head.write(chunk);
    const w = head as unknown as { writableLength: number; once(ev: 'drain', fn: () => void): void };
    if (w.writableLength <= SIDE_BUFFER) cb(null, chunk);
    else w.once('drain', () => cb(null, chunk));
  }

  override _flush(cb: TransformCallback): void {
    const head = this.head;
    if (!head || !this.done) return cb();
    head.end();
    this.done.then(
      () => {
        this.result = { diffID: this.hasher.digest, uncompressedSize: this.hasher.size };
        cb();
      },
      // A layer that does not gunzip is still stored as the registry gave it (its digest matched);
      // the store computes what it can later. The tap just learns nothing.
      () => cb(),
    );
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.gunzip?.destroy();
    this.hasher.destroy();
    cb(err);
  }
}
