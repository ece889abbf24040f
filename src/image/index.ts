/** The image model's public API (see README.md in this folder). */
export * from './archive-stage.js';
export * from './archive-write.js';
export * from './blob-io.js';
export * from './compression.js';
export * from './config-changes.js';
export * from './digest.js';
export * from './errors.js';
export * from './image.js';
export * from './layer.js';
export * from './media-types.js';
export * from './mutate.js';
export type * from './oci.js';
export * from './reference.js';
export * from './tar-policy.js';
export * from './tar-validator.js';
export * from './write-layer.js';
