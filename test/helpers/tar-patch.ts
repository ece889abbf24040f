/**
 * withHeaderSize rewrites the size field of the tar header at `offset` (and its checksum), so a test
 * can make an entry claim gigabytes without writing them.
 */
export function withHeaderSize(tar: Buffer, offset: number, size: number): Buffer {
  const out = Buffer.from(tar);
  out.write(`${size.toString(8).padStart(11, '0')}\0`, offset + 124, 12, 'latin1');
  out.fill(' ', offset + 148, offset + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += out[offset + i]!;
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 8, 'latin1');
  return out;
}
