import type { Digest } from './digest.js';
import type { ContainerConfig, Descriptor, HistoryEntry, ImageConfig } from './oci.js';

/** NewLayer is a layer to append: its blob descriptor, its diffID and the history line that made it. */
export interface NewLayer {
  descriptor: Descriptor;
  diffID: Digest;
  uncompressedSize?: number;
  history?: HistoryEntry;
}

/** ImageParts is what putImage takes: a config and its layers, bottom first. */
export interface ImageParts {
  config: ImageConfig;
  layers: NewLayer[];
}

/** emptyImage is `FROM scratch` for a platform. */
export function emptyImage(platform: { os: string; architecture: string; variant?: string }): ImageParts {
  return {
    config: { architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}), config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] },
    layers: [],
  };
}

/**
 * appendLayers returns new parts with the layers added on top: their diffIDs go into rootfs and
 * their history lines into history. The input is not changed.
 */
export function appendLayers(base: ImageParts, ...layers: NewLayer[]): ImageParts {
  const config: ImageConfig = structuredClone(base.config);
  config.rootfs = { type: 'layers', diff_ids: [...base.config.rootfs.diff_ids, ...layers.map((l) => l.diffID)] };
  config.history = [...(base.config.history ?? []), ...layers.map((l) => ({ ...(l.history ?? {}) }))];
  return { config, layers: [...base.layers, ...layers] };
}

/**
 * withHistory returns new parts with a history line for a step that made no layer
 * (`empty_layer: true`, as ENV, CMD, LABEL... record).
 */
export function withEmptyLayerHistory(base: ImageParts, entry: Omit<HistoryEntry, 'empty_layer'>): ImageParts {
  const config: ImageConfig = structuredClone(base.config);
  config.history = [...(base.config.history ?? []), { ...entry, empty_layer: true }];
  return { config, layers: base.layers };
}

/** withContainerConfig returns new parts whose runtime config is `update(old)`. */
export function withContainerConfig(base: ImageParts, update: (c: ContainerConfig) => ContainerConfig): ImageParts {
  const config: ImageConfig = structuredClone(base.config);
  config.config = update(structuredClone(base.config.config ?? {}));
  return { config, layers: base.layers };
}

/** withCreated returns new parts with the image's `created` time set. */
export function withCreated(base: ImageParts, created: string): ImageParts {
  return { config: { ...structuredClone(base.config), created }, layers: base.layers };
}
