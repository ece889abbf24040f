import { Transform, type TransformCallback } from 'node:stream';
import type { Digest } from '../image/digest.js';
import { compressionOfMediaType } from '../image/compression.js';
import { sideHasher, type WorkerReply } from './diff-id-worker.js';

const SIDE_BUFFER = 8 << 20;

/** DiffIdResult is what a tap learns of the uncompressed tar inside a layer. */
export interface DiffIdResult {
  diffID: Digest;
  uncompressedSize: number;
}

/**
 * DiffIdTap passes a compressed layer through unchanged and, on the side, gunzips and hashes it,
 * so a pull learns each layer's diffID and uncompressed size in the same pass that stores it
 * (the store would otherwise read every layer again). The side pass runs on a worker thread
 * (diff-id-worker.ts), so it overlaps with the store's hashing of the compressed bytes on the main
 * thread; up to SIDE_BUFFER bytes may be in flight before the main stream is held back.
 * Layers that are not gzip or plain tar are not tapped (`result` stays undefined).
 */
export class DiffIdTap extends Transform {
  private readonly side: ReturnType<typeof sideHasher> | undefined;
  private inFlight = 0;
  private waiting: (() => void) | undefined;
  private finished: ((r: DiffIdResult | undefined) => void) | undefined;
  private outcome: { r: DiffIdResult | undefined } | undefined;
  result: DiffIdResult | undefined;

  constructor(mediaType: string) {
    super();
    const kind = compressionOfMediaType(mediaType);
    if (kind === 'gzip' || kind === 'none') this.side = sideHasher(kind === 'gzip', (m) => this.reply(m));
  }

  private reply(m: WorkerReply): void {
    if (m.type === 'ack') {
      this.inFlight -= m.n;
      if (this.waiting && this.inFlight <= SIDE_BUFFER) {
        const w = this.waiting;
        this.waiting = undefined;
        w();
      }
      return;
    }
    // A layer that does not gunzip is still stored as the registry gave it (its digest matched);
    // the store computes what it can later. The tap just learns nothing.
    const r = m.type === 'done' ? { diffID: m.diffID as Digest, uncompressedSize: m.size } : undefined;
    this.outcome = { r };
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w();
    }
    this.finished?.(r);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.side || this.outcome) return cb(null, chunk);
    this.side.send(chunk);
    this.inFlight += chunk.length;
    if (this.inFlight <= SIDE_BUFFER) cb(null, chunk);
    else this.waiting = () => cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (!this.side) return cb();
    const done = (r: DiffIdResult | undefined): void => {
      this.result = r;
      cb();
    };
    if (this.outcome) return done(this.outcome.r);
    this.finished = done;
    this.side.end();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    if (this.side && !this.outcome) this.side.abort();
    cb(err);
  }
}
