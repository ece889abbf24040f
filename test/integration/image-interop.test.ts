import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/image/digest.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { cliPath } from '../helpers/paths.js';
import { tarBuffer } from '../helpers/tar.js';
import { run, strataOk } from '../helpers/strata-cli.js';

/**
 * Interop with the real tools: what strata saves is read by skopeo and unpacked by umoci to exactly
 * the imported files; what skopeo writes (docker-archive, OCI layout, OCI archive) strata loads;
 * save → load → save keeps every digest.
 */
let work: string;
let rootfs: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'strata-interop-'));
  rootfs = busyboxRootfsTar();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function store(name: string): string {
  return join(work, `store-${name}`);
}

/** tarListing lists a tar's entries as `type path` lines (directories with a trailing /), sorted. */
function tarEntries(tarPath: string): string[] {
  return run('tar', ['-tf', tarPath])
    .split('\n')
    .filter((l) => l !== '' && l !== './')
    .map((l) => l.replace(/^\.\//, '').replace(/\/$/, ''))
    .sort();
}

describe('interop with skopeo and umoci', () => {
  it('save is read by skopeo, copied to an OCI layout and unpacked by umoci to exactly the imported files', () => {
    const root = store('a');
    const id = strataOk(root, ['import', '-c', 'CMD ["sh"]', rootfs, 'busybox:1']).trim();
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    const archive = join(work, 'a.tar');
    strataOk(root, ['save', '-o', archive, 'busybox:1']);
    const info = JSON.parse(run('skopeo', ['inspect', `docker-archive:${archive}`])) as { Layers: string[]; Os: string };
    expect(info.Os).toBe('linux');
    expect(info.Layers).toHaveLength(1);
    const ociInfo = JSON.parse(run('skopeo', ['inspect', `oci-archive:${archive}:1`])) as { Layers: string[] };
    expect(ociInfo.Layers).toHaveLength(1);
    const layout = join(work, 'layout-a');
    run('skopeo', ['copy', `docker-archive:${archive}`, `oci:${layout}:bb`]);
    const bundle = join(work, 'bundle-a');
    run('umoci', ['unpack', '--image', `${layout}:bb`, bundle]);
    const unpacked = run('find', ['.', '-mindepth', '1'], { cwd: join(bundle, 'rootfs') })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^\.\//, ''))
      .sort();
    expect(unpacked).toEqual(tarEntries(rootfs));
    expect(readFileSync(join(bundle, 'rootfs', 'etc', 'passwd'), 'utf8')).toContain('root:x:0:0');
    expect(readFileSync(join(bundle, 'rootfs', 'bin', 'busybox')).equals(readFileSync('/bin/busybox'))).toBe(true);
  });

  it('loads a docker-save archive, an OCI layout and an OCI archive written by skopeo', () => {
    const src = store('src');
    const id = strataOk(src, ['import', rootfs, 'busybox']).trim();
    const archive = join(work, 'src.tar');
    strataOk(src, ['save', '-o', archive, 'busybox']);

    const legacy = join(work, 'skopeo-docker.tar');
    run('skopeo', ['copy', `docker-archive:${archive}`, `docker-archive:${legacy}:skopeo/bb:v1`]);
    expect(tarEntries(legacy)).toContain('manifest.json');
    const r1 = store('legacy');
    expect(strataOk(r1, ['load', '-i', legacy])).toBe('Loaded image: skopeo/bb:v1\n');
    expect(strataOk(r1, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).toBe(`skopeo/bb:v1 ${id.slice(7, 19)}\n`);

    const layout = join(work, 'skopeo-layout');
    run('skopeo', ['copy', `docker-archive:${archive}`, `oci:${layout}:v2`]);
    const r2 = store('layout');
    const out2 = strataOk(r2, ['load', '-i', layout]);
    expect(out2).toMatch(/^Loaded image ID: sha256:[a-f0-9]{64}\n$/);
    strataOk(r2, ['tag', out2.trim().slice('Loaded image ID: '.length), 'from/layout']);

    const ociArchive = join(work, 'skopeo-oci.tar');
    run('skopeo', ['copy', `docker-archive:${archive}`, `oci-archive:${ociArchive}:docker.io/library/oci:v3`]);
    const r3 = store('oci-archive');
    expect(strataOk(r3, ['load', '-i', ociArchive])).toBe('Loaded image: oci:v3\n');
    // Each loaded image unpacks with umoci after a round trip through strata save.
    for (const [root, ref] of [[r1, 'skopeo/bb:v1'], [r2, 'from/layout'], [r3, 'oci:v3']] as const) {
      const again = join(work, `again-${ref.replace(/[/:]/g, '_')}.tar`);
      strataOk(root, ['save', '-o', again, ref]);
      const lay = `${again}.layout`;
      run('skopeo', ['copy', `docker-archive:${again}`, `oci:${lay}:x`]);
      const b = `${again}.bundle`;
      run('umoci', ['unpack', '--image', `${lay}:x`, b]);
      expect(readFileSync(join(b, 'rootfs', 'etc', 'group'), 'utf8')).toContain('root:x:0:');
    }
  });

  it('save → load → save keeps every digest (and byte)', () => {
    const a = store('rt-a');
    strataOk(a, ['import', '-c', 'ENV A=1', rootfs, 'rt:1']);
    strataOk(a, ['tag', 'rt:1', 'other/rt:2']);
    const first = join(work, 'rt1.tar');
    strataOk(a, ['save', '-o', first, 'rt:1', 'other/rt:2']);
    const b = store('rt-b');
    expect(strataOk(b, ['load', '-i', first])).toBe('Loaded image: rt:1\nLoaded image: other/rt:2\n');
    const second = join(work, 'rt2.tar');
    strataOk(b, ['save', '-o', second, 'rt:1', 'other/rt:2']);
    expect(readFileSync(second).equals(readFileSync(first))).toBe(true);
    // Without -o the same archive goes to stdout.
    const piped = spawnSync(cliPath, ['--root', b, 'save', 'rt:1', 'other/rt:2'], { maxBuffer: 64 << 20 });
    expect(piped.status).toBe(0);
    expect(piped.stdout.equals(readFileSync(first))).toBe(true);
    const inspectA = JSON.parse(strataOk(a, ['inspect', 'rt:1'])) as { Id: string; RootFS: unknown }[];
    const inspectB = JSON.parse(strataOk(b, ['inspect', 'rt:1'])) as { Id: string; RootFS: unknown }[];
    expect(inspectB[0]!.Id).toBe(inspectA[0]!.Id);
    expect(inspectB[0]!.RootFS).toEqual(inspectA[0]!.RootFS);
  });

  it('loads compressed archives (gzip, xz, zstd) from a file and from stdin', () => {
    const a = store('cz');
    strataOk(a, ['import', rootfs, 'cz']);
    const tar = join(work, 'cz.tar');
    strataOk(a, ['save', '-o', tar, 'cz']);
    for (const [tool, ext] of [['gzip', 'gz'], ['xz', 'xz'], ['zstd', 'zst']] as const) {
      run(tool, ['-k', '-f', tar]);
      const r = store(`cz-${ext}`);
      expect(strataOk(r, ['load', '-i', `${tar}.${ext}`])).toBe('Loaded image: cz:latest\n');
    }
    const r = store('cz-stdin');
    expect(strataOk(r, ['load'], { input: readFileSync(`${tar}.gz`) })).toBe('Loaded image: cz:latest\n');
  });

  it('imports bzip2, xz, zstd and gzip rootfs tarballs to the same layer', () => {
    const ids = new Set<string>();
    for (const [tool, ext] of [['bzip2', 'bz2'], ['xz', 'xz'], ['zstd', 'zst'], ['gzip', 'gz']] as const) {
      const file = join(work, `rootfs.tar.${ext}`);
      run('sh', ['-c', `${tool} -c < '${rootfs}' > '${file}'`]);
      const r = store(`imp-${ext}`);
      strataOk(r, ['import', '-m', 'same', file, 'x']);
      const doc = JSON.parse(strataOk(r, ['inspect', 'x'])) as { RootFS: { Layers: string[] } }[];
      ids.add(doc[0]!.RootFS.Layers[0]!);
    }
    expect(ids.size).toBe(1);
  });
});

describe('docker save archives of every era', () => {
  it('loads a Docker 1.10–24 archive (<id>/layer.tar, <hex>.json, a linked duplicate layer)', async () => {
    const layer = await tarBuffer({ 'etc/legacy': 'from an old docker' });
    const diff = sha256Digest(layer);
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [diff, diff] }, history: [{ created_by: 'a' }, { created_by: 'b' }] });
    const cfg = sha256Digest(config).slice(7);
    const [id1, id2] = ['1'.repeat(64), '2'.repeat(64)];
    const archive = await tarBuffer({
      [`${id1}/VERSION`]: '1.0',
      [`${id1}/json`]: '{}',
      [`${id1}/layer.tar`]: layer,
      [`${id2}/VERSION`]: '1.0',
      [`${id2}/json`]: '{}',
      [`${id2}/layer.tar`]: { header: { type: 'symlink', linkname: `../${id1}/layer.tar` } },
      [`${cfg}.json`]: config,
      'manifest.json': JSON.stringify([{ Config: `${cfg}.json`, RepoTags: ['legacy:1'], Layers: [`${id1}/layer.tar`, `${id2}/layer.tar`] }]),
      repositories: JSON.stringify({ legacy: { '1': id2 } }),
    });
    const file = join(work, 'legacy.tar');
    writeFileSync(file, archive);
    const root = store('legacy-era');
    expect(strataOk(root, ['load', '-i', file])).toBe('Loaded image: legacy:1\n');
    const [doc] = JSON.parse(strataOk(root, ['inspect', 'legacy:1'])) as { Id: string; RootFS: { Layers: string[] } }[];
    expect(doc!.Id).toBe(`sha256:${cfg}`);
    expect(doc!.RootFS.Layers).toEqual([diff, diff]);
    // And what strata saves from it, skopeo reads.
    const out = join(work, 'legacy-resaved.tar');
    strataOk(root, ['save', '-o', out, 'legacy:1']);
    const info = JSON.parse(run('skopeo', ['inspect', `docker-archive:${out}`])) as { Layers: string[] };
    expect(info.Layers).toHaveLength(2);
  });
});
