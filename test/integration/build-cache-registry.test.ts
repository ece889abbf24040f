import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildRequest } from '../../src/build/build.js';
import type { CacheSpec } from '../../src/build/cache-spec.js';
import type { ProgressEvent } from '../../src/build/progress.js';
import type { BuildResult } from '../../src/build/types.js';
import type { Manifest } from '../../src/image/oci.js';
import { parseReference } from '../../src/image/reference.js';
import { pushImage } from '../../src/registry/push.js';
import { importRootfs } from '../../src/store/import-rootfs.js';
import { openStore, type Store } from '../../src/store/store.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { freePort, startRegistry, TEST_PASSWORD, TEST_USER, type TestRegistry } from '../helpers/registry-server.js';
import { strata } from '../helpers/strata-cli.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('build-cache-registry.test.ts: RUN needs root for the chroot runner; these tests are SKIPPED');

// A RUN whose output is random: if it ran again on the second machine, the layer (and the image ID)
// would differ, so an equal image ID proves the layer came from the cache, not from a new run.
const RANDOM_RUN = 'RUN head -c 16 /dev/urandom | od -An -tx1 > /random';

let reg: TestRegistry;
let dir: string;
let base: string;
const stores: Store[] = [];

/** machine is a fresh store root (a second build host) and a context directory. */
async function machine(name: string): Promise<{ store: Store; root: string; ctx: string }> {
  const root = join(dir, name, 'store');
  const ctx = join(dir, name, 'ctx');
  await mkdir(ctx, { recursive: true });
  const store = openStore(root);
  stores.push(store);
  return { store, root, ctx };
}

async function runBuild(m: { store: Store; ctx: string }, dockerfile: string, opts: Partial<BuildRequest> = {}): Promise<BuildResult & { events: ProgressEvent[] }> {
  await writeFile(join(m.ctx, 'Dockerfile'), dockerfile);
  const events: ProgressEvent[] = [];
  const r = await build({ store: m.store, context: m.ctx, onEvent: (e) => events.push(e), ...opts });
  return { ...r, events };
}

/** statusOf maps each step (without its `[n/m]` prefix) to base/cached/built. */
function statusOf(r: BuildResult): Record<string, string> {
  return Object.fromEntries(r.steps.map((s) => [s.name.replace(/^\[[^\]]*\] /, ''), s.status]));
}

/** runsStarted counts RUN steps that started a process (a cached step only reports 'cached'). */
function runsStarted(events: ProgressEvent[]): number {
  return events.filter((e) => e.type === 'step' && e.status === 'started' && / RUN /.test(e.name)).length;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-regcache-'));
  reg = await startRegistry('none');
  // the base image lives only in the registry: every build machine pulls it
  const seed = openStore(join(dir, 'seed'));
  base = `${reg.host}/library/busybox:latest`;
  await importRootfs(seed, createReadStream(busyboxRootfsTar()), {
    source: 'busybox-rootfs.tar',
    tags: [base],
    policy: { allowDevices: false, absoluteSymlinks: true },
    now: new Date('2024-01-01T00:00:00Z'),
  });
  await pushImage(seed, parseReference(base));
  seed.close();
});

afterAll(async () => {
  for (const s of stores) s.close();
  await reg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!isRoot)('FROM pulls through the registry', () => {
  it('pulls a missing FROM image into an empty store, and --pull re-resolves it', async () => {
    const m = await machine('pull');
    const r = await runBuild(m, `FROM ${base}\nRUN echo hi > /hi\n`);
    expect(statusOf(r)).toMatchObject({ [`FROM ${base}`]: 'base', 'RUN echo hi > /hi': 'built' });
    const pull = r.events.filter((e) => e.type === 'step' && e.step === `pull/${base}`);
    expect(pull.map((e) => e.status)).toContain('done');
    expect(pull.some((e) => e.type === 'step' && e.status === 'log' && /Pull complete/.test(e.text))).toBe(true);
    expect(m.store.images.getTag(base)).toBeDefined();

    // second build: the image is there, nothing is pulled
    const again = await runBuild(m, `FROM ${base}\nRUN echo hi > /hi\n`);
    expect(again.events.some((e) => e.type === 'step' && e.step === `pull/${base}`)).toBe(false);
    expect(again.imageId).toBe(r.imageId);

    // --pull asks the registry again (the layers are already there) and the steps stay cached
    const refreshed = await runBuild(m, `FROM ${base}\nRUN echo hi > /hi\n`, { pull: 'always' });
    const p2 = refreshed.events.filter((e) => e.type === 'step' && e.step === `pull/${base}`);
    expect(p2.map((e) => e.status)).toEqual(expect.arrayContaining(['started', 'done']));
    const manifestDigest = m.store.images.getImage(m.store.images.getTag(base)!.imageId)!.manifestDigest;
    const resolved = `resolved ${base}@${manifestDigest}`;
    expect(p2.some((e) => e.type === 'step' && e.status === 'log' && e.text === resolved)).toBe(true);
    expect(statusOf(refreshed)['RUN echo hi > /hi']).toBe('cached');
    expect(refreshed.imageId).toBe(r.imageId);
  });

  it('an unreachable registry is a located one-line error, exit 1 (CLI)', async () => {
    const m = await machine('unreachable');
    const port = await freePort();
    await writeFile(join(m.ctx, 'Dockerfile'), `FROM scratch AS x\nFROM 127.0.0.1:${port}/busybox:latest\nRUN true\n`);
    const r = strata(m.root, ['build', '--progress', 'plain', m.ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Dockerfile:2');
    expect(r.stderr).toContain(`127.0.0.1:${port}/busybox:latest`);
    expect(r.stderr).toMatch(/unreachable/);
    expect(r.stderr).not.toContain('    at ');
  });
});

describe.skipIf(!isRoot)('build cache shared through a registry or an OCI layout', () => {
  const multi = (b: string): string =>
    [`FROM ${b} AS gen`, 'WORKDIR /work', RANDOM_RUN, `FROM ${b}`, 'COPY --from=gen /random /from-gen', 'COPY app.txt /app.txt', RANDOM_RUN.replace('/random', '/final')].join('\n');

  async function twoStores(name: string, to: CacheSpec, from: CacheSpec): Promise<{ first: BuildResult; second: BuildResult & { events: ProgressEvent[] } }> {
    const a = await machine(`${name}-a`);
    await writeFile(join(a.ctx, 'app.txt'), 'app');
    const first = await runBuild(a, multi(base), { cacheTo: [to] });
    expect(first.steps.filter((s) => s.status === 'built').length).toBe(5);
    const b = await machine(`${name}-b`);
    await writeFile(join(b.ctx, 'app.txt'), 'app');
    const second = await runBuild(b, multi(base), { cacheFrom: [from] });
    return { first, second };
  }

  it('a second, empty store builds with every step cached and no RUN executed (registry, mode=max)', async () => {
    const ref = `${reg.host}/cache/app:buildcache`;
    const { first, second } = await twoStores('reg', { type: 'registry', ref, mode: 'max' }, { type: 'registry', ref, mode: 'min' });
    expect(second.steps.filter((s) => s.status !== 'base').map((s) => s.status)).toEqual(['cached', 'cached', 'cached', 'cached', 'cached']);
    expect(runsStarted(second.events)).toBe(0);
    expect(second.imageId).toBe(first.imageId);
    expect(second.manifestDigest).toBe(first.manifestDigest);
  });

  it('the same through type=local (an OCI layout directory)', async () => {
    const cacheDir = join(dir, 'local-cache');
    const { first, second } = await twoStores('local', { type: 'local', dir: cacheDir, mode: 'max' }, { type: 'local', dir: cacheDir, mode: 'min' });
    expect(JSON.parse(await readFile(join(cacheDir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(second.steps.filter((s) => s.status !== 'base').every((s) => s.status === 'cached')).toBe(true);
    expect(runsStarted(second.events)).toBe(0);
    expect(second.imageId).toBe(first.imageId);
  });

  it('mode=min caches the image stages only: the intermediate stage RUN runs again', async () => {
    const ref = `${reg.host}/cache/app:min`;
    const { first, second } = await twoStores('min', { type: 'registry', ref, mode: 'min' }, { type: 'registry', ref, mode: 'min' });
    const st = statusOf(second);
    expect(st[RANDOM_RUN.slice(0, 200)]).toBe('built'); // gen's RUN: not exported with min
    expect(st['COPY --from=gen /random /from-gen']).toBe('cached');
    expect(st['COPY app.txt /app.txt']).toBe('cached');
    expect(st[RANDOM_RUN.replace('/random', '/final')]).toBe('cached');
    expect(runsStarted(second.events)).toBe(1);
    // the final image only depends on the cached COPY --from layer: the same image
    expect(second.imageId).toBe(first.imageId);
  });

  it('a --cache-from that does not exist yet is a warning, not a failure', async () => {
    const m = await machine('nocache');
    const r = await runBuild(m, `FROM ${base}\nRUN echo x > /x\n`, {
      cacheFrom: [{ type: 'registry', ref: `${reg.host}/cache/none:nope`, mode: 'min' }, { type: 'local', dir: join(dir, 'no-such-dir'), mode: 'min' }],
    });
    expect(statusOf(r)['RUN echo x > /x']).toBe('built');
    const warnings = r.events.filter((e) => e.type === 'step' && e.status === 'log' && e.text.startsWith('WARNING: cache not imported'));
    expect(warnings).toHaveLength(2);
  });

  it('a corrupted blob in the imported cache makes that step run instead (no failure)', async () => {
    const ref = `${reg.host}/cache/corrupt:latest`;
    const a = await machine('corrupt-a');
    const df = `FROM ${base}\n${RANDOM_RUN}\nRUN echo after > /after\n`;
    const first = await runBuild(a, df, { cacheTo: [{ type: 'registry', ref, mode: 'max' }] });
    const randomLayer = first.steps.find((s) => s.name.includes('urandom'))!.layer!.digest;
    // flip bytes in the registry's copy (same size, wrong digest)
    const path = reg.blobPath(randomLayer);
    const bytes = await readFile(path);
    bytes.fill(0x41, 20, 40);
    await writeFile(path, bytes);
    const b = await machine('corrupt-b');
    const second = await runBuild(b, df, { cacheFrom: [{ type: 'registry', ref, mode: 'min' }] });
    const st = statusOf(second);
    expect(st[RANDOM_RUN.slice(0, 200)]).toBe('built');
    // the next step's key does not depend on the layer, so it still hits the imported record
    expect(st['RUN echo after > /after']).toBe('cached');
    expect(second.events.some((e) => e.type === 'step' && e.status === 'log' && /WARNING: cache from .* not used/.test(e.text))).toBe(true);
    expect(await b.store.hasBlob(randomLayer as never)).toBe(false);
  });

  it('CLI: --cache-to / --cache-from through a registry with Basic auth; the second store shows CACHED for every step', async () => {
    const secure = await startRegistry('basic');
    try {
      const dockerConfig = join(dir, 'docker-basic');
      await mkdir(dockerConfig, { recursive: true });
      const auth = Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString('base64');
      await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [secure.host]: { auth } } }));
      const env = { DOCKER_CONFIG: dockerConfig };
      const ref = `${secure.host}/cache/cli:latest`;
      const a = await machine('cli-a');
      const b = await machine('cli-b');
      const df = `FROM ${base}\nCOPY app.txt /app.txt\n${RANDOM_RUN}\n`;
      for (const m of [a, b]) {
        await writeFile(join(m.ctx, 'Dockerfile'), df);
        await writeFile(join(m.ctx, 'app.txt'), 'app');
      }
      const r1 = strata(a.root, ['build', '--progress', 'plain', '-q', '--cache-to', `type=registry,ref=${ref},mode=max`, a.ctx], { env });
      expect(r1.code, r1.stderr).toBe(0);
      const r2 = strata(b.root, ['build', '--progress', 'plain', '--iidfile', join(dir, 'iid-b'), '--cache-from', `type=registry,ref=${ref}`, b.ctx], { env });
      expect(r2.code, r2.stderr).toBe(0);
      expect(r2.stderr).toMatch(/#\d+ \[2\/3\] COPY app\.txt \/app\.txt\n#\d+ CACHED/);
      expect(r2.stderr).toMatch(/#\d+ \[3\/3\] RUN head .*\n#\d+ CACHED/);
      expect(r2.stderr).toContain('(2 cached)');
      expect(await readFile(join(dir, 'iid-b'), 'utf8')).toBe(r1.stdout.trim());
      // without credentials the export is refused with the registry's 401, and the build fails
      const noAuth = strata(a.root, ['build', '--progress', 'plain', '--cache-to', `type=registry,ref=${ref}`, a.ctx], { env: { DOCKER_CONFIG: join(dir, 'empty-docker') } });
      expect(noAuth.code).toBe(1);
      expect(noAuth.stderr).toMatch(/unauthori[sz]ed|401/i);
    } finally {
      await secure.stop();
    }
  });

  it('the local layout holds one manifest whose config is the records and whose layers are the cached blobs', async () => {
    const cacheDir = join(dir, 'local-cache');
    const index = JSON.parse(await readFile(join(cacheDir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(await readFile(join(cacheDir, 'blobs/sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as Manifest;
    expect(manifest.config.mediaType).toBe('application/vnd.strata.cache.config.v1+json');
    const doc = JSON.parse(await readFile(join(cacheDir, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8')) as { records: { result: { layer: { digest: string } } }[] };
    expect(doc.records).toHaveLength(5);
    const blobs = new Set(await readdir(join(cacheDir, 'blobs/sha256')));
    for (const l of manifest.layers) expect(blobs.has(l.digest.slice(7))).toBe(true);
    expect(new Set(doc.records.map((r) => r.result.layer.digest))).toEqual(new Set(manifest.layers.map((l) => l.digest)));
  });

  it('a layer missing from the local layout makes that step run; the other steps still hit', async () => {
    const cacheDir = join(dir, 'local-cache');
    const index = JSON.parse(await readFile(join(cacheDir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(await readFile(join(cacheDir, 'blobs/sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as Manifest;
    const doc = JSON.parse(await readFile(join(cacheDir, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8')) as { records: { step?: string; result: { layer: { digest: string } } }[] };
    const gone = doc.records.find((r) => r.step?.includes('/final'))!.result.layer.digest;
    await rm(join(cacheDir, 'blobs/sha256', gone.slice(7)));
    const m = await machine('local-missing');
    await writeFile(join(m.ctx, 'app.txt'), 'app');
    const r = await runBuild(m, multi(base), { cacheFrom: [{ type: 'local', dir: cacheDir, mode: 'min' }] });
    const st = statusOf(r);
    expect(st[RANDOM_RUN.replace('/random', '/final')]).toBe('built');
    expect(st[RANDOM_RUN]).toBe('cached');
    expect(st['COPY app.txt /app.txt']).toBe('cached');
    expect(runsStarted(r.events)).toBe(1);
  });
});
