/** The embedded store's public API (see README.md in this folder). */
export { BlobStore, type BlobInfo, type ExpectedBlob } from './blob-store.js';
export * from './errors.js';
export { collectGarbage, type GcResult } from './gc.js';
export { putImage, type PutImageInput, type PutImageLayer } from './put-image.js';
export type * from './records.js';
export { loadImage, resolveImage } from './resolve-image.js';
export { resolveStoreRoot } from './root.js';
export { openStore, Store, type OpenStoreOptions } from './store.js';
