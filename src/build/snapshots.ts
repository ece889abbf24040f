import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DigestingStream } from '../image/digest.js';
import { DigestMismatchError } from '../image/errors.js';
import { blobLayer } from '../image/layer.js';
import { SnapshotExistsError } from '../snapshot/errors.js';
import type { Snapshotter } from '../snapshot/types.js';
import { withMounted } from '../snapshot/mount.js';
import type { Store } from '../store/store.js';
import { dirView, type FsView } from './fs-view.js';
import { CompactCollector } from './layer-index-view.js';
import { layeredView } from './layered-view.js';
import type { ChainLayer } from './types.js';

/** DIFF_ID_LABEL names the label a committed snapshot carries with its own layer's diffID (see prune-snapshots.ts). */
export const DIFF_ID_LABEL = 'strata.diff-id';

/** chainId names a layer stack as OCI's ChainID does: the first diffID, then sha256(parent + ' ' + diffID). */
export function chainId(parent: string | undefined, diffID: string): string {
  return parent === undefined ? diffID : `sha256:${createHash('sha256').update(`${parent} ${diffID}`).digest('hex')}`;
}

/**
 * SnapshotChains makes layer chains available as committed snapshots (each layer unpacked once,
 * named by its chain id, reused by every later build) and hands out read-only views of them.
 */
export class SnapshotChains {
  private readonly imports = new Map<string, Promise<void>>();

  constructor(
    readonly snapshotter: Snapshotter,
    private readonly store: Store,
  ) {}

  /** ensure imports what is missing of `chain` and returns the top snapshot's name (undefined: empty). */
  async ensure(chain: ChainLayer[]): Promise<string | undefined> {
    let canonical: string | undefined;
    let parent: string | undefined;
    for (const l of chain) {
      canonical = chainId(canonical, l.diffID);
      const name = canonical;
      const parentName = parent;
      let p = this.imports.get(name);
      if (!p) {
        p = (async () => {
          if (await this.snapshotter.has(name)) return;
          const layer = blobLayer(this.store, { digest: l.descriptor.digest, diffID: l.diffID, size: l.descriptor.size, mediaType: l.descriptor.mediaType });
          const index = new CompactCollector();
          const record = this.store.images.getLayer(l.descriptor.digest);
          if (record?.diffVerified === false) {
            await this.importVerifying(name, parentName, layer.uncompressed(), l, index);
          } else {
            await this.snapshotter.importLayer(name, parentName, layer.uncompressed(), { onEntry: index.observe, labels: { [DIFF_ID_LABEL]: l.diffID } });
          }
          // Indexed in the same pass as the unpack, so no build has to read this layer's tar for its tree.
          this.store.images.putLayerIndex(l.diffID, index.result());
        })();
        this.imports.set(name, p);
        p.catch(() => this.imports.delete(name));
      }
      await p;
      parent = name;
    }
    return parent;
  }

  /**
   * importVerifying unpacks a pulled layer whose diffID was only claimed (see pull.ts), hashing the tar
   * on its way into the snapshot: a mismatch removes the snapshot and fails, so nothing is ever named
   * by a chain id its content does not have; a match marks the layer verified, with its true size.
   */
  private async importVerifying(name: string, parent: string | undefined, tar: Readable, l: ChainLayer, index: CompactCollector): Promise<void> {
    const hasher = new DigestingStream();
    tar.on('error', (err) => hasher.destroy(err));
    await this.snapshotter.importLayer(name, parent, tar.pipe(hasher), { onEntry: index.observe, labels: { [DIFF_ID_LABEL]: l.diffID } });
    if (hasher.digest !== l.diffID) {
      await this.snapshotter.remove(name).catch(() => undefined);
      throw new DigestMismatchError(`layer ${l.descriptor.digest} (uncompressed, as its image config lists it)`, l.diffID, hasher.digest);
    }
    this.store.images.markLayerVerified(l.descriptor.digest, hasher.size);
  }

  /**
   * capture unpacks a layer into a snapshot while the same tar is being written to the store, so a
   * later RUN step finds it unpacked without reading the blob back (one write of the files, no
   * gunzip). `commit` renames it to its chain id once the diffID is known, as if it had been
   * imported: later steps, stages and builds find it by that name.
   */
  async capture(parent: ChainLayer[], tar: Readable): Promise<{ finished: Promise<void>; commit: (diffID: string) => Promise<void>; abort: () => Promise<void> }> {
    const top = await this.ensure(parent);
    const name = `layer-${randomBytes(8).toString('hex')}`;
    const finished = this.snapshotter.importLayer(name, top, tar).then(() => undefined);
    const canonicalParent = parent.reduce<string | undefined>((acc, l) => chainId(acc, l.diffID), undefined);
    return {
      finished,
      commit: async (diffID) => {
        const canonical = chainId(canonicalParent, diffID);
        // labelled like every layer snapshot, so that GC keeps it as long as its layer is in the store
        const renamed = await this.snapshotter.rename(name, canonical, { labels: { [DIFF_ID_LABEL]: diffID } }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof SnapshotExistsError) return false; // another stage or build made the same layer first
            throw err;
          },
        );
        if (!renamed) await this.snapshotter.remove(name);
      },
      abort: async () => {
        await finished.catch(() => undefined);
        await this.snapshotter.remove(name).catch(() => undefined);
      },
    };
  }

  /**
   * view gives a read-only view of `chain` until `release`. With the layers' opaque directories
   * (per layer, bottom first) and a snapshotter whose directories can be read in place, the layers are
   * read where they are (layeredView); otherwise they are mounted.
   */
  async view(chain: ChainLayer[], opaque?: string[][]): Promise<{ view: FsView; release: () => Promise<void> }> {
    const top = await this.ensure(chain);
    const dirs = top !== undefined ? await this.snapshotter.layerDirs(top) : undefined;
    const nothingToRelease = async (): Promise<void> => undefined; // no mount, no view snapshot
    // one directory: the whole filesystem (a copying snapshotter), or a bottom layer with nothing below to hide
    if (dirs?.length === 1) return { view: layeredView([{ dir: dirs[0]!, opaque: new Set() }]), release: nothingToRelease };
    if (dirs && dirs.length === chain.length && opaque?.length === chain.length) {
      // dirs are top first, opaque bottom first
      return { view: layeredView(dirs.map((dir, i) => ({ dir, opaque: new Set(opaque[chain.length - 1 - i]) }))), release: nothingToRelease };
    }
    const key = `view-${randomBytes(8).toString('hex')}`;
    const mounts = await this.snapshotter.view(key, top);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let ready!: (dir: string) => void;
    const dirReady = new Promise<string>((r) => (ready = r));
    const held = withMounted(mounts, async (dir) => {
      ready(dir);
      await released;
    });
    const failed = held.then(() => undefined);
    const dir = await Promise.race([dirReady, failed.then(() => undefined)]);
    if (dir === undefined) {
      await this.snapshotter.remove(key).catch(() => undefined);
      throw new Error('could not mount the source filesystem');
    }
    return {
      view: dirView(dir),
      release: async () => {
        release();
        await held.catch(() => undefined);
        await this.snapshotter.remove(key).catch(() => undefined);
      },
    };
  }
}
