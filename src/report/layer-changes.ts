import type { LayerEntry } from './tar-entries.js';
import type { EntryType } from './types.js';

/**
 * LayerChanges is everything one layer's tar says, gathered while it streams: metadata only.
 * A tar may list a path twice; the last entry wins, as when it is extracted.
 */
export class LayerChanges {
  readonly objects = new Map<string, { type: EntryType; size: number }>();
  readonly whiteouts = new Set<string>();
  readonly opaques = new Set<string>();
  /** sizeBytes: the sum of every entry's size (dive's layer size). */
  sizeBytes = 0;

  add(entry: LayerEntry): void {
    switch (entry.kind) {
      case 'object':
        this.objects.set(entry.path, { type: entry.type, size: entry.size });
        this.sizeBytes += entry.size;
        return;
      case 'whiteout':
        this.whiteouts.add(entry.path);
        return;
      case 'opaque':
        this.opaques.add(entry.path);
        return;
    }
  }

  /**
   * leafObjects lists the layer's own leaves for the efficiency tally: objects with nothing
   * under them in this layer, plus directories that only hold an opaque marker (size 0).
   */
  leafObjects(): Array<{ path: string; size: number }> {
    const parents = new Set<string>();
    const addAncestors = (path: string): void => {
      for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
        const ancestor = path.slice(0, cut);
        if (parents.has(ancestor)) break; // its own ancestors are already in
        parents.add(ancestor);
      }
    };
    for (const path of this.objects.keys()) addAncestors(path);
    // a whiteout is a child node (.wh.name) of its directory, so that directory is no leaf
    for (const path of this.whiteouts) addAncestors(path);
    for (const path of this.opaques) addAncestors(path);
    const leaves: Array<{ path: string; size: number }> = [];
    for (const [path, object] of this.objects) {
      if (!parents.has(path)) leaves.push({ path, size: object.size });
    }
    for (const path of this.opaques) {
      if (path !== '' && !parents.has(path) && !this.objects.has(path)) leaves.push({ path, size: 0 });
    }
    return leaves;
  }
}
