import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DigestingStream, parseDigest, sha256Digest } from '../../../src/image/digest.js';

describe('digest', () => {
  it('parses only sha256 digests of 64 hex digits', () => {
    expect(parseDigest(`sha256:${'a'.repeat(64)}`)).toBe(`sha256:${'a'.repeat(64)}`);
    expect(() => parseDigest('sha256:abc')).toThrow(/invalid digest/);
    expect(() => parseDigest(`md5:${'a'.repeat(64)}`)).toThrow(/invalid digest/);
  });

  it('hashes a stream while passing it through', async () => {
    const d = new DigestingStream();
    const chunks: Buffer[] = [];
    await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), d, new Writable({ write(c, _e, cb) { chunks.push(c); cb(); } }));
    expect(Buffer.concat(chunks).toString()).toBe('hello world');
    expect(d.digest).toBe(sha256Digest('hello world'));
    expect(d.size).toBe(11);
  });
});
