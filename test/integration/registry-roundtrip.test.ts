import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaType } from '../../src/image/media-types.js';
import { parseReference } from '../../src/image/reference.js';
import { openStore, resolveImage, type Store } from '../../src/store/index.js';
import { Registries, UnsupportedMediaTypeError, pullArtifact, pullImage, pushArtifact, pushImage } from '../../src/registry/index.js';
import type { Manifest } from '../../src/image/oci.js';
import { startRegistry, TEST_PASSWORD, TEST_USER, type TestRegistry } from '../helpers/registry-server.js';
import { makeTestImage } from '../helpers/registry-image.js';

const creds = async () => ({ username: TEST_USER, password: TEST_PASSWORD });

describe('push → pull round trip against a real registry', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  let regs: Record<'none' | 'basic' | 'token', TestRegistry>;
  const newStore = (): Store => {
    const d = mkdtempSync(join(tmpdir(), 'strata-store-'));
    dirs.push(d);
    const s = openStore(d);
    stores.push(s);
    return s;
  };
  beforeAll(async () => {
    const [none, basic, token] = await Promise.all([startRegistry('none'), startRegistry('basic'), startRegistry('token')]);
    regs = { none, basic, token };
  });
  afterAll(async () => {
    for (const s of stores) s.close();
    await Promise.all(Object.values(regs ?? {}).map((r) => r.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const mode of ['none', 'basic', 'token'] as const) {
    it(`keeps every digest (${mode} auth)`, async () => {
      const reg = regs[mode];
      const src = newStore();
      const ref = parseReference(`${reg.host}/team/app:v1`);
      const local = await makeTestImage(src, `${reg.host}/team/app:v1`, { layers: 3, seed: mode });
      const registries = new Registries(mode === 'none' ? {} : { credentials: creds });
      const pushed = await pushImage(src, ref, { registries });
      expect(pushed.digest).toBe(local.manifestDigest);
      expect(pushed.blobs.map((b) => b.result)).toEqual(['pushed', 'pushed', 'pushed', 'pushed']);

      const dst = newStore();
      const events: string[] = [];
      const pulled = await pullImage(dst, ref, { registries: new Registries(mode === 'none' ? {} : { credentials: creds }), onEvent: (e) => events.push(`${e.id}: ${e.status}`) });
      expect(pulled.upToDate).toBe(false);
      expect(pulled.digest).toBe(local.manifestDigest);
      expect(pulled.image.id).toBe(local.id);
      expect(pulled.image.manifestDigest).toBe(local.manifestDigest);
      expect(pulled.image.layers).toEqual(local.layers);
      expect(pulled.image.size).toBe(local.size);
      expect(resolveImage(dst, `${reg.host}/team/app:v1`).id).toBe(local.id);
      for (const d of local.layers) expect(events).toContain(`${d.slice(7, 19)}: Pull complete`);
      // The uncompressed sizes come from the gzip trailers and agree with the source store's; the
      // diffIDs are the config's claims until the first unpack checks them (registry-faults.test.ts).
      for (const d of local.layers) expect(dst.images.getLayer(d)).toEqual({ ...src.images.getLayer(d), diffVerified: false });

      const again = await pullImage(dst, ref, { registries: new Registries(mode === 'none' ? {} : { credentials: creds }) });
      expect(again.upToDate).toBe(true);
      // A second push finds everything there.
      const second = await pushImage(src, ref, { registries });
      expect(second.blobs.every((b) => b.result === 'exists')).toBe(true);
    });
  }

  it('mounts blobs from another repository of the same registry and pushes big blobs in chunks', async () => {
    const reg = regs.token;
    const src = newStore();
    await makeTestImage(src, `${reg.host}/base/img:1`, { layers: 2, layerBytes: 300 << 10, mediaType: MediaType.DockerManifest });
    const log: string[] = [];
    const registries = new Registries({ credentials: creds, debug: (l) => log.push(l) });
    const first = await pushImage(src, parseReference(`${reg.host}/base/img:1`), { registries, chunkSize: 100 << 10 });
    expect(first.blobs.map((b) => b.result)).toEqual(['pushed', 'pushed', 'pushed']);
    // two ~300 KiB layers in 100 KiB chunks: at least 3 PATCHes each
    expect(log.filter((l) => l.startsWith('> PATCH')).length).toBeGreaterThanOrEqual(6);
    // tag the same image into another repository and push: layers come by mount
    const img = resolveImage(src, `${reg.host}/base/img:1`);
    src.images.setTag(`${reg.host}/other/img:2`, img.id);
    const second = await pushImage(src, parseReference(`${reg.host}/other/img:2`), { registries });
    expect(second.digest).toBe(first.digest);
    expect(second.blobs.map((b) => b.result)).toEqual(['mounted', 'mounted', 'mounted']);
    expect(log.some((l) => /> POST .*mount=sha256/.test(l))).toBe(true);
    const dst = newStore();
    const pulled = await pullImage(dst, parseReference(`${reg.host}/other/img:2`), { registries: new Registries({ credentials: creds }) });
    expect(pulled.image.manifestDigest).toBe(img.manifestDigest);
    expect(pulled.image.manifestMediaType).toBe(MediaType.DockerManifest);
  });

  it('moves an artifact (the shape of a registry build cache): config + chosen layers, nothing re-uploaded', async () => {
    const reg = regs.token;
    const src = newStore();
    const img = await makeTestImage(src, 'cache/source:1', { layers: 2, seed: 'cache' });
    const manifest = await src.readJSON<Manifest>(img.manifestDigest);
    const cacheType = 'application/vnd.strata.cache.config.v1+json';
    const records = Buffer.from(JSON.stringify({ records: [{ key: 'k1', layer: manifest.layers[0]!.digest }, { key: 'k2', layer: manifest.layers[1]!.digest }] }));
    const ref = parseReference(`${reg.host}/team/cache:main`);
    const log: string[] = [];
    const registries = new Registries({ credentials: creds, debug: (l) => log.push(l) });
    const pushed = await pushArtifact(src, ref, { configMediaType: cacheType, config: records, layers: manifest.layers }, { registries });

    const dst = newStore();
    const pulled = await pullArtifact(dst, ref, cacheType, { registries: new Registries({ credentials: creds }), wantLayer: (d) => d.digest === manifest.layers[0]!.digest });
    expect(pulled.digest).toBe(pushed.digest);
    expect(pulled.config.equals(records)).toBe(true);
    expect(await dst.hasBlob(manifest.layers[0]!.digest)).toBe(true);
    expect(await dst.hasBlob(manifest.layers[1]!.digest)).toBe(false);

    log.length = 0;
    const again = await pushArtifact(src, ref, { configMediaType: cacheType, config: records, layers: manifest.layers }, { registries });
    expect(again.digest).toBe(pushed.digest);
    expect(log.filter((l) => /^> (PUT|PATCH|POST) .*blobs/.test(l))).toEqual([]);
    await expect(pullArtifact(newStore(), ref, 'application/vnd.other+json', { registries: new Registries({ credentials: creds }) })).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
  });
});
