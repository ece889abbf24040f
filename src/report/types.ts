import type { Readable } from 'node:stream';

/**
 * LayerInput is what a layer analysis needs of one layer: where it came from (the history's
 * created_by), its compressed size as stored, and a way to open its uncompressed tar. `open` is
 * called exactly once per analysis and the stream is read to its end, never buffered whole.
 */
export interface LayerInput {
  createdBy: string;
  compressedSize: number;
  /** digest of the compressed blob, when known (shown in reports). */
  digest?: string;
  /** diffID (digest of the uncompressed tar), when known. */
  diffID?: string;
  open(): Readable | Promise<Readable>;
}

/** ChangeKind says what a layer did to a path compared with the layers below it. */
export type ChangeKind = 'added' | 'modified' | 'removed';

/** EntryType is the kind of filesystem object a tar entry describes. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** FileChange is one path a layer added, modified or removed (a removed directory carries the size of all it held). */
export interface FileChange {
  path: string;
  change: ChangeKind;
  type: EntryType;
  sizeBytes: number;
}

/** LayerSummary is the per-layer part of a layer report. */
export interface LayerSummary {
  index: number;
  createdBy: string;
  digest?: string;
  diffID?: string;
  compressedSize: number;
  /** sizeBytes: the sum of the sizes of every entry in the layer's tar (dive's layer size). */
  sizeBytes: number;
  /** filesAdded/filesModified/filesRemoved count non-directory paths. */
  filesAdded: number;
  filesModified: number;
  filesRemoved: number;
  /** removedBytes: bytes of lower-layer files this layer hid by overwriting or deleting them. */
  removedBytes: number;
  /** hiddenLaterBytes: bytes of this layer's files that later layers overwrite or delete. */
  hiddenLaterBytes: number;
  biggestFiles: FileChange[];
  /** changes: every path the layer touched, in path order (may be long; renderers cap it). */
  changes: FileChange[];
}

/** Inefficiency is one path seen in more than one layer (dive's "inefficient match"). */
export interface Inefficiency {
  path: string;
  /** occurrences: how many layers list this path (a whiteout counts). */
  occurrences: number;
  /** cumulativeBytes: the sum of every size seen for the path; dive counts it all as wasted. */
  cumulativeBytes: number;
  /** minBytes: the smallest size seen for the path. */
  minBytes: number;
}

/**
 * LayerReport is the result of a layer analysis. `wastedBytes` is issue 7's figure: bytes of
 * files overwritten or removed by later layers (what lower layers carry that the final image
 * cannot see). `efficiency`, `diveWastedBytes`, `userSizeBytes` and `userWastedPercent` follow
 * dive's definitions (see efficiency.ts) so a `.dive-ci` threshold means the same thing here.
 */
export interface LayerReport {
  sizeBytes: number;
  userSizeBytes: number;
  wastedBytes: number;
  /** diveWastedBytes: dive's wasted bytes (every size of a path seen in two or more layers). */
  diveWastedBytes: number;
  userWastedPercent: number;
  efficiency: number;
  compressedSizeBytes: number;
  layers: LayerSummary[];
  inefficiencies: Inefficiency[];
}
