import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LayerEntry } from '../../../src/build/layer-entry.js';
import { writeLayerTar } from '../../../src/build/tar-writer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-tarw-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function entries(tar: Readable): Promise<{ name: string; type: string; uid: number; mtime: number; data: Buffer }[]> {
  const x = extract();
  tar.on('error', (e) => x.destroy(e));
  tar.pipe(x as unknown as NodeJS.WritableStream);
  const out = [];
  for await (const e of x) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.push({ name: e.header.name, type: e.header.type ?? '', uid: e.header.uid ?? -1, mtime: (e.header.mtime?.getTime() ?? 0) / 1000, data: Buffer.concat(chunks) });
  }
  return out;
}

function file(path: string, abs: string, size: number): LayerEntry {
  return { path, type: 'file', mode: 0o644, uid: 1000, gid: 1000, mtime: 2_000_000_000, size, content: { kind: 'file', abs } };
}

describe('writeLayerTar', () => {
  it('writes sorted entries with small files batched and a big one streamed between them, clamped to the epoch', async () => {
    const big = Buffer.alloc((1 << 20) + 4097, 7);
    writeFileSync(join(dir, 'big'), big);
    const smalls: LayerEntry[] = [];
    for (let i = 0; i < 600; i++) {
      writeFileSync(join(dir, `s${i}`), `small ${i}`);
      smalls.push(file(`d/s${String(i).padStart(3, '0')}`, join(dir, `s${i}`), `small ${i}`.length));
    }
    const list: LayerEntry[] = [
      ...smalls,
      file('d/s300-big', join(dir, 'big'), big.length),
      { path: 'd', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 1 },
      { path: 'd/link', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 1, linkname: 's000' },
      { path: 'inline', type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: 1, size: 2, content: { kind: 'bytes', data: Buffer.from('hi') } },
    ];
    const got = await entries(writeLayerTar(list, { epoch: 1_700_000_000 }));
    expect(got.map((e) => e.name).slice(0, 3)).toEqual(['d/', 'd/link', 'd/s000']);
    expect(got.find((e) => e.name === 'd/s300-big')?.data.equals(big)).toBe(true);
    expect(got.find((e) => e.name === 'd/s301')?.data.toString()).toBe('small 301');
    expect(got.find((e) => e.name === 'inline')?.data.toString()).toBe('hi');
    expect(got.filter((e) => e.name.startsWith('d/s'))).toHaveLength(601);
    expect(new Set(got.filter((e) => e.name.startsWith('d/s')).map((e) => e.mtime))).toEqual(new Set([1_700_000_000]));
  });

  it('fails with SOURCE_CHANGED when a context file is not the size that was planned, small or big', async () => {
    writeFileSync(join(dir, 'a'), 'abcde');
    const big = Buffer.alloc((1 << 20) + 10, 1);
    writeFileSync(join(dir, 'b'), big);
    for (const e of [file('grew', join(dir, 'a'), 3), file('shrank', join(dir, 'a'), 9), file('bigger', join(dir, 'b'), big.length - 5), file('smaller', join(dir, 'b'), big.length + 5)]) {
      await expect(entries(writeLayerTar([e]))).rejects.toMatchObject({ code: 'SOURCE_CHANGED', message: expect.stringContaining('size changed') });
    }
  });
});
