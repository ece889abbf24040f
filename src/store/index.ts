/** The embedded store's public API (see README.md in this folder). */
export { BlobStore, type BlobInfo, type ExpectedBlob } from './blob-store.js';
export * from './errors.js';
export { collectGarbage, type GcResult } from './gc.js';
export { putImage, type PutImageInput, type PutImageLayer } from './put-image.js';
export type * from './records.js';
export { loadImage, resolveImage } from './resolve-image.js';
export { removeImage, type RemoveEvent, type RemoveOptions } from './remove-image.js';
export { pruneImages, pruneBuildCache, type ImagePruneFilter, type PruneResult } from './prune.js';
export { diskUsage, type DiskUsage, type ImageUsage } from './disk-usage.js';
export { importRootfs, hostArchitecture, type ImportOptions } from './import-rootfs.js';
export { loadArchive, type LoadedImage } from './load-archive.js';
export { ingestLayer, type IngestLayerOptions } from './ingest-layer.js';
export { ImageTables } from './image-tables.js';
export { BuildTables } from './build-tables.js';
export { StoreLock } from './store-lock.js';
export { resolveStoreRoot } from './root.js';
export { openStore, Store, type OpenStoreOptions } from './store.js';
