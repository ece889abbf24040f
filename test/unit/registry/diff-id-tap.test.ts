import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MediaType } from '../../../src/image/media-types.js';
import { DiffIdTap } from '../../../src/registry/diff-id-tap.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** tapThrough streams `data` in small chunks through a tap and returns what came out and what the tap learnt. */
async function tapThrough(data: Buffer, mediaType: string): Promise<{ out: Buffer; tap: DiffIdTap }> {
  const chunks: Buffer[] = [];
  const tap = new DiffIdTap(mediaType);
  const pieces = Array.from({ length: Math.ceil(data.length / 65536) }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
  await pipeline(Readable.from(pieces), tap, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
  return { out: Buffer.concat(chunks), tap };
}

describe('DiffIdTap', () => {
  it('learns the diffID and size of a gzip layer larger than its in-flight window, passing the bytes through unchanged', async () => {
    const tar = randomBytes(12 << 20);
    const gz = gzipSync(tar, { level: 1 });
    const { out, tap } = await tapThrough(gz, MediaType.OciLayerGzip);
    expect(out.equals(gz)).toBe(true);
    expect(tap.result).toEqual({ diffID: sha(tar), uncompressedSize: tar.length });
  });

  it('hashes an uncompressed layer as it is, and several taps at once keep their results apart', async () => {
    const a = randomBytes(300_000);
    const b = randomBytes(500_000);
    const [ra, rb] = await Promise.all([tapThrough(a, MediaType.OciLayer), tapThrough(gzipSync(b), MediaType.DockerLayerGzip)]);
    expect(ra.tap.result).toEqual({ diffID: sha(a), uncompressedSize: a.length });
    expect(rb.tap.result).toEqual({ diffID: sha(b), uncompressedSize: b.length });
  });

  it('learns nothing from bytes that do not gunzip, and still passes them through', async () => {
    const junk = randomBytes(200_000);
    const { out, tap } = await tapThrough(junk, MediaType.OciLayerGzip);
    expect(out.equals(junk)).toBe(true);
    expect(tap.result).toBeUndefined();
  });
});
