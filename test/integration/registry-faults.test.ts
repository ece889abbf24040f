import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackImage } from '../../src/build/unpack-image.js';
import type { ImageConfig, Manifest } from '../../src/image/oci.js';
import { writeLayer } from '../../src/image/write-layer.js';
import { createSnapshotter } from '../../src/snapshot/select.js';
import { sha256Digest } from '../../src/image/digest.js';
import { MediaType } from '../../src/image/media-types.js';
import { parseReference } from '../../src/image/reference.js';
import { openStore, putImage, type ImageRecord, type Store } from '../../src/store/index.js';
import { BlobInterruptedError, Registries, RemoteRepository, pullImage, pushImage } from '../../src/registry/index.js';
import { cliPath } from '../helpers/paths.js';
import { makeTestImage } from '../helpers/registry-image.js';
import { freePort, startFaultProxy, startRegistry, type FaultProxy, type TestRegistry } from '../helpers/registry-server.js';

interface Run { code: number; stdout: string; stderr: string }
function strata(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cliPath, [...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** storeState is everything a failed pull must leave as it was: tags, images, and no temp files. */
function storeState(root: string): { tags: string[]; images: string[]; tmp: string[] } {
  const s = openStore(root);
  try {
    return { tags: s.images.listTags().map((t) => t.ref).sort(), images: s.images.listImages().map((i) => i.id).sort(), tmp: readdirSync(join(root, 'tmp')) };
  } finally {
    s.close();
  }
}

function blobFiles(root: string): string[] {
  return readdirSync(join(root, 'blobs', 'sha256'));
}

describe('registry faults: one clear line, non-zero exit, store unchanged', () => {
  let reg: TestRegistry;
  let basic: TestRegistry;
  let proxy: FaultProxy;
  let dir: string;
  let src: Store;
  let img: ImageRecord;
  let env: Record<string, string>;
  let dstRoot: string;
  const newRoot = (): string => mkdtempSync(join(dir, 'store-'));
  beforeAll(async () => {
    [reg, basic] = await Promise.all([startRegistry('none'), startRegistry('basic')]);
    proxy = await startFaultProxy(reg.host);
    dir = mkdtempSync(join(tmpdir(), 'strata-faults-'));
    src = openStore(join(dir, 'src'));
    img = await makeTestImage(src, `${reg.host}/f/app:1`, { layers: 3, layerBytes: 256 << 10 });
    await pushImage(src, parseReference(`${reg.host}/f/app:1`));
    dstRoot = newRoot();
    env = { DOCKER_CONFIG: join(dir, 'docker'), STRATA_ROOT: dstRoot };
    // seed the destination store with an unrelated image: failures must leave it exactly as is
    const dst = openStore(dstRoot);
    await makeTestImage(dst, 'local/keep:1', { layers: 1 });
    dst.close();
  });
  afterAll(async () => {
    src?.close();
    await proxy?.stop();
    await Promise.all([reg?.stop(), basic?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function expectCleanFailure(ref: string, pattern: RegExp): Promise<void> {
    const before = storeState(dstRoot);
    const r = await strata(['pull', ref], env);
    expect(r.code).toBe(1);
    const errLines = r.stderr.trim().split('\n');
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(pattern);
    expect(storeState(dstRoot)).toEqual(before);
  }

  it('a config that lies about a layer\'s diffID is caught by the first unpack, which leaves no snapshot', async () => {
    // the layer is real; the config names another diffID (a registry can serve any config)
    const p = pack();
    p.entry({ name: 'lie/data.bin', mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, Buffer.from('payload'));
    p.finalize();
    const w = await writeLayer(src, Readable.from(p));
    const lie = sha256Digest('not this layer');
    const config: ImageConfig = { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [lie] } };
    await putImage(src, { config, layers: [{ descriptor: w.descriptor, diffID: lie, uncompressedSize: w.uncompressedSize }], tags: [`${reg.host}/f/liar:1`] });
    await pushImage(src, parseReference(`${reg.host}/f/liar:1`));
    const honest = `${reg.host}/f/app:1`;

    const store = openStore(newRoot());
    try {
      const registries = new Registries();
      const liar = await pullImage(store, parseReference(`${reg.host}/f/liar:1`), { registries });
      // pulled with its digests checked; the diffID is a claim until the first unpack
      expect(store.images.getLayer(w.descriptor.digest)).toMatchObject({ diffID: lie, diffVerified: false, uncompressedSize: w.uncompressedSize });
      await expect(unpackImage(store, liar.image.id, 'native')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', message: expect.stringContaining(w.diffID) });
      const sn = createSnapshotter('native', store.snapshotsDir);
      expect(await sn.has(lie)).toBe(false);
      expect((await sn.list()).filter((s) => s.kind === 'committed')).toEqual([]);

      // an honest image is unpacked, and its layers are then verified with their true sizes
      const ok = await pullImage(store, parseReference(honest), { registries });
      await unpackImage(store, ok.image.id, 'native');
      for (const d of (await store.readJSON<Manifest>(ok.image.manifestDigest)).layers) {
        expect(store.images.getLayer(d.digest)?.diffVerified).toBeUndefined();
        expect(store.images.getLayer(d.digest)).toEqual(src.images.getLayer(d.digest));
      }
      expect(store.images.getImage(ok.image.id)?.size).toBe(img.size);
    } finally {
      store.close();
    }
  });

  it('an unreachable registry', async () => {
    const port = await freePort();
    await expectCleanFailure(`127.0.0.1:${port}/f/app:1`, new RegExp(`^error: 127\\.0\\.0\\.1:${port}/f/app:1: registry unreachable: http://127\\.0\\.0\\.1:${port}: connection refused$`));
  });

  it('a 401', async () => {
    await expectCleanFailure(`${basic.host}/f/app:1`, new RegExp(`^error: ${basic.host}/f/app:1: unauthorized`));
  });

  it('the config downloads beside the layers, not before them, and a bad one fails the pull cleanly', async () => {
    // the registry's answer for the config is held until a layer is asked for: a client that waits
    // for the config before it starts on the layers waits out the hold (10 s) and counts a timeout
    const s = openStore(newRoot());
    try {
      proxy.holdBlob(img.id, img.layers[0]!);
      const r = await pullImage(s, parseReference(`${proxy.host}/f/app:1`));
      expect(proxy.stats.holdTimeouts).toBe(0);
      expect(r.image.id).toBe(img.id);
      expect(r.image.layers).toEqual(img.layers);
    } finally {
      s.close();
    }
    // a config corrupted in the registry's storage: the layers in flight end, nothing is tagged, no temp file is left
    const root = newRoot();
    const t = openStore(root);
    const bad = await makeTestImage(t, `${reg.host}/f/badconfig:1`, { layers: 2, seed: 'badconfig' });
    await pushImage(t, parseReference(`${reg.host}/f/badconfig:1`));
    t.close();
    const path = reg.blobPath(bad.id);
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(path, bytes);
    await expectCleanFailure(`${reg.host}/f/badconfig:1`, new RegExp(`^error: ${reg.host}/f/badconfig:1: digest mismatch: expected ${bad.id}, got sha256:`));
    expect(blobFiles(dstRoot)).not.toContain(bad.id.slice(7));
  });

  it('a 404 tag', async () => {
    await expectCleanFailure(`${reg.host}/f/app:nope`, new RegExp(`^error: ${reg.host}/f/app:nope: manifest unknown`));
  });

  it('a manifest of an unknown media type', async () => {
    // an artifact (a Helm chart's config type) is a valid OCI manifest but not an image
    const s = openStore(newRoot());
    try {
      const cfg = await s.putBlob('{"name":"chart"}');
      const repo = new RemoteRepository(new Registries().client(reg.host), 'f/chart', 'f/chart');
      await repo.pushBlob(s, cfg);
      const manifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: cfg.digest, size: cfg.size }, layers: [] };
      await repo.putManifest('1', Buffer.from(JSON.stringify(manifest)), MediaType.OciManifest);
    } finally {
      s.close();
    }
    await expectCleanFailure(`${reg.host}/f/chart:1`, new RegExp(`^error: ${reg.host}/f/chart:1: unsupported manifest media type "config application/vnd\\.cncf\\.helm\\.config\\.v1\\+json"$`));
  });

  it('a blob corrupted in the registry\'s storage is detected and not stored', async () => {
    const root = newRoot();
    const s = openStore(root);
    const corruptImg = await makeTestImage(s, `${reg.host}/f/corrupt:1`, { layers: 1, seed: 'corrupt' });
    await pushImage(s, parseReference(`${reg.host}/f/corrupt:1`));
    s.close();
    const layer = corruptImg.layers[0]!;
    const path = reg.blobPath(layer);
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] ^= 0xff; // same size, one byte flipped
    writeFileSync(path, bytes);
    await expectCleanFailure(`${reg.host}/f/corrupt:1`, new RegExp(`^error: ${reg.host}/f/corrupt:1: digest mismatch: expected ${layer}, got sha256:`));
    expect(blobFiles(dstRoot)).not.toContain(layer.slice(7));
  });

  it('a connection cut mid-blob is resumed with a Range request', async () => {
    const s = openStore(newRoot());
    try {
      proxy.cutBlobs(2, 100_000);
      const ranged = proxy.stats.rangeRequests;
      const r = await pullImage(s, parseReference(`${proxy.host}/f/app:1`));
      expect(proxy.stats.cuts).toBeGreaterThanOrEqual(2);
      expect(proxy.stats.rangeRequests - ranged).toBeGreaterThanOrEqual(2);
      expect(r.image.manifestDigest).toBe(img.manifestDigest);
      expect(r.image.layers).toEqual(img.layers);
      for (const l of img.layers) expect(sha256Digest(await s.readBlob(l))).toBe(l);
    } finally {
      s.close();
    }
  });

  it('a server that stalls mid-blob is given up on and the download resumed', async () => {
    const s = openStore(newRoot());
    try {
      proxy.cutBlobs(1, 100_000, { stall: true });
      const cuts = proxy.stats.cuts;
      const ranged = proxy.stats.rangeRequests;
      const r = await pullImage(s, parseReference(`${proxy.host}/f/app:1`), { registries: new Registries({ bodyTimeoutMs: 1000 }) });
      expect(proxy.stats.cuts - cuts).toBe(1);
      expect(proxy.stats.rangeRequests - ranged).toBeGreaterThanOrEqual(1);
      expect(r.image.manifestDigest).toBe(img.manifestDigest);
    } finally {
      proxy.cutBlobs(0, 0);
      s.close();
    }
  });

  it('a connection cut again and again ends in a clear error, nothing stored', async () => {
    proxy.cutBlobs(1000, 50_000, { ranged: true });
    try {
      await expectCleanFailure(`${proxy.host}/f/app:1`, new RegExp(`^error: ${proxy.host}/f/app:1: download interrupted: sha256:[0-9a-f]{64} after \\d+ of \\d+ bytes \\(4 resumes\\)`));
      const lib = openStore(newRoot());
      try {
        await expect(pullImage(lib, parseReference(`${proxy.host}/f/app:1`))).rejects.toBeInstanceOf(BlobInterruptedError);
        expect(lib.images.listTags()).toEqual([]);
      } finally {
        lib.close();
      }
    } finally {
      proxy.cutBlobs(0, 0);
    }
  });

  it('follows redirects to blob storage and retries 503s', async () => {
    const s = openStore(newRoot());
    try {
      proxy.redirectBlobs(true);
      proxy.fail(2, 503);
      const r = await pullImage(s, parseReference(`${proxy.host}/f/app:1`));
      expect(proxy.stats.failures).toBe(2);
      expect(proxy.stats.redirects).toBeGreaterThanOrEqual(3);
      expect(r.image.manifestDigest).toBe(img.manifestDigest);
    } finally {
      proxy.redirectBlobs(false);
      s.close();
    }
  });
});
