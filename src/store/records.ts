import type { Digest } from '../image/digest.js';
import type { Descriptor } from '../image/oci.js';

/** ImageRecord is an image as meta.db records it (the documents themselves are blobs). */
export interface ImageRecord {
  /** id is the config digest. */
  id: Digest;
  manifestDigest: Digest;
  manifestMediaType: string;
  /** created is the config's `created` (RFC 3339), when it has one. */
  created?: string;
  /** size is the uncompressed size of all layers, as Docker reports it. */
  size: number;
  parent?: Digest;
  /** added is when the store first recorded the image (ms since the epoch). */
  added: number;
  /** layers are the compressed layer digests, bottom first. */
  layers: Digest[];
}

/** LayerRecord is a layer blob and what the store knows of its uncompressed tar. */
export interface LayerRecord {
  digest: Digest;
  diffID: Digest;
  size: number;
  uncompressedSize: number;
  mediaType: string;
  /**
   * diffVerified: false for a pulled layer whose diffID (and uncompressed size) were taken from its
   * image config and the gzip trailer, as containerd does: the first unpack hashes the tar and checks
   * them. Absent means verified.
   */
  diffVerified?: boolean;
}

/** TagRecord maps a normalised reference (`docker.io/library/busybox:latest`, or `repo@sha256:...`) to an image. */
export interface TagRecord {
  ref: string;
  imageId: Digest;
  updated: number;
}

/**
 * CacheRecord is one build cache entry: the step's key, the inputs that made the key (kept to explain
 * a later miss) and the result. Every digest mentioned anywhere in `result` is kept alive by GC.
 */
export interface CacheRecord<I = unknown, R = unknown> {
  key: string;
  inputs: I;
  result: R;
  stage?: string;
  step?: string;
  size: number;
  created: number;
  lastUsed: number;
}

/** CacheResult is the usual shape of a cache record's result (a layer, or a whole image, or nothing). */
export interface CacheResult {
  layer?: Descriptor & { diffID?: Digest };
  config?: Descriptor;
  manifest?: Descriptor;
  [extra: string]: unknown;
}

/** ChecksumKey is the stat tuple that says a context file is unchanged since its checksum was taken. */
export interface ChecksumKey {
  path: string;
  dev: number;
  ino: number;
  size: number;
  /** mtimeNs as a decimal string (a bigint does not fit a double). */
  mtimeNs: string;
  mode: number;
  uid: number;
  gid: number;
}

export interface ChecksumEntry extends ChecksumKey {
  checksum: string;
}

/** TreeChecksumEntry is a context tree's checksum under the fingerprint of its walk (src/context/checksum.ts). */
export interface TreeChecksumEntry {
  path: string;
  fingerprint: string;
  checksum: string;
}

/** ContainerRecord is a container (from `run` or `commit`); the record is the runner's JSON. */
export interface ContainerRecord<R = unknown> {
  id: string;
  name?: string;
  imageId?: Digest;
  created: number;
  size: number;
  record: R;
}

/** BuildRecord is one build's history (steps, cache decisions, timings) for reports. */
export interface BuildRecord<R = unknown> {
  id: string;
  started: number;
  finished?: number;
  record: R;
}
