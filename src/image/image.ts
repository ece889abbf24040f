import type { Digest } from './digest.js';
import type { Layer } from './layer.js';
import type { ImageConfig, Manifest } from './oci.js';

/**
 * Image is a read-only value: the manifest, the config and the layers they describe. Its ID is the
 * config digest, as Docker's is. Changes (new config, more layers) make a new Image, never edit one.
 */
export interface Image {
  readonly id: Digest;
  readonly manifestDigest: Digest;
  readonly manifest: Manifest;
  readonly config: ImageConfig;
  readonly layers: readonly Layer[];
}

/** shortId is the 12-hex-digit form the docker CLI prints. */
export function shortId(id: Digest | string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * validateImageParts checks that a manifest and config agree: one diffID per layer. It returns a
 * problem description, or undefined when they agree.
 */
export function imagePartsProblem(manifest: Manifest, config: ImageConfig): string | undefined {
  if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids)) return 'config has no rootfs.diff_ids';
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    return `manifest has ${manifest.layers.length} layers but config has ${config.rootfs.diff_ids.length} diff_ids`;
  }
  return undefined;
}
