import type { Digest } from '../image/digest.js';
import type { Image } from '../image/image.js';
import { blobLayer } from '../image/layer.js';
import type { ImageConfig, Manifest } from '../image/oci.js';
import { parseReference, referenceString, repositoryName } from '../image/reference.js';
import { AmbiguousImageIdError, ImageNotFoundError } from './errors.js';
import type { ImageRecord } from './records.js';
import type { Store } from './store.js';

const ID_RE = /^(?:sha256:)?([a-f0-9]{1,64})$/;

/**
 * resolveImage finds an image by reference (`busybox`, `app:1`, `repo@sha256:...`), full ID or
 * short ID prefix, as the docker CLI does: a reference that names a tag wins over an ID prefix.
 * An ambiguous prefix is an error; nothing found is ImageNotFoundError (`No such image: x`).
 */
export function resolveImage(store: Store, refOrId: string): ImageRecord {
  const id = ID_RE.exec(refOrId);
  if (id && (refOrId.startsWith('sha256:') || id[1]!.length === 64)) return byPrefix(store, id[1]!, refOrId);
  let ref;
  try {
    ref = parseReference(refOrId);
  } catch (err) {
    if (id) return byPrefix(store, id[1]!, refOrId);
    throw err;
  }
  const tag = store.images.getTag(referenceString(ref));
  if (tag) return mustGet(store, tag.imageId, refOrId);
  if (ref.digest) {
    // A pulled image is found by its manifest digest under the repository it came from.
    const repo = repositoryName(ref);
    for (const t of store.images.listTags()) {
      if (!t.ref.startsWith(`${repo}:`) && !t.ref.startsWith(`${repo}@`)) continue;
      const img = store.images.getImage(t.imageId);
      if (img?.manifestDigest === ref.digest) return img;
    }
  }
  if (id && !refOrId.includes(':')) return byPrefix(store, id[1]!, refOrId);
  throw new ImageNotFoundError(refOrId);
}

function byPrefix(store: Store, hex: string, original: string): ImageRecord {
  const ids = store.images.findImagesByPrefix(hex, 10);
  if (ids.length > 1) throw new AmbiguousImageIdError(original, ids.length);
  if (ids.length === 0) throw new ImageNotFoundError(original);
  return mustGet(store, ids[0]!, original);
}

function mustGet(store: Store, id: Digest, original: string): ImageRecord {
  const img = store.images.getImage(id);
  if (!img) throw new ImageNotFoundError(original);
  return img;
}

/** loadImage reads an image's manifest and config and returns it as an Image value. */
export async function loadImage(store: Store, rec: ImageRecord): Promise<Image> {
  const manifest = await store.readJSON<Manifest>(rec.manifestDigest);
  const config = await store.readJSON<ImageConfig>(rec.id);
  const layers = manifest.layers.map((d, i) => {
    const known = store.images.getLayer(d.digest);
    return blobLayer(store, {
      digest: d.digest,
      diffID: config.rootfs.diff_ids[i]!,
      size: d.size,
      ...(known ? { uncompressedSize: known.uncompressedSize } : {}),
      mediaType: d.mediaType,
    });
  });
  return { id: rec.id, manifestDigest: rec.manifestDigest, manifest, config, layers };
}
