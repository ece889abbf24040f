import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { sortNames } from '../context/walk.js';
import { viewStat, type FsView } from './fs-view.js';

/** ViewLayer is one layer of a stack as overlayfs stores it: its directory, and the directories it made opaque. */
export interface ViewLayer {
  dir: string;
  /** clean root-relative paths of this layer's opaque directories ('' for the root). */
  opaque: ReadonlySet<string>;
}

interface Found {
  /** index of the layer the entry is read from (the topmost that has it). */
  layer: number;
  st: Stats;
  /** for a directory: the layers whose copies of it are merged, top first. */
  merged: number[];
}

/**
 * layeredView reads a stack of overlay layer directories (top first) as the mounted overlay would
 * show them, without mounting it: the topmost entry of a path wins; a whiteout (a 0:0 character
 * device) hides it in the layers below; a non-directory hides everything below it; a directory merges
 * with the same directory in lower layers down to the first that is opaque. COPY --from reads a
 * stage this way: a mount and an unmount, each a process strata had to start, were most of the
 * fixed cost of such a step.
 *
 * The layers are committed snapshots, which nothing changes while a build holds the store (removal
 * needs its exclusive lock), so what is found is kept for the view's life.
 */
export function layeredView(layers: readonly ViewLayer[]): FsView {
  const found = new Map<string, Found | null>();
  const lst = (layer: number, rel: string): Stats | undefined => {
    try {
      return lstatSync(rel === '' ? layers[layer]!.dir : join(layers[layer]!.dir, rel), { throwIfNoEntry: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  };
  const isWhiteout = (st: Stats): boolean => st.isCharacterDevice() && st.rdev === 0;

  const find = (rel: string): Found | undefined => {
    const known = found.get(rel);
    if (known !== undefined) return known ?? undefined;
    let candidates: number[];
    if (rel === '') candidates = layers.map((_, i) => i);
    else {
      const slash = rel.lastIndexOf('/');
      const parent = find(slash < 0 ? '' : rel.slice(0, slash));
      candidates = parent && parent.st.isDirectory() ? parent.merged : [];
    }
    let top: Found | undefined;
    for (const i of candidates) {
      const st = lst(i, rel);
      if (!st) continue;
      if (isWhiteout(st)) break;
      if (!st.isDirectory()) {
        top ??= { layer: i, st, merged: [] };
        break;
      }
      top ??= { layer: i, st, merged: [] };
      top.merged.push(i);
      if (layers[i]!.opaque.has(rel)) break;
    }
    found.set(rel, top ?? null);
    return top;
  };
  const pathOf = (f: Found, rel: string): string => (rel === '' ? layers[f.layer]!.dir : join(layers[f.layer]!.dir, rel));

  return {
    async lstat(rel) {
      const f = find(rel);
      return f ? viewStat(f.st) : undefined;
    },
    async readdir(rel) {
      const f = find(rel);
      if (!f || !f.st.isDirectory()) throw Object.assign(new Error(`${rel}: ${f ? 'not a directory' : 'no such directory'}`), { code: f ? 'ENOTDIR' : 'ENOENT' });
      const seen = new Set<string>();
      const names: string[] = [];
      for (const i of f.merged) {
        const dir = rel === '' ? layers[i]!.dir : join(layers[i]!.dir, rel);
        for (const d of readdirSync(dir, { withFileTypes: true })) {
          if (seen.has(d.name)) continue;
          seen.add(d.name);
          // a whiteout hides the name in the layers below and is not itself shown
          if (d.isCharacterDevice() && lstatSync(join(dir, d.name)).rdev === 0) continue;
          names.push(d.name);
        }
      }
      return sortNames(names);
    },
    async readlink(rel) {
      const f = find(rel);
      if (!f) throw Object.assign(new Error(`${rel}: no such file`), { code: 'ENOENT' });
      return readlinkSync(pathOf(f, rel));
    },
    async readSmallFile(rel) {
      // a regular file only: a symbolic link's target means something inside the view, not on this host
      const f = find(rel);
      if (!f || !f.st.isFile()) return undefined;
      return readFileSync(pathOf(f, rel));
    },
    content(rel) {
      const f = find(rel);
      if (!f) throw Object.assign(new Error(`${rel}: no such file`), { code: 'ENOENT' });
      return { kind: 'file', abs: pathOf(f, rel) };
    },
  };
}
