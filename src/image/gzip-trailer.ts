import { open } from 'node:fs/promises';

/**
 * gzipTrailerSize reads ISIZE, the last four bytes of a gzip file: the uncompressed length modulo 2^32
 * of its last member. For the single-member gzip that layers are, under 4 GiB, that is the layer's
 * uncompressed size without inflating it; callers treat it as a claim to check on first unpack.
 */
export async function gzipTrailerSize(path: string, size: number): Promise<number | undefined> {
  if (size < 18) return undefined; // smaller than an empty gzip member
  const f = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await f.read(b, 0, 4, size - 4);
    return bytesRead === 4 ? b.readUInt32LE(0) : undefined;
  } finally {
    await f.close();
  }
}
