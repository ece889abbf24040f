export type { CommitOptions, DiffEntry, DiffEntryType, DiffOptions, ImportLayerOptions, Mount, SnapshotInfo, SnapshotKind, Snapshotter, SnapshotterName } from './types.js';
export {
  InvalidLayerError, SnapshotExistsError, SnapshotNotFoundError, SnapshotStateError, SnapshotterUnavailableError, UnsafeLayerEntryError,
} from './errors.js';
export { applyLayer, type ApplyOptions, type ApplyResult } from './apply-layer.js';
export { OverlaySnapshotter } from './overlay.js';
export { NativeSnapshotter } from './native.js';
export { createSnapshotter, overlaySupported, type SnapshotterChoice } from './select.js';
export { withMounted } from './mount.js';
