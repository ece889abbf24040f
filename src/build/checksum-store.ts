import type { Stats } from 'node:fs';
import type { ChecksumCache } from '../context/checksum-cache.js';
import type { ChecksumEntry, ChecksumKey } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * storeChecksumCache backs the context's checksum cache with the store's checksum_cache table:
 * a lookup batch is one read transaction of indexed queries (better-sqlite3 is synchronous,
 * microseconds each), new checksums are written in one transaction at flush.
 */
export function storeChecksumCache(store: Store): ChecksumCache {
  const pending: ChecksumEntry[] = [];
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
    record(items) {
      for (const i of items) pending.push({ ...key(i.abs, i.st), checksum: i.digest });
    },
    flush() {
      if (pending.length === 0) return;
      store.putChecksums(pending.splice(0));
    },
  };
}

interface Row {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtime_ns: string;
  mode: number;
  uid: number;
  gid: number;
  checksum: string;
}

/**
 * rangeLookup answers a big batch with one range scan over the table's primary key (the paths
 * under the batch's common directory) instead of one query per file: 20,000 rows come back in
 * tens of milliseconds. It reads the store's checksum_cache table directly (the store has no
 * range API yet); if that ever fails it falls back to the per-key API.
 */
function rangeLookup(store: Store, keys: ChecksumKey[]): Map<string, string> {
  let prefix = keys[0]!.path;
  for (const k of keys) while (!k.path.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const out = new Map<string, string>();
  let rows: Row[];
  try {
    rows = store.db.prepare('SELECT * FROM checksum_cache WHERE path >= ? AND path < ?').all(prefix, `${prefix}\uffff`) as Row[];
  } catch {
    return store.getChecksums(keys);
  }
  const byPath = new Map(rows.map((r) => [r.path, r]));
  for (const k of keys) {
    const r = byPath.get(k.path);
    if (r && r.dev === k.dev && r.ino === k.ino && r.size === k.size && r.mtime_ns === k.mtimeNs && r.mode === k.mode && r.uid === k.uid && r.gid === k.gid) out.set(k.path, r.checksum);
  }
  return out;
}
