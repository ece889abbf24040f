import type { Stats } from 'node:fs';
import type { ChecksumCache } from '../context/checksum-cache.js';
import type { ChecksumEntry, ChecksumKey, TreeChecksumEntry } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * storeChecksumCache backs the context's checksum cache with the store's checksum_cache table:
 * a lookup batch is one read transaction of indexed queries (better-sqlite3 is synchronous,
 * microseconds each), new checksums are written in one transaction at flush. Whole trees are
 * remembered by fingerprint in tree_checksums.
 */
export function storeChecksumCache(store: Store): ChecksumCache {
  const pending: ChecksumEntry[] = [];
  const pendingTrees: TreeChecksumEntry[] = [];
  const key = (abs: string, st: Stats) => ({
    path: abs,
    dev: st.dev,
    ino: st.ino,
    size: st.size,
    mtimeNs: String(Math.round(st.mtimeMs * 1e6)),
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
  });
  return {
    lookup(items) {
      if (items.length < 256) return store.getChecksums(items.map((i) => key(i.abs, i.st)));
      return rangeLookup(store, items.map((i) => key(i.abs, i.st)));
    },
    lookupTree(abs, fingerprint) {
      return store.getTreeChecksum(abs, fingerprint);
    },
    recordTree(abs, fingerprint, checksum) {
      pendingTrees.push({ path: abs, fingerprint, checksum });
    },
    record(items) {
      for (const i of items) pending.push({ ...key(i.abs, i.st), checksum: i.digest });
    },
    flush() {
      // files first: a tree row is only ever answered when its files' rows are there too
      if (pending.length > 0) store.putChecksums(pending.splice(0));
      if (pendingTrees.length > 0) store.putTreeChecksums(pendingTrees.splice(0));
    },
  };
}

/** Row is one checksum_cache row as rangeLookup reads it: path, the stat fields joined, checksum. */
type Row = [path: string, stat: string, checksum: string];

/** statText joins a key's stat fields as rangeLookup's query joins the row's (integers print alike). */
function statText(k: ChecksumKey): string {
  return `${k.dev}:${k.ino}:${k.size}:${k.mtimeNs}:${k.mode}:${k.uid}:${k.gid}`;
}

/**
 * rangeLookup answers a big batch with one range scan over the table's primary key (the paths
 * under the batch's common directory) instead of one query per file. SQLite joins each row's
 * stat fields into one string and rows come back as arrays: 20,000 rows as objects of nine
 * fields cost more (in allocation and GC) than the scan. It reads the store's checksum_cache
 * table directly (the store has no range API yet); if that ever fails it falls back to the
 * per-key API.
 */
function rangeLookup(store: Store, keys: ChecksumKey[]): Map<string, string> {
  let prefix = keys[0]!.path;
  for (const k of keys) while (!k.path.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const out = new Map<string, string>();
  let rows: Row[];
  try {
    rows = store.db
      .prepare(`SELECT path, dev || ':' || ino || ':' || size || ':' || mtime_ns || ':' || mode || ':' || uid || ':' || gid, checksum FROM checksum_cache WHERE path >= ? AND path < ?`)
      .raw(true)
      .all(prefix, `${prefix}\uffff`) as Row[];
  } catch {
    return store.getChecksums(keys);
  }
  const byPath = new Map<string, Row>();
  for (const r of rows) byPath.set(r[0], r);
  for (const k of keys) {
    const r = byPath.get(k.path);
    if (r && r[1] === statText(k)) out.set(k.path, r[2]);
  }
  return out;
}
