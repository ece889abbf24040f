import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BlockGzip, blockKind } from '../../../src/image/block-gzip.js';
import { encodeTarHeader } from '../../../src/snapshot/tar-header.js';

async function compress(data: Buffer, chunk: number, parallel?: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  const out: Buffer[] = [];
  for await (const c of Readable.from(parts).pipe(new BlockGzip(parallel !== undefined ? { parallel } : {}))) out.push(c as Buffer);
  return Buffer.concat(out);
}

/** text is compressible, deterministic, and long enough to span many blocks. */
function text(bytes: number): Buffer {
  const lines: string[] = [];
  for (let i = 0, n = 0; n < bytes; i++) {
    const line = `line ${i} of a log: ${createHash('sha1').update(String(i % 97)).digest('hex')}\n`;
    lines.push(line);
    n += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

describe('BlockGzip', () => {
  it('round-trips empty, tiny and multi-block input through gunzip', async () => {
    const mixed = Buffer.concat([randomBytes(700_000), text(900_000), randomBytes(12_345)]);
    for (const data of [Buffer.alloc(0), Buffer.from('hi'), mixed]) {
      const gz = await compress(data, 65_536);
      expect(gunzipSync(gz).equals(data)).toBe(true);
    }
  });

  it('gives the same bytes whatever the input chunking and parallelism', async () => {
    const data = Buffer.concat([text(600_000), randomBytes(400_000), text(300_001)]);
    const a = await compress(data, 1000);
    const b = await compress(data, 1 << 20, 1);
    const c = await compress(data, 262_144, 4);
    expect(b.equals(a)).toBe(true);
    expect(c.equals(a)).toBe(true);
  });

  it('compresses HTML pages and a tar of them within 1% of zlib level 6 (its default level is the faster 4, not a fast one)', async () => {
    // w3's kind of content: many small, similar pages between tar headers
    const pages: Buffer[] = [];
    for (let p = 1; p <= 120; p++) {
      const body = Array.from({ length: 200 }, (_, i) => `<p>page ${p} line ${i + 1}</p>`).join('\n');
      const page = Buffer.from(`<html><head><title>Page ${p}</title></head><body>\n${body}\n</body></html>\n`);
      pages.push(encodeTarHeader({ name: `pages/page-${p}.html`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: page.length, mtime: 0 }));
      pages.push(page, Buffer.alloc((512 - (page.length % 512)) % 512));
    }
    const tar = Buffer.concat(pages);
    const gz = await compress(tar, 65_536);
    expect(gunzipSync(gz).equals(tar)).toBe(true);
    expect(gz.length).toBeLessThan(deflateRawSync(tar, { level: 6 }).length * 1.01);
    // and it is not level 6 itself: level 4's output for the same single block (plus header and trailer)
    const first = tar.subarray(0, 200_000); // under one block, so one final deflate block
    expect((await compress(first, 65_536)).length).toBe(deflateRawSync(first, { level: 4 }).length + 18);
  });

  it('writes random data as stored deflate blocks of at most 65,535 bytes, final bit on the last, read back by gunzip and inflate', async () => {
    const data = randomBytes((1 << 20) + 70_000); // four full 256 KiB segments and a short one
    const gz = await compress(data, 100_000);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    // 10-byte header, 8-byte trailer, and 5 bytes a stored block: nothing deflated, nothing padded
    const blocks = 4 * Math.ceil((256 << 10) / 65_535) + Math.ceil(70_000 / 65_535);
    expect(gz.length).toBe(10 + data.length + 5 * blocks + 8);
    const deflated = gz.subarray(10, gz.length - 8);
    expect(deflated[0]).toBe(0); // not final, type 00
    expect(deflated.readUInt16LE(1)).toBe(65_535);
    expect(deflated.subarray(5, 5 + 65_535).equals(data.subarray(0, 65_535))).toBe(true);
    expect(inflateRawSync(deflated).equals(data)).toBe(true);
    // a stored segment between deflated ones: the stream stays one valid member
    const mixed = Buffer.concat([text(300_000), randomBytes(300_000), text(300_000)]);
    expect(gunzipSync(await compress(mixed, 65_536)).equals(mixed)).toBe(true);
  });

  it('compresses text and stores random data without growing it much', async () => {
    const t = text(1 << 20);
    const r = randomBytes(1 << 20);
    const gt = await compress(t, 65_536);
    const gr = await compress(r, 65_536);
    expect(gt.length).toBeLessThan(t.length / 3);
    expect(gr.length).toBeLessThan(r.length * 1.01);
  });

  it('deflates blocks whose sequences do not repeat (base64 of random bytes, in a tar) with run matches only, as small as level 6', async () => {
    const b64 = Buffer.from(randomBytes(600_000).toString('base64'));
    expect(blockKind(b64.subarray(0, 256 << 10))).toBe('rle');
    // 16 KiB files of base64 between tar headers (mostly zero padding: runs), as in w4's context
    const tarLike = Buffer.concat(
      Array.from({ length: 36 }, (_, i) => [
        encodeTarHeader({ name: `data/pkg-000/part1-${String(i).padStart(3, '0')}.txt`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 16384, mtime: 1_700_000_000 }),
        b64.subarray(i * 16384, (i + 1) * 16384),
      ]).flat(),
    );
    expect(blockKind(tarLike.subarray(0, 256 << 10))).toBe('rle');
    expect(blockKind(text(256 << 10))).toBe('deflate');
    expect(blockKind(randomBytes(256 << 10))).toBe('stored');
    expect(blockKind(Buffer.alloc(256 << 10))).toBe('rle'); // runs are all there is to find
    const data = Buffer.concat([b64, text(400_000), b64.subarray(0, 100_000)]);
    const gz = await compress(data, 65_536);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    const gzB64 = await compress(b64, 65_536);
    expect(gzB64.length).toBeLessThan(deflateRawSync(b64, { level: 6 }).length * 1.01);
    const gzTar = await compress(tarLike, 65_536);
    expect(gunzipSync(gzTar).equals(tarLike)).toBe(true);
    expect(gzTar.length).toBeLessThan(deflateRawSync(tarLike, { level: 6 }).length * 1.01);
  });

  it('is read by the gzip tool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'block-gzip-'));
    try {
      const data = Buffer.concat([text(500_000), randomBytes(300_000)]);
      writeFileSync(join(dir, 'x.gz'), await compress(data, 10_000));
      const r = spawnSync('gzip', ['-dc', join(dir, 'x.gz')], { maxBuffer: 1 << 24 });
      expect(r.status).toBe(0);
      expect(r.stdout.equals(data)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
