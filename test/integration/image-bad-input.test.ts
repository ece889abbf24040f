import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/image/digest.js';
import { openStore } from '../../src/store/store.js';
import { importRootfs } from '../../src/store/import-rootfs.js';
import { createTar, tarBuffer, type TarEntry } from '../helpers/tar.js';
import { gzipSync } from 'node:zlib';
import { withHeaderSize } from '../helpers/tar-patch.js';
import { strata, strataOk } from '../helpers/strata-cli.js';

/**
 * Bad input: each archive is refused with one clear line naming the entry, and the store is left
 * exactly as it was (no image, no tag, no blob, no temp file).
 */
let work: string;
let good: Buffer;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'strata-bad-'));
  const rootfsTar = join(work, 'rootfs.tar');
  writeFileSync(rootfsTar, await tarBuffer({ 'etc/hello': 'hello', 'bin/sh': { header: { type: 'symlink', linkname: '/bin/busybox' } } }));
  const src = join(work, 'src');
  strataOk(src, ['import', rootfsTar, 'good']);
  const out = join(work, 'good.tar');
  strataOk(src, ['save', '-o', out, 'good']);
  good = readFileSync(out);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function freshRoot(): string {
  return join(work, `store-${n++}`);
}

/** expectRefused checks the one-line error and that the store holds nothing afterwards. */
function expectRefused(args: string[], input: Buffer, message: RegExp): void {
  const root = freshRoot();
  const file = join(work, `input-${n}.tar`);
  writeFileSync(file, input);
  const r = strata(root, [...args, file]);
  expect(r.code).toBe(1);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.stderr).toMatch(message);
  expect(strataOk(root, ['images', '-a', '-q'])).toBe('');
  expect(readdirSync(join(root, 'blobs', 'sha256'))).toEqual([]);
  expect(readdirSync(join(root, 'tmp'))).toEqual([]);
}

/** archive makes an archive from entries; objects and arrays become JSON documents. */
function archive(entries: Record<string, TarEntry | object>): Promise<Buffer> {
  const files: Record<string, TarEntry> = {};
  for (const [k, v] of Object.entries(entries)) {
    files[k] = typeof v === 'string' || Buffer.isBuffer(v) || (typeof v === 'object' && v !== null && 'header' in v) ? (v as TarEntry) : JSON.stringify(v);
  }
  return tarBuffer(files);
}

describe('load refuses bad archives and writes nothing', () => {
  it('a truncated archive', () => {
    expectRefused(['load', '-i'], good.subarray(0, Math.floor(good.length / 2) + 100), /truncated|unexpected end/i);
  });

  it('a truncated gzip archive', () => {
    const gz = gzipSync(good);
    expectRefused(['load', '-i'], gz.subarray(0, gz.length - 200), /gzip|truncated|unexpected end/i);
  });

  it('an entry with ../ and an absolute entry', async () => {
    expectRefused(['load', '-i'], await archive({ '../evil': 'x', 'manifest.json': [] }), /\.\.\/evil: path escapes the root/);
    expectRefused(['load', '-i'], await archive({ '/etc/evil': 'x', 'manifest.json': [] }), /\/etc\/evil: absolute path/);
  });

  it('a symlink or a hard link pointing outside the archive', async () => {
    expectRefused(['load', '-i'], await archive({ 'a/layer.tar': { header: { type: 'symlink', linkname: '../../etc/passwd' } } }), /a\/layer\.tar: symlink points outside/);
    expectRefused(['load', '-i'], await archive({ 'a/layer.tar': { header: { type: 'symlink', linkname: '/etc/passwd' } } }), /a\/layer\.tar: symlink to an absolute path/);
    expectRefused(['load', '-i'], await archive({ 'a/layer.tar': { header: { type: 'link', linkname: '../x' } } }), /a\/layer\.tar \(hard link to \.\.\/x\): path escapes/);
  });

  it('a layer whose tar escapes the root', async () => {
    const layer = await tarBuffer({ '../../etc/cron.d/x': 'evil' });
    const config = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] } };
    const cfgName = `${sha256Digest(JSON.stringify(config)).slice(7)}.json`;
    expectRefused(
      ['load', '-i'],
      await archive({ [cfgName]: config, 'l/layer.tar': layer, 'manifest.json': [{ Config: cfgName, RepoTags: ['evil:1'], Layers: ['l/layer.tar'] }] }),
      /path escapes the root/,
    );
  });

  it('a config whose digest does not match its name', async () => {
    const layer = await tarBuffer({ f: 'x' });
    const config = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] } };
    const wrong = `${'0'.repeat(64)}.json`;
    expectRefused(
      ['load', '-i'],
      await archive({ [wrong]: config, 'l/layer.tar': layer, 'manifest.json': [{ Config: wrong, RepoTags: ['x:1'], Layers: ['l/layer.tar'] }] }),
      new RegExp(`${wrong}: digest mismatch`),
    );
  });

  it('a layer whose content does not match the diff_id', async () => {
    const layer = await tarBuffer({ f: 'x' });
    const config = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest('something else')] } };
    const cfg = `${sha256Digest(JSON.stringify(config)).slice(7)}.json`;
    expectRefused(
      ['load', '-i'],
      await archive({ [cfg]: config, 'l/layer.tar': layer, 'manifest.json': [{ Config: cfg, RepoTags: ['x:1'], Layers: ['l/layer.tar'] }] }),
      /l\/layer\.tar \(uncompressed\): digest mismatch/,
    );
  });

  it('an OCI manifest whose digest does not match', async () => {
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'x', digest: sha256Digest('c'), size: 1 }, layers: [] });
    const claimed = sha256Digest('not the manifest');
    const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: claimed, size: manifest.length }] };
    expectRefused(['load', '-i'], await archive({ 'oci-layout': { imageLayoutVersion: '1.0.0' }, 'index.json': index, [`blobs/sha256/${claimed.slice(7)}`]: manifest }), new RegExp(`blobs/sha256/${claimed.slice(7)}: digest mismatch`));
  });

  it('a JSON document of gigabytes, refused from its header without reading it', async () => {
    const tar = await archive({ 'manifest.json': [] });
    expectRefused(['load', '-i'], withHeaderSize(tar, 0, 3 * 1024 ** 3), /manifest\.json: JSON document too large \(3221225472 bytes/);
  });

  it('an archive that is neither docker save nor OCI', async () => {
    expectRefused(['load', '-i'], await archive({ 'hello.txt': 'hi' }), /no manifest\.json or index\.json/);
    expectRefused(['load', '-i'], Buffer.from('this is not a tar archive at all, not even close. '.repeat(20)), /not a valid tar archive|empty or not a tar/);
  });
});

describe('import refuses bad rootfs tarballs and writes nothing', () => {
  it('../, absolute, escaping symlink and hard link entries', async () => {
    expectRefused(['import'], await tarBuffer({ 'ok': 'x', '../up': 'x' }), /\.\.\/up: path escapes the root/);
    expectRefused(['import'], await tarBuffer({ '/abs': 'x' }), /\/abs: absolute path/);
    expectRefused(['import'], await tarBuffer({ 'a/b': { header: { type: 'symlink', linkname: '../../../etc/shadow' } } }), /a\/b: symlink points outside the root/);
    expectRefused(['import'], await tarBuffer({ 'a/b': { header: { type: 'link', linkname: '../../x' } } }), /hard link to \.\.\/\.\.\/x\): path escapes/);
  });

  it('a truncated tarball', async () => {
    const tar = await tarBuffer({ big: 'x'.repeat(10_000) });
    expectRefused(['import'], tar.subarray(0, 3000), /truncated|unexpected end/i);
  });

  it('a device file in a rootless store', async () => {
    const root = freshRoot();
    const store = openStore(root);
    try {
      const tar = createTar({ 'dev/null': { header: { type: 'character-device', devmajor: 1, devminor: 3 } } });
      await expect(importRootfs(store, tar, { source: '-', policy: { allowDevices: false, absoluteSymlinks: true }, tags: ['dev'] })).rejects.toThrow(
        'dev/null: device file in a rootless store',
      );
      expect(store.images.listImages()).toEqual([]);
      expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('a bad --change leaves nothing behind', async () => {
    expectRefused(['import', '-c', 'FROM scratch'], await tarBuffer({ f: 'x' }), /FROM is not a valid change command/);
  });
});
