import { createHash } from 'node:crypto';
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../../src/image/oci.js';
import { openStore } from '../../src/store/store.js';

/**
 * checkStoreIntegrity opens a store and checks what a crash must never break: every blob file hashes
 * to its name, every image's manifest, config and layers are present, every tag points at an image.
 * It returns the number of images and blobs, and throws on the first broken invariant.
 */
export async function checkStoreIntegrity(root: string): Promise<{ images: number; blobs: number; tags: number }> {
  const store = openStore(root);
  try {
    const dir = join(root, 'blobs', 'sha256');
    const names = readdirSync(dir);
    for (const name of names) {
      const h = createHash('sha256');
      for await (const c of createReadStream(join(dir, name))) h.update(c as Buffer);
      if (h.digest('hex') !== name) throw new Error(`blob ${name} does not match its digest`);
    }
    const images = store.images.listImages();
    for (const img of images) {
      const manifest = await store.readJSON<Manifest>(img.manifestDigest);
      if (manifest.config.digest !== img.id) throw new Error(`image ${img.id}: manifest names config ${manifest.config.digest}`);
      if (!(await store.hasBlob(img.id))) throw new Error(`image ${img.id}: config blob missing`);
      for (const l of manifest.layers) if (!(await store.hasBlob(l.digest))) throw new Error(`image ${img.id}: layer ${l.digest} missing`);
    }
    const tags = store.images.listTags();
    for (const t of tags) if (!store.images.getImage(t.imageId)) throw new Error(`tag ${t.ref} points at missing image ${t.imageId}`);
    return { images: images.length, blobs: names.length, tags: tags.length };
  } finally {
    store.close();
  }
}
