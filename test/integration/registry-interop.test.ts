import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/image/digest.js';
import { MediaType } from '../../src/image/media-types.js';
import type { ImageConfig, Index, Manifest } from '../../src/image/oci.js';
import { parseReference } from '../../src/image/reference.js';
import { openStore, type Store } from '../../src/store/index.js';
import { ManifestUnknownError, Registries, RemoteRepository, pullImage, pushImage } from '../../src/registry/index.js';
import { makeTestImage } from '../helpers/registry-image.js';
import { startRegistry, type TestRegistry } from '../helpers/registry-server.js';

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** rawManifest asks skopeo (not strata) for the manifest bytes the registry serves. */
function skopeoRaw(ref: string): Buffer {
  return execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
}

describe('interoperability with skopeo and umoci, and multi-platform indexes', () => {
  let reg: TestRegistry;
  let dir: string;
  const stores: Store[] = [];
  const newStore = (): Store => {
    const s = openStore(mkdtempSync(join(dir, 'store-')));
    stores.push(s);
    return s;
  };
  beforeAll(async () => {
    reg = await startRegistry('none');
    dir = mkdtempSync(join(tmpdir(), 'strata-interop-'));
  });
  afterAll(async () => {
    for (const s of stores) s.close();
    await reg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('skopeo reads and copies what strata pushed, digests unchanged', async () => {
    const s = newStore();
    const img = await makeTestImage(s, `${reg.host}/interop/strata:1`, { layers: 3 });
    await pushImage(s, parseReference(`${reg.host}/interop/strata:1`));
    expect(sha256Digest(skopeoRaw(`${reg.host}/interop/strata:1`))).toBe(img.manifestDigest);
    const layout = join(dir, 'copied-layout');
    run('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/interop/strata:1`, `oci:${layout}:copied`]);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as Index;
    expect(index.manifests[0]!.digest).toBe(img.manifestDigest);
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', img.manifestDigest.slice(7)), 'utf8')) as Manifest;
    expect(manifest.layers.map((l) => l.digest)).toEqual(img.layers);
  });

  it('strata pulls what skopeo pushed, as OCI and as Docker schema2 (from a umoci-built layout)', async () => {
    const layout = join(dir, 'umoci-layout');
    run('umoci', ['init', '--layout', layout]);
    run('umoci', ['new', '--image', `${layout}:v1`]);
    const file = join(dir, 'hello.txt');
    writeFileSync(file, 'hello from umoci\n');
    run('umoci', ['insert', '--rootless', '--image', `${layout}:v1`, file, '/hello.txt']);
    run('umoci', ['config', '--image', `${layout}:v1`, '--config.cmd', '/bin/sh', '--os', 'linux', '--architecture', 'amd64']);
    run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/interop/skopeo-oci:v1`]);
    const archive = join(dir, 'image.tar');
    run('skopeo', ['copy', `oci:${layout}:v1`, `docker-archive:${archive}:interop/skopeo-docker:v1`]);
    run('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${reg.host}/interop/skopeo-docker:v1`]);

    for (const [repo, mediaType] of [['skopeo-oci', MediaType.OciManifest], ['skopeo-docker', MediaType.DockerManifest]] as const) {
      const ref = `${reg.host}/interop/${repo}:v1`;
      const raw = skopeoRaw(ref);
      const manifest = JSON.parse(raw.toString('utf8')) as Manifest;
      const s = newStore();
      const pulled = await pullImage(s, parseReference(ref));
      expect(pulled.digest).toBe(sha256Digest(raw));
      expect(pulled.image.manifestDigest).toBe(sha256Digest(raw));
      expect(pulled.image.manifestMediaType).toBe(mediaType);
      expect(pulled.image.id).toBe(manifest.config.digest);
      expect(pulled.image.layers).toEqual(manifest.layers.map((l) => l.digest));
      const config = await s.readJSON<ImageConfig>(pulled.image.id);
      expect(config.config?.Cmd).toEqual(['/bin/sh']);
      // pushed back by strata to a new repository: the same bytes, so the same digest
      const back = await pushImage(s, parseReference(ref));
      expect(back.digest).toBe(sha256Digest(raw));
    }
  });

  it('picks the platform from an OCI index and from a Docker manifest list', async () => {
    const s = newStore();
    const amd = await makeTestImage(s, `${reg.host}/interop/multi:amd64`, { layers: 1, seed: 'amd64' });
    const arm = await makeTestImage(s, `${reg.host}/interop/multi:arm64`, { layers: 1, seed: 'arm64' });
    const registries = new Registries();
    await pushImage(s, parseReference(`${reg.host}/interop/multi:amd64`), { registries });
    await pushImage(s, parseReference(`${reg.host}/interop/multi:arm64`), { registries });
    const entry = (m: typeof amd, architecture: string, variant?: string) => ({
      mediaType: MediaType.OciManifest,
      digest: m.manifestDigest,
      size: readFileSync(s.blobPath(m.manifestDigest)).length,
      platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
    });
    const repo = new RemoteRepository(registries.client(reg.host), 'interop/multi', 'multi');
    const oci: Index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [entry(arm, 'arm64', 'v8'), entry(amd, 'amd64')] };
    const ociBytes = Buffer.from(JSON.stringify(oci));
    const ociDigest = await repo.putManifest('oci', ociBytes, MediaType.OciIndex);
    const list = { ...oci, mediaType: MediaType.DockerManifestList };
    await repo.putManifest('list', Buffer.from(JSON.stringify(list)), MediaType.DockerManifestList);

    for (const tag of ['oci', 'list']) {
      const d = newStore();
      const host = await pullImage(d, parseReference(`${reg.host}/interop/multi:${tag}`));
      expect(host.image.manifestDigest).toBe(amd.manifestDigest); // linux/amd64 is this host
      const armPull = await pullImage(d, parseReference(`${reg.host}/interop/multi:${tag}`), { platform: { os: 'linux', architecture: 'arm64' } });
      expect(armPull.image.manifestDigest).toBe(arm.manifestDigest);
      if (tag === 'oci') expect(host.digest).toBe(ociDigest); // Docker prints the index digest
      await expect(pullImage(d, parseReference(`${reg.host}/interop/multi:${tag}`), { platform: { os: 'linux', architecture: 's390x' } }))
        .rejects.toThrow(ManifestUnknownError);
    }
    // pulled by the index digest: the digest reference resolves afterwards
    const d = newStore();
    await pullImage(d, parseReference(`${reg.host}/interop/multi@${ociDigest}`));
    expect(d.images.getTag(`${reg.host}/interop/multi@${ociDigest}`)?.imageId).toBe(amd.id);
  });
});
