import type { Stats } from 'node:fs';
import type { ChecksumCache } from '../context/checksum-cache.js';
import type { ChecksumEntry } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * storeChecksumCache backs the context's checksum cache with the store's checksum_cache table:
 * lookups are single indexed queries (better-sqlite3 is synchronous, about microseconds each),
 * new checksums are written in one transaction at flush.
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
    get(abs, st) {
      return store.getChecksums([key(abs, st)]).get(abs);
    },
    set(abs, st, digest) {
      pending.push({ ...key(abs, st), checksum: digest });
    },
    flush() {
      if (pending.length === 0) return;
      store.putChecksums(pending.splice(0));
    },
  };
}
