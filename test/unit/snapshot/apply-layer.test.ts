import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../../../src/snapshot/apply-layer.js';
import { encodeTarHeader, TAR_END } from '../../../src/snapshot/tar-header.js';
import { busyboxRootfsTar } from '../../helpers/busybox.js';
import { layerOf } from './layer-helpers.js';

function trustedXattrsWork(dir: string): boolean {
  try {
    writeFileSync(join(dir, '.probe'), '');
    execFileSync('setfattr', ['-n', 'trusted.strata-probe', '-v', '1', join(dir, '.probe')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(join(dir, '.probe'), { force: true });
  }
}

describe('applyLayer', () => {
  let work: string;
  let dir: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'strata-apply-'));
    dir = join(work, 'root');
    mkdirSync(dir);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('unpacks the busybox rootfs', async () => {
    const r = await applyLayer(createReadStream(busyboxRootfsTar()), dir);
    expect(r.entries).toBeGreaterThan(100);
    expect(readlinkSync(join(dir, 'bin/sh'))).toBe('/bin/busybox');
    expect(lstatSync(join(dir, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(readFileSync(join(dir, 'etc/passwd'), 'utf8')).toContain('root:x:0:0');
  });

  it.each([
    ['../evil', 'path contains ..'],
    ['a/../../evil', 'path contains ..'],
    ['/abs', 'absolute path'],
  ])('refuses %s', async (name, why) => {
    await expect(applyLayer(layerOf([{ name, content: 'x' }]), dir)).rejects.toMatchObject({ code: 'LAYER_UNSAFE_PATH', message: expect.stringContaining(why) });
    expect(existsSync(join(work, 'evil'))).toBe(false);
  });

  it('refuses to write through a symlink, even one that points inside', async () => {
    const outside = join(work, 'outside');
    mkdirSync(outside);
    const layer = layerOf([
      { name: 'lnk', type: 'symlink', linkname: outside },
      { name: 'lnk/planted', content: 'gotcha' },
    ]);
    await expect(applyLayer(layer, dir)).rejects.toMatchObject({ code: 'LAYER_UNSAFE_PATH', message: expect.stringContaining('symlink') });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('replaces a symlink with a file instead of writing through it', async () => {
    const outside = join(work, 'victim');
    writeFileSync(outside, 'keep');
    await applyLayer(layerOf([{ name: 'f', type: 'symlink', linkname: outside }]), dir);
    await applyLayer(layerOf([{ name: 'f', content: 'new' }]), dir);
    expect(readFileSync(outside, 'utf8')).toBe('keep');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('new');
  });

  it('refuses a hard link that leaves the root', async () => {
    await expect(applyLayer(layerOf([{ name: 'h', type: 'link', linkname: '../../etc/passwd' }]), dir)).rejects.toMatchObject({ code: 'LAYER_UNSAFE_PATH' });
  });

  it('applies an opaque whiteout without deleting what the same layer unpacked', async () => {
    await applyLayer(layerOf([{ name: 'd/', type: 'directory' }, { name: 'd/old', content: 'o' }]), dir);
    await applyLayer(layerOf([{ name: 'd/', type: 'directory' }, { name: 'd/new', content: 'n' }, { name: 'd/.wh..wh..opq' }]), dir);
    expect(readdirSync(join(dir, 'd'))).toEqual(['new']);
  });

  it('writes overlay whiteouts as 0/0 character devices and opaque xattrs', async (ctx) => {
    if (!trustedXattrsWork(work)) {
      console.warn('overlay whiteout test skipped: trusted.* xattrs cannot be set on this filesystem or without root');
      ctx.skip();
    }
    await applyLayer(layerOf([{ name: 'gone/.wh.x' }, { name: '.wh.y' }, { name: 'o/.wh..wh..opq' }]), dir, { whiteouts: 'overlay' });
    const st = lstatSync(join(dir, 'y'));
    expect(st.isCharacterDevice() && st.rdev === 0).toBe(true);
    expect(lstatSync(join(dir, 'gone/x')).isCharacterDevice()).toBe(true);
    expect(execFileSync('getfattr', ['-n', 'trusted.overlay.opaque', '--only-values', join(dir, 'o')], { encoding: 'utf8' })).toBe('y');
  });

  it('takes owners beyond ustar range from PAX records', async () => {
    const tar = Buffer.concat([
      encodeTarHeader({ name: 'big', type: 'file', mode: 0o640, uid: 3_000_000, gid: 2_500_000, size: 0, mtime: 1_600_000_000 }),
      TAR_END,
    ]);
    await applyLayer(Readable.from([tar]), dir);
    const st = lstatSync(join(dir, 'big'));
    expect([st.uid, st.gid, st.mode & 0o7777, st.mtimeMs / 1000]).toEqual([3_000_000, 2_500_000, 0o640, 1_600_000_000]);
  });

  it('reports a truncated or garbage tar as INVALID_LAYER', async () => {
    await expect(applyLayer(Readable.from([Buffer.alloc(700, 7)]), dir)).rejects.toMatchObject({ code: 'INVALID_LAYER' });
  });
});
