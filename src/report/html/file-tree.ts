import { formatBytes } from '../format.js';
import type { ChangeKind, EntryType, FileChange } from '../types.js';
import { html, type Markup } from './escape.js';

interface Node {
  name: string;
  path: string;
  change?: ChangeKind;
  type: EntryType;
  size: number;
  children: Map<string, Node>;
}

/** FileTreeOptions: `limit` caps the number of paths drawn (a layer can hold 100,000). */
export interface FileTreeOptions {
  limit?: number;
}

const MARK: Record<ChangeKind, string> = { added: '+', modified: '~', removed: '−' };

/**
 * renderFileTree draws a layer's changes as a collapsible tree (native <details>, no script
 * needed): each path marked added (+), modified (~) or removed (−) with its size; a directory
 * shows the bytes its listed files add up to. Top-level directories start open.
 */
export function renderFileTree(changes: readonly FileChange[], options: FileTreeOptions = {}): Markup {
  const limit = options.limit ?? 2000;
  const root: Node = { name: '', path: '', type: 'dir', size: 0, children: new Map() };
  for (const change of changes.slice(0, limit)) insert(root, change);
  sumDirectories(root);
  const more = changes.length - Math.min(limit, changes.length);
  const note = more > 0 ? html`<p class="note">… ${more} more paths not shown; <code>--format json --files</code> lists them all.</p>` : html``;
  if (root.children.size === 0) return html`<p class="note">This layer changes no files.</p>`;
  return html`<ul class="tree" role="tree">${renderChildren(root, 0)}</ul>${note}`;
}

function insert(root: Node, change: FileChange): void {
  const names = change.path.split('/');
  let node = root;
  for (const name of names) {
    let next = node.children.get(name);
    if (!next) {
      next = { name, path: node.path === '' ? name : `${node.path}/${name}`, type: 'dir', size: 0, children: new Map() };
      node.children.set(name, next);
    }
    node = next;
  }
  node.change = change.change;
  node.type = change.type;
  node.size = change.sizeBytes;
}

function sumDirectories(node: Node): number {
  if (node.children.size === 0) return node.type === 'dir' && node.change !== 'removed' ? 0 : node.size;
  let total = 0;
  for (const child of node.children.values()) total += sumDirectories(child);
  node.size = total;
  return total;
}

function renderChildren(node: Node, depth: number): Markup[] {
  return [...node.children.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((child) => renderNode(child, depth));
}

function renderNode(node: Node, depth: number): Markup {
  const kind = node.change ?? 'unchanged';
  const mark = node.change ? MARK[node.change] : '';
  const isDir = node.type === 'dir' || node.children.size > 0;
  const line = html`<span class="mark" aria-label="${kind}">${mark}</span><span class="name">${node.name}${isDir ? '/' : node.type === 'symlink' ? ' →' : ''}</span><span class="size">${formatBytes(node.size)}</span>`;
  if (node.children.size === 0) return html`<li class="node ${kind} t-${node.type}" role="treeitem" data-path="${node.path.toLowerCase()}">${line}</li>`;
  return html`<li class="node ${kind} t-dir" role="treeitem" data-path="${node.path.toLowerCase()}"><details${depth === 0 ? html` open` : html``}><summary>${line}</summary><ul role="group">${renderChildren(node, depth + 1)}</ul></details></li>`;
}
