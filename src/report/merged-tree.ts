import type { EntryType } from './types.js';

/** TreeNode is one path of the merged (stacked) view of the layers read so far. */
export interface TreeNode {
  type: EntryType;
  size: number;
  /** layer: the index of the layer that wrote this node. */
  layer: number;
  children?: Map<string, TreeNode>;
}

/** SubtreeTotals sums a subtree: `allBytes` over every node (dive's sizer), `files`/`fileBytes` over non-directories. */
export interface SubtreeTotals {
  allBytes: number;
  files: number;
  fileBytes: number;
}

/**
 * MergedTree is the filesystem the layers below the current one add up to: what a container
 * would see. It holds metadata only (type, size), one node per path, never file contents.
 */
export class MergedTree {
  private readonly root: TreeNode = { type: 'dir', size: 0, layer: -1, children: new Map() };

  /** get returns the node at `path` ("a/b"), or undefined. */
  get(path: string): TreeNode | undefined {
    let node: TreeNode | undefined = this.root;
    for (const name of path.split('/')) {
      node = node.children?.get(name);
      if (!node) return undefined;
    }
    return node;
  }

  /**
   * put writes an object at `path`, creating missing parents as directories. A directory written
   * over a directory keeps its children (a tar lists a parent again when it changes a child);
   * anything else replaces what was there, subtree included.
   */
  put(path: string, type: EntryType, size: number, layer: number): void {
    const names = path.split('/');
    const last = names.pop() as string;
    let parent = this.root;
    for (const name of names) {
      let next = parent.children?.get(name);
      if (!next || next.type !== 'dir') {
        next = { type: 'dir', size: 0, layer, children: new Map() };
        (parent.children ??= new Map()).set(name, next);
      }
      parent = next;
    }
    const existing = parent.children?.get(last);
    if (existing && existing.type === 'dir' && type === 'dir') {
      existing.size = size;
      existing.layer = layer;
      return;
    }
    const node: TreeNode = type === 'dir' ? { type, size, layer, children: new Map() } : { type, size, layer };
    (parent.children ??= new Map()).set(last, node);
  }

  /** remove deletes `path` and everything under it, returning what was removed. */
  remove(path: string): TreeNode | undefined {
    const cut = path.lastIndexOf('/');
    const parent = cut < 0 ? this.root : this.get(path.slice(0, cut));
    const name = cut < 0 ? path : path.slice(cut + 1);
    const node = parent?.children?.get(name);
    if (node) parent?.children?.delete(name);
    return node;
  }

  /** clearChildren empties directory `path` (an opaque whiteout), returning the removed children by name. */
  clearChildren(path: string): Map<string, TreeNode> {
    const node = path === '' ? this.root : this.get(path);
    if (!node || node.type !== 'dir' || !node.children) return new Map();
    const removed = node.children;
    node.children = new Map();
    return removed;
  }
}

/**
 * subtreeTotals walks a node and everything under it (iteratively: trees can be deep). When
 * `hiddenByLayer` is given, each file's bytes are also added to the entry of the layer that wrote it.
 */
export function subtreeTotals(node: TreeNode, hiddenByLayer?: number[]): SubtreeTotals {
  const totals: SubtreeTotals = { allBytes: 0, files: 0, fileBytes: 0 };
  const stack: TreeNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop() as TreeNode;
    totals.allBytes += current.size;
    if (current.type !== 'dir') {
      totals.files += 1;
      totals.fileBytes += current.size;
      if (hiddenByLayer && current.layer >= 0) hiddenByLayer[current.layer] = (hiddenByLayer[current.layer] ?? 0) + current.size;
    }
    if (current.children) for (const child of current.children.values()) stack.push(child);
  }
  return totals;
}
