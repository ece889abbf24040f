import { StrataError } from '../util/errors.js';

/** SnapshotNotFoundError: no snapshot has that key or name. */
export class SnapshotNotFoundError extends StrataError {
  constructor(key: string) {
    super('SNAPSHOT_NOT_FOUND', `snapshot ${key} does not exist`);
  }
}

/** SnapshotExistsError: a snapshot with that key or name already exists. */
export class SnapshotExistsError extends StrataError {
  constructor(key: string) {
    super('SNAPSHOT_EXISTS', `snapshot ${key} already exists`);
  }
}

/** SnapshotStateError: the operation does not fit the snapshot's kind (commit a view, remove a parent...). */
export class SnapshotStateError extends StrataError {
  constructor(message: string) {
    super('SNAPSHOT_STATE', message);
  }
}

/** UnsafeLayerEntryError: a layer entry would land outside the root (`..`, absolute, through a symlink). */
export class UnsafeLayerEntryError extends StrataError {
  constructor(entry: string, why: string) {
    super('LAYER_UNSAFE_PATH', `layer entry ${JSON.stringify(entry)} refused: ${why}`);
  }
}

/** InvalidLayerError: the layer tar is malformed or holds something strata cannot unpack. */
export class InvalidLayerError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_LAYER', message, options);
  }
}

/** SnapshotterUnavailableError: the chosen snapshotter cannot work here (no overlayfs...). */
export class SnapshotterUnavailableError extends StrataError {
  constructor(message: string) {
    super('SNAPSHOTTER_UNAVAILABLE', message);
  }
}
