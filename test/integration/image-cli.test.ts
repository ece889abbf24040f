import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStoreIntegrity } from '../helpers/store-check.js';
import { strata, strataOk } from '../helpers/strata-cli.js';
import { tarBuffer } from '../helpers/tar.js';

/** The image verbs through the compiled CLI, with docker's flags, columns and messages. */
let work: string;
let tarA: string;
let tarB: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'strata-cli-'));
  tarA = join(work, 'a.tar');
  tarB = join(work, 'b.tar');
  writeFileSync(tarA, await tarBuffer({ 'etc/a': 'A'.repeat(1_220_000), 'bin/sh': { header: { type: 'symlink', linkname: '/bin/busybox' } } }));
  writeFileSync(tarB, await tarBuffer({ 'etc/b': 'B'.repeat(5000) }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
const fresh = () => join(work, `store-${n++}`);
const short = (id: string) => id.trim().slice(7, 19);

describe('images', () => {
  it.skipIf(process.getuid?.() !== 0)('unpacks an imported image into the snapshotter, as docker import does, so the first build starts at once', async () => {
    const root = fresh();
    const id = strataOk(root, ['import', tarA, 'app:1']).trim();
    const config = JSON.parse(strataOk(root, ['image', 'inspect', '--format', '{{json .RootFS}}', id])) as { Layers: string[] };
    const diffID = config.Layers[0]!;
    // a one-layer image's chain id is its diffID: the name a build's RUN step looks for
    const kind = readdirSync(join(root, 'snapshots')).find((k) => k === 'overlay' || k === 'native')!;
    const { OverlaySnapshotter } = await import('../../src/snapshot/overlay.js');
    const { NativeSnapshotter } = await import('../../src/snapshot/native.js');
    const sn = kind === 'overlay' ? new OverlaySnapshotter(join(root, 'snapshots', kind)) : new NativeSnapshotter(join(root, 'snapshots', kind));
    expect((await sn.stat(diffID)).kind).toBe('committed');
    expect(readFileSync(join(root, 'snapshots', kind, (await sn.stat(diffID)).id, 'fs', 'etc', 'a'), 'utf8')).toHaveLength(1_220_000);
  });

  it('lists one row per tag with docker columns, sizes and filters', () => {
    const root = fresh();
    const a = strataOk(root, ['import', '-c', 'LABEL team=core', tarA, 'app:1']).trim();
    strataOk(root, ['tag', 'app:1', 'registry.local:5000/team/app:2']);
    const b = strataOk(root, ['import', tarB]).trim();
    const table = strataOk(root, ['images', '--format', 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}']);
    expect([statSync(tarA).size, statSync(tarB).size]).toEqual([1_222_144, 6_656]);
    expect(table).toBe(
      [
        'REPOSITORY                     TAG       IMAGE ID       SIZE',
        `<none>                         <none>    ${short(b)}   6.66kB`,
        `app                            1         ${short(a)}   1.22MB`,
        `registry.local:5000/team/app   2         ${short(a)}   1.22MB`,
        '',
      ].join('\n'),
    );
    const header = strataOk(root, ['images']).split('\n')[0];
    expect(header).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
    expect(strataOk(root, ['images', '--filter', 'dangling=true', '-q'])).toBe(`${short(b)}\n`);
    expect(strataOk(root, ['images', '--filter', 'label=team=core', '--format', '{{.Repository}}'])).toBe('app\nregistry.local:5000/team/app\n');
    expect(strataOk(root, ['images', '--filter', 'reference=app', '--format', '{{.Repository}}:{{.Tag}}'])).toBe('app:1\n');
    expect(strataOk(root, ['images', 'registry.local:5000/team/app', '--format', '{{.Tag}}'])).toBe('2\n');
    expect(strataOk(root, ['image', 'ls', '--no-trunc', '-q', 'app'])).toBe(`${a.trim()}\n`);
    expect(strataOk(root, ['images', '--digests', '--format', 'table {{.Repository}}\t{{.Digest}}', 'app'])).toBe('REPOSITORY   DIGEST\napp          <none>\n');
    const json = JSON.parse(strataOk(root, ['images', '--format', 'json', 'app'])) as Record<string, string>;
    expect(Object.keys(json).sort()).toEqual(['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize']);
    expect(strata(root, ['images', '--filter', 'bogus=1']).stderr).toBe("error: invalid filter 'bogus'\n");
  });
});

describe('images --filter before/since and image prune filters', () => {
  it('orders by creation and prunes by label', () => {
    const root = fresh();
    const first = strataOk(root, ['import', '-c', 'LABEL keep=yes', tarB, 'first']).trim();
    const second = strataOk(root, ['import', tarB, 'second']).trim();
    expect(strataOk(root, ['images', '--filter', 'since=first', '-q'])).toBe(`${short(second)}\n`);
    expect(strataOk(root, ['images', '--filter', 'before=second', '-q'])).toBe(`${short(first)}\n`);
    const pruned = strataOk(root, ['image', 'prune', '-a', '-f', '--filter', 'label!=keep=yes']);
    expect(pruned).toMatch(new RegExp(`^Deleted Images:\nuntagged: second:latest\ndeleted: ${second}\n\nTotal reclaimed space: `));
    expect(strataOk(root, ['images', '--format', '{{.Repository}}'])).toBe('first\n');
    expect(strata(root, ['image', 'prune', '-f', '--filter', 'until=yesterday']).stderr).toMatch(/^error: invalid until filter "yesterday"/);
  });
});

describe('rmi', () => {
  it('untags, deletes, refuses multi-repository IDs without -f, and keeps shared layers', async () => {
    const root = fresh();
    const a = strataOk(root, ['import', '-m', 'one', tarA, 'app:1']).trim();
    strataOk(root, ['tag', 'app:1', 'app:2']);
    strataOk(root, ['tag', 'app:1', 'other:1']);
    expect(strataOk(root, ['rmi', 'app:2'])).toBe('Untagged: app:2\n');
    const conflict = strata(root, ['rmi', short(a)]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe(`error: conflict: unable to delete ${short(a)} (must be forced) - image is referenced in multiple repositories\n`);
    // A second image with the same layer: removing the first keeps the layer.
    const b = strataOk(root, ['import', '-m', 'two', tarA, 'twin']).trim();
    expect(b).not.toBe(a);
    expect(strataOk(root, ['rmi', '-f', short(a)])).toBe(`Untagged: app:1\nUntagged: other:1\nDeleted: ${a}\n`);
    const state = await checkStoreIntegrity(root);
    expect(state.images).toBe(1);
    expect(state.blobs).toBe(3);
    expect(strataOk(root, ['image', 'rm', 'twin'])).toBe(`Untagged: twin:latest\nDeleted: ${b}\n`);
    expect(readdirSync(join(root, 'blobs', 'sha256'))).toEqual([]);
    expect(strata(root, ['rmi', 'twin']).stderr).toBe('error: No such image: twin\n');
  });
});

describe('inspect and history', () => {
  it('prints docker image inspect JSON and --format', () => {
    const root = fresh();
    const id = strataOk(root, ['import', '-c', 'CMD ["sh"]', '-c', 'ENV A=b', '-c', 'WORKDIR /w', '-c', 'EXPOSE 80', tarA, 'app']).trim();
    const [doc] = JSON.parse(strataOk(root, ['inspect', 'app'])) as Record<string, unknown>[];
    expect(Object.keys(doc!)).toEqual(['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'RootFS', 'Metadata']);
    expect(doc).toMatchObject({ Id: id, RepoTags: ['app:latest'], RepoDigests: [], Comment: `Imported from ${tarA}`, Os: 'linux' });
    expect(doc!.Config).toMatchObject({ Cmd: ['sh'], Env: ['A=b'], WorkingDir: '/w', ExposedPorts: { '80/tcp': {} } });
    expect(strataOk(root, ['image', 'inspect', '--format', '{{json .Config.Cmd}} {{.Os}} {{len .RootFS.Layers}}', short(id)])).toBe('["sh"] linux 1\n');
    const missing = strata(root, ['inspect', 'nope']);
    expect(missing.stdout).toBe('[]\n');
    expect(missing.stderr).toBe('error: No such image: nope\n');
  });

  it('prints history rows with docker columns', () => {
    const root = fresh();
    const id = strataOk(root, ['import', '-m', 'my message', tarA, 'app']).trim();
    expect(strataOk(root, ['history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}', 'app'])).toBe(`${short(id)}||1.22MB|my message\n`);
    expect(strataOk(root, ['history', '-H=false', '--format', '{{.Size}}', 'app'])).toMatch(/^\d{7}\n$/);
    expect(strataOk(root, ['history', '-q', '--no-trunc', 'app'])).toBe(`${id}\n`);
    expect(strataOk(root, ['history', 'app']).split('\n')[0]).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    // From stdin, the comment names "-" as docker's does.
    strataOk(root, ['import', '-', 'piped'], { input: readFileSync(tarB) });
    expect(strataOk(root, ['history', '--format', '{{.Comment}}', 'piped'])).toBe('Imported from -\n');
  });
});

describe('reproducible import', () => {
  it('gives the same image ID for the same tarball under SOURCE_DATE_EPOCH', () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const rootOne = fresh();
    const one = strata(rootOne, ['import', '-c', 'CMD ["sh"]', tarB, 'x'], { env });
    const two = strata(fresh(), ['import', '-c', 'CMD ["sh"]', tarB, 'y'], { env });
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(strataOk(rootOne, ['inspect', '--format', '{{.Created}}', 'x'])).toBe('2023-11-14T22:13:20.000Z\n');
    expect(strata(fresh(), ['import', tarB], { env: { SOURCE_DATE_EPOCH: 'soon' } }).stderr).toBe('error: invalid SOURCE_DATE_EPOCH "soon": want seconds since the epoch\n');
  });
});

describe('prune and system df', () => {
  it('prunes dangling images, reports disk usage with shared and unique sizes', () => {
    const root = fresh();
    const a = strataOk(root, ['import', '-m', 'a', tarA, 'app']).trim();
    strataOk(root, ['import', '-m', 'b', tarA, 'app2']);
    const dangling = strataOk(root, ['import', tarB]).trim();
    const df = strataOk(root, ['system', 'df']);
    expect(df.split('\n')[0]).toMatch(/^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$/);
    expect(df).toMatch(/^Images +3 +0 +1\.229MB +1\.229MB \(100%\)$/m);
    const verbose = strataOk(root, ['system', 'df', '--verbose']);
    expect(verbose).toMatch(new RegExp(`^app +latest +${short(a)} .* 1\\.22MB +1\\.22MB +0B +0$`, 'm'));
    // Without -f it asks, and only "y" goes on.
    expect(strataOk(root, ['image', 'prune'], { input: 'n\n' })).toBe('WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
    expect(strataOk(root, ['images', '-q', '--filter', 'dangling=true'])).toBe(`${short(dangling)}\n`);
    const pruned = strataOk(root, ['image', 'prune'], { input: 'y\n' }).replace('WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ', '');
    expect(pruned).toMatch(new RegExp(`^Deleted Images:\ndeleted: ${dangling}\n\nTotal reclaimed space: \\d+(\\.\\d+)?k?B\n$`));
    expect(strataOk(root, ['images', '-q']).split('\n').filter(Boolean)).toHaveLength(2);
    expect(strataOk(root, ['image', 'prune', '-f'])).toBe('Total reclaimed space: 0B\n');
    expect(strataOk(root, ['system', 'prune', '-a', '-f'])).toMatch(/^Deleted Images:\nuntagged: app(2)?:latest\n/);
    expect(strataOk(root, ['images', '-a', '-q'])).toBe('');
    expect(readdirSync(join(root, 'blobs', 'sha256'))).toEqual([]);
  });
});
