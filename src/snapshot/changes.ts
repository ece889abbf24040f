import type { Stats } from 'node:fs';

/**
 * Change is one difference between a snapshot and its parent, in layer order (a depth-first walk with each
 * directory's names sorted bytewise; an opaque marker right after its directory).
 * - add: `path` exists in the snapshot (new or changed); `host` is where to read it; `stat` its lstat.
 * - whiteout: `path` was deleted → `.wh.<name>`.
 * - opaque: directory `path` hides everything below it in the parents → `<path>/.wh..wh..opq`.
 */
export type Change =
  | { kind: 'add'; path: string; host: string; stat: Stats }
  | { kind: 'whiteout'; path: string }
  | { kind: 'opaque'; path: string };

/** compareNames orders directory entries bytewise, as Go's filepath.Walk and Docker do. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** joinRel joins a relative directory path and a name ('' is the root). */
export function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
