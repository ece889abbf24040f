import type { Readable } from 'node:stream';
import { resolveIn, type FsView } from './fs-view.js';
import { compactFromEntries, type CompactIndex } from './layer-index-view.js';
import type { LayerEntry } from './layer-entry.js';
import { writeLayerTar } from './tar-writer.js';
import { resolveOwner } from './user-db.js';

/**
 * runWorkdir makes the layer of `WORKDIR /a/b` as BuildKit's `mkdir -p` with the current USER as
 * owner: every missing directory is created 0755; the directories on the way that exist are
 * recorded with their own metadata (as an overlay upper dir would hold them). When everything
 * exists the layer is empty, but it is still a layer, as BuildKit's is.
 */
export async function runWorkdir(path: string, user: string, parent: FsView, now: number): Promise<{ tar: Readable; compact: CompactIndex }> {
  const resolved = await resolveIn(parent, path.replace(/^\/+/, ''), true);
  const entries: LayerEntry[] = [];
  const parts = resolved === '' ? [] : resolved.split('/');
  const missing = !(await parent.lstat(resolved));
  if (missing) {
    const owner = user !== '' ? await resolveOwner(user, parent) : { uid: 0, gid: 0 };
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const st = await parent.lstat(p);
      if (st && st.type === 'dir') entries.push({ path: p, type: 'dir', mode: st.mode, uid: st.uid, gid: st.gid, mtime: now });
      else entries.push({ path: p, type: 'dir', mode: 0o755, uid: owner.uid, gid: owner.gid, mtime: now });
    }
  }
  return { tar: writeLayerTar(entries), compact: compactFromEntries(entries, () => undefined) };
}
