import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { MediaType } from '../../src/image/media-types.js';
import type { ImageConfig } from '../../src/image/oci.js';
import { writeLayer } from '../../src/image/write-layer.js';
import { putImage, type ImageRecord, type Store } from '../../src/store/index.js';

/** pseudoRandom makes n incompressible but reproducible bytes from a seed (an AES-CTR keystream). */
export function pseudoRandom(seed: string, n: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(n)), cipher.final()]);
}

export interface TestImageOptions {
  /** number of layers (default 2). */
  layers?: number;
  /** bytes of incompressible data per layer (default 64 KiB). */
  layerBytes?: number;
  seed?: string;
  mediaType?: typeof MediaType.OciManifest | typeof MediaType.DockerManifest;
}

/**
 * makeTestImage writes a small real image into the store with the store's own writeLayer and
 * putImage: each layer is a gzip tar holding one file of pseudo-random bytes, so layers differ
 * per seed and their sizes are predictable.
 */
export async function makeTestImage(store: Store, tag: string, opts: TestImageOptions = {}): Promise<ImageRecord> {
  const seed = opts.seed ?? tag;
  const count = opts.layers ?? 2;
  const layerMediaType = opts.mediaType === MediaType.DockerManifest ? MediaType.DockerLayerGzip : MediaType.OciLayerGzip;
  const layers = [];
  for (let i = 0; i < count; i++) {
    const p = pack();
    p.entry({ name: `layer${i}/`, type: 'directory', mode: 0o755, mtime: new Date(0), uid: 0, gid: 0 });
    p.entry({ name: `layer${i}/data.bin`, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, pseudoRandom(`${seed}:${i}`, opts.layerBytes ?? 64 << 10));
    p.finalize();
    const w = await writeLayer(store, Readable.from(p), { mediaType: layerMediaType });
    layers.push({ descriptor: w.descriptor, diffID: w.diffID, uncompressedSize: w.uncompressedSize });
  }
  const config: ImageConfig = {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'], Labels: { seed } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) },
    history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `layer ${i}` })),
  };
  return putImage(store, { config, layers, tags: [tag], ...(opts.mediaType ? { manifestMediaType: opts.mediaType } : {}) });
}
