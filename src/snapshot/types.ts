import type { Readable } from 'node:stream';

/**
 * Mount is one mount that assembles a snapshot's filesystem, in containerd's shape. The runners take these
 * as `RunSpec.rootfsMounts` (the same shape as runners/types.ts RootfsMount) and mount them in their own
 * private mount namespace; `withMounted` (mount.ts) mounts them on the host for code that writes files.
 */
export interface Mount {
  type: 'overlay' | 'bind';
  source: string;
  options: string[];
}

/** SnapshotKind: 'active' is writable and not yet committed; 'view' is a read-only active; 'committed' is immutable. */
export type SnapshotKind = 'active' | 'view' | 'committed';

/** SnapshotInfo describes one snapshot. `parent` is the name of a committed snapshot. */
export interface SnapshotInfo {
  key: string;
  kind: SnapshotKind;
  parent?: string;
  /** id names the snapshot's directory under the snapshotter's root; it survives commit. */
  id: string;
  created: string;
  /** labels: what the owner of a committed snapshot says about it (the builder: its layer's diffID, for GC). */
  labels?: Record<string, string>;
  /** renamedFrom: the key this committed snapshot had before `rename` (cleanup drops a record a crash left under it). */
  renamedFrom?: string;
}

/** SnapshotterName is the value of `--snapshotter` once 'auto' is resolved. */
export type SnapshotterName = 'overlay' | 'native';

/** DiffOptions tune the layer tar a diff produces. */
export interface DiffOptions {
  /** sourceDateEpoch clamps every mtime to at most this (seconds); defaults to $SOURCE_DATE_EPOCH when set. */
  sourceDateEpoch?: number;
  /**
   * onEntry sees every entry as it is written, so a caller can index the layer (directories, links,
   * whiteouts) in the same pass instead of reading the tar again.
   */
  onEntry?: (entry: DiffEntry) => void;
}

/**
 * DiffEntry is one entry of a diff's layer: a whiteout, an opaque marker, or a written entry with its
 * header fields and `host`, where the snapshot keeps it (readable until the snapshot is removed).
 */
/** CommitOptions: labels to keep with the committed snapshot. */
export interface CommitOptions {
  labels?: Record<string, string>;
}

/** ImportLayerOptions: `onEntry` sees each entry once unpacked (see DiffOptions.onEntry); `labels` as in commit. */
export interface ImportLayerOptions extends CommitOptions {
  onEntry?: (entry: DiffEntry) => void;
}

/** DiffEntryType: the kinds of entry a layer holds. */
export type DiffEntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export type DiffEntry =
  | { kind: 'whiteout' | 'opaque'; path: string }
  | { kind: 'entry'; path: string; type: DiffEntryType; mode: number; uid: number; gid: number; size: number; linkname?: string; host: string };

/**
 * Snapshotter keeps filesystem snapshots in layers, like containerd's. A *key* names an active snapshot (one
 * being written: a RUN or COPY step's working tree); a *name* names a committed snapshot (immutable, usable
 * as a parent). Keys and names share one namespace.
 *
 * One RUN step goes:
 *   const mounts = await sn.prepare('build-42', 'sha256:…parent-layer');  // writable tree on the parent
 *   await runner.run({ rootfs: emptyDir, rootfsMounts: mounts, … });     // the runner mounts it privately
 *   const tar = sn.diff('build-42');                                      // deterministic OCI layer tar
 *   … store the layer from `tar` …
 *   await sn.commit('sha256:…new-layer', 'build-42');                     // now usable as a parent
 * A base image layer is imported with `importLayer(name, parent, tarStream)`; unpacked once, it is reused
 * by every build on top of it (overlay: as a lower dir, never copied).
 */
export interface Snapshotter {
  readonly name: SnapshotterName;
  /** root is the directory holding every snapshot (the store passes `<storeRoot>/snapshots`). */
  readonly root: string;
  /** prepare creates an active snapshot `key` on committed `parent` (or empty) and returns its mounts. */
  prepare(key: string, parent?: string): Promise<Mount[]>;
  /** view is prepare for reading only; the mounts are read-only. */
  view(key: string, parent?: string): Promise<Mount[]>;
  /** mounts returns the mounts of an existing active snapshot or view. */
  mounts(key: string): Promise<Mount[]>;
  /** commit turns active `key` into committed `name`; `key` stops existing. */
  commit(name: string, key: string, options?: CommitOptions): Promise<SnapshotInfo>;
  /**
   * rename gives a committed snapshot without children a new name and labels (for what is learnt
   * after its commit: the builder names a layer it unpacked while writing it once its diffID is known).
   */
  rename(from: string, to: string, options?: CommitOptions): Promise<SnapshotInfo>;
  /** remove deletes a snapshot; a committed snapshot that is a parent of another cannot be removed. */
  remove(key: string): Promise<void>;
  /** stat describes a snapshot, or throws SnapshotNotFoundError. */
  stat(key: string): Promise<SnapshotInfo>;
  /** has says whether a snapshot exists. */
  has(key: string): Promise<boolean>;
  /** list returns every snapshot (containerd's walk). */
  list(): Promise<SnapshotInfo[]>;
  /**
   * diff streams the changes of snapshot `key` (active or committed) against its parent as an uncompressed
   * OCI layer tar: sorted entries, numeric ids, empty uname/gname, OCI whiteouts, clamped mtimes.
   */
  diff(key: string, options?: DiffOptions): Readable;
  /**
   * layerDirs lists, top first, the directories whose merge under overlayfs' rules is the committed
   * snapshot `key`'s filesystem (one directory for a snapshotter that copies), so that it can be read
   * without a mount; undefined when they cannot be read that way (overlay with user xattrs).
   */
  layerDirs(key: string): Promise<string[] | undefined>;
  /** importLayer unpacks an OCI layer tar as committed snapshot `name` on `parent` (whiteouts applied). */
  importLayer(name: string, parent: string | undefined, layer: Readable, options?: ImportLayerOptions): Promise<SnapshotInfo>;
  /** cleanup removes what a crash left: directories without metadata, unfinished imports. */
  cleanup(): Promise<void>;
}
