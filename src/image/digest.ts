import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidArgumentError } from '../util/errors.js';

/**
 * Digest is a validated `sha256:<64 hex>` string. It is branded so that a raw string never
 * crosses a module boundary where a digest is meant: parse it once with `parseDigest`.
 */
export type Digest = string & { readonly __brand: 'Digest' };

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function parseDigest(s: string): Digest {
  if (!DIGEST_RE.test(s)) throw new InvalidArgumentError(`invalid digest ${JSON.stringify(s)}: want sha256:<64 hex digits>`);
  return s as Digest;
}

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

/** digestHex returns the 64 hex digits of a digest (the blob's file name in a store). */
export function digestHex(d: Digest): string {
  return d.slice('sha256:'.length);
}

export function sha256Digest(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/**
 * DigestingStream passes bytes through unchanged and computes their sha256 and length on the way,
 * so a blob can be hashed while it is being written or read, never buffered whole.
 */
export class DigestingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private length = 0;
  private result: Digest | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.length += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.result = `sha256:${this.hash.digest('hex')}` as Digest;
    cb();
  }

  /** digest is available once the stream has ended. */
  get digest(): Digest {
    if (this.result === undefined) throw new Error('DigestingStream: digest read before the stream ended');
    return this.result;
  }

  get size(): number {
    return this.length;
  }
}
