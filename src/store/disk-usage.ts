import type { Digest } from '../image/digest.js';
import type { ImageRecord } from './records.js';
import type { Store } from './store.js';

/** ImageUsage is one image's share of the disk: shared layers count in every image that uses them. */
export interface ImageUsage {
  image: ImageRecord;
  tags: string[];
  /** size is the image's logical size (all its layers). */
  size: number;
  /** sharedSize is the part of size in layers that other images use too. */
  sharedSize: number;
  uniqueSize: number;
  containers: number;
}

/** DiskUsage is `system df`: logical sizes per image and the physical total (each layer once). */
export interface DiskUsage {
  images: ImageUsage[];
  /** imagesSize counts each layer once (what the layers take, uncompressed). */
  imagesSize: number;
  activeImages: number;
  /** imagesReclaimable is what removing every image no container uses would free. */
  imagesReclaimable: number;
  containers: { count: number; size: number };
  buildCache: { count: number; size: number };
  /** blobBytes is what the blob files take on disk (compressed layers and documents). */
  blobBytes: number;
}

/** diskUsage computes `system df` figures from the metadata and the blob files. */
export async function diskUsage(store: Store): Promise<DiskUsage> {
  const images = store.images.listImages();
  const layerSize = new Map<Digest, number>();
  const users = new Map<Digest, number>();
  for (const img of images) {
    for (const d of new Set(img.layers)) {
      users.set(d, (users.get(d) ?? 0) + 1);
      if (!layerSize.has(d)) layerSize.set(d, store.images.getLayer(d)?.uncompressedSize ?? 0);
    }
  }
  const containers = store.listContainers();
  const usage: ImageUsage[] = images.map((image) => {
    const layers = [...new Set(image.layers)];
    const sharedSize = layers.filter((d) => (users.get(d) ?? 0) > 1).reduce((n, d) => n + (layerSize.get(d) ?? 0), 0);
    return {
      image,
      tags: store.images.tagsOf(image.id),
      size: image.size,
      sharedSize,
      uniqueSize: image.size - sharedSize,
      containers: containers.filter((c) => c.imageId === image.id).length,
    };
  });
  const activeLayers = new Set<Digest>();
  for (const u of usage) if (u.containers > 0) u.image.layers.forEach((d) => activeLayers.add(d));
  const imagesSize = [...layerSize.values()].reduce((a, b) => a + b, 0);
  const activeSize = [...activeLayers].reduce((n, d) => n + (layerSize.get(d) ?? 0), 0);
  let blobBytes = 0;
  for (const d of await store.blobs.listBlobs()) blobBytes += (await store.statBlob(d))?.size ?? 0;
  const cache = store.listCacheRecords();
  return {
    images: usage,
    imagesSize,
    activeImages: usage.filter((u) => u.containers > 0).length,
    imagesReclaimable: imagesSize - activeSize,
    containers: { count: containers.length, size: containers.reduce((n, c) => n + c.size, 0) },
    buildCache: { count: cache.length, size: cache.reduce((n, c) => n + c.size, 0) },
    blobBytes,
  };
}
