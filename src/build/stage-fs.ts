import type { Store } from '../store/store.js';
import { blobLayer } from '../image/layer.js';
import type { FsView } from './fs-view.js';
import { LayerIndex, type CompactIndex } from './layer-index-view.js';
import type { ChainLayer } from './types.js';

/**
 * StageFs tracks a stage's layer chain and lazily builds the header index of it for steps that
 * must look at the parent filesystem (COPY destinations, --chown and WORKDIR users). Layers whose
 * compact index is known (written or cached by strata, or kept in the store since the layer was
 * unpacked or first read) are indexed without reading them.
 */
export class StageFs {
  readonly chain: ChainLayer[];
  private readonly compacts: (CompactIndex | undefined)[];
  private index: LayerIndex | undefined;
  private indexed = 0;

  constructor(
    private readonly store: Store,
    chain: ChainLayer[] = [],
    compacts: (CompactIndex | undefined)[] = [],
  ) {
    this.chain = [...chain];
    // one slot per layer: base layers without a compact index are read when first needed
    this.compacts = chain.map((_, i) => compacts[i]);
  }

  /** fork starts a new stage on this one's result (`FROM earlier-stage`). */
  fork(): StageFs {
    const f = new StageFs(this.store, this.chain, this.compacts);
    if (this.index && this.indexed === this.chain.length) {
      f.index = this.index.clone();
      f.indexed = this.indexed;
    }
    return f;
  }

  push(layer: ChainLayer, compact: CompactIndex | undefined): void {
    this.chain.push(layer);
    this.compacts.push(compact);
  }

  /**
   * opaqueDirs lists, per layer of the chain (bottom first), the directories it made opaque, from the
   * layers' compact indexes; undefined when one of them is not known without reading its layer.
   */
  opaqueDirs(): string[][] | undefined {
    const out: string[][] = [];
    for (let i = 0; i < this.chain.length; i++) {
      // kept once read: every COPY --from this stage asks again, and a base layer's index is large
      const c = (this.compacts[i] ??= this.store.images.getLayerIndex(this.chain[i]!.diffID) as CompactIndex | undefined);
      if (!c) return undefined;
      out.push(c.opaque);
    }
    return out;
  }

  /** view returns the header index of the whole chain so far. */
  async view(): Promise<FsView> {
    if (!this.index) this.index = new LayerIndex();
    while (this.indexed < this.chain.length) {
      const l = this.chain[this.indexed]!;
      const c = this.compacts[this.indexed];
      const known = c ?? (this.store.images.getLayerIndex(l.diffID) as CompactIndex | undefined);
      if (known) this.index.addCompact(known);
      else {
        // Read once per store: the index is kept by diffID for every later build.
        const layer = blobLayer(this.store, { digest: l.descriptor.digest, diffID: l.diffID, size: l.descriptor.size, mediaType: l.descriptor.mediaType });
        this.store.images.putLayerIndex(l.diffID, await this.index.addLayer(layer.uncompressed()));
      }
      this.indexed++;
    }
    return this.index.view();
  }
}
