import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TreeLister } from './glob.js';
import { byName } from './walk.js';

/** dirLister lists a directory tree for glob (types from lstat, names sorted). */
export function dirLister(root: string): TreeLister {
  return {
    async lstat(rel) {
      try {
        const st = await lstat(rel === '' ? root : join(root, rel));
        return { type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other' };
      } catch {
        return undefined;
      }
    },
    async readdir(rel) {
      return (await readdir(rel === '' ? root : join(root, rel))).sort(byName);
    },
  };
}
