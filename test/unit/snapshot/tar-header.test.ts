import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeTarHeader, TAR_END, tarPadding, type TarEntry } from '../../../src/snapshot/tar-header.js';
import { readLayer } from './layer-helpers.js';

function archive(entries: [TarEntry, string?][]): Buffer {
  const parts: Buffer[] = [];
  for (const [e, body] of entries) {
    parts.push(encodeTarHeader(e));
    if (body !== undefined) parts.push(Buffer.from(body), tarPadding(Buffer.byteLength(body)));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000 };

describe('encodeTarHeader', () => {
  const long = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
  const veryLong = 'x'.repeat(300);
  const cases: [TarEntry, string?][] = [
    [{ ...base, name: 'short', type: 'file', size: 2 }, 'hi'],
    [{ ...base, name: long, type: 'file', size: 1 }, 'L'],
    [{ ...base, name: veryLong, type: 'file', size: 0 }, ''],
    [{ ...base, name: 'ünïcode', type: 'file', size: 0 }, ''],
    [{ ...base, name: 'big-ids', type: 'file', uid: 3_000_000, gid: 70_000, size: 0 }, ''],
    [{ ...base, name: 'sym', type: 'symlink', mode: 0o777, linkname: 't'.repeat(150) }],
    [{ ...base, name: 'xa', type: 'file', xattrs: new Map([['user.k', Buffer.from('v')], ['security.capability', Buffer.from([1, 0, 0, 2])]]) }, ''],
    [{ ...base, name: 'dir', type: 'dir', mode: 0o1777 }],
  ];
  const tar = archive(cases);

  it('reads back with tar-stream, names, ids, links and xattrs intact', async () => {
    const lines = (await readLayer(Readable.from([tar]))).map((e) => e.line);
    expect(lines).toEqual([
      'file short 644 0:0 =hi',
      `file ${long} 644 0:0 =L`,
      `file ${veryLong} 644 0:0 =`,
      'file ünïcode 644 0:0 =',
      'file big-ids 644 3000000:70000 =',
      `symlink sym 777 0:0 -> ${'t'.repeat(150)}`,
      `file xa 644 0:0 = {security.capability=${Buffer.from([1, 0, 0, 2]).toString()},user.k=v}`,
      'directory dir/ 1777 0:0',
    ]);
  });

  it('is read by GNU tar without a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-tar-'));
    try {
      writeFileSync(join(dir, 'a.tar'), tar);
      const out = execFileSync('tar', ['--numeric-owner', '-tvf', join(dir, 'a.tar')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out.split('\n').filter(Boolean)).toHaveLength(8);
      expect(out).toContain(long);
      expect(out).toContain('3000000/70000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('encodes the same bytes as it always has: layer digests, and so cache hits across versions, depend on them', () => {
    // sha256 of this archive as encoded when headers were built with Buffer.write per field; any
    // byte that moves changes every layer digest strata has ever produced
    const more = archive([
      ...cases,
      [{ ...base, name: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }],
      [{ ...base, name: 'hard', type: 'link', linkname: 'short' }],
      [{ ...base, name: 'neg-mtime', type: 'file', mtime: -5 }, ''],
      [{ ...base, name: 'huge-mtime', type: 'file', mtime: 2 ** 40 }, ''],
      [{ ...base, name: 'big', type: 'file', size: 2 ** 34 }],
    ]);
    expect(createHash('sha256').update(more).digest('hex')).toBe('4193a55f6603bb6d131a540cd88202c735f19befbdf30eaa8d593764f0c8f774');
  });
});
