import type { Stats } from 'node:fs';

/**
 * ChecksumCache remembers the content digest of a file under a key made of its stat fields, so a
 * context whose files did not change is not read again. mtime and ctime are in the key only to
 * detect a change: a touched file is re-read, and its digest (content only) comes out the same.
 */
export interface ChecksumCache {
  get(abs: string, statKey: string): string | undefined;
  set(abs: string, statKey: string, digest: string): void;
  /** flush persists what set() recorded (one transaction), if the cache is backed by a store. */
  flush(): Promise<void> | void;
}

/** statKey is the part of a stat that changes whenever a file's content may have changed. */
export function statKey(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.mode}`;
}

/** memoryChecksumCache is the cache of a single process (tests, `strata plan` without a store). */
export function memoryChecksumCache(): ChecksumCache {
  const m = new Map<string, { key: string; digest: string }>();
  return {
    get(abs, key) {
      const e = m.get(abs);
      return e && e.key === key ? e.digest : undefined;
    },
    set(abs, key, digest) {
      m.set(abs, { key, digest });
    },
    flush() {},
  };
}

/** ChecksumRow is one persisted entry, as a store table holds it. */
export interface ChecksumRow {
  path: string;
  statKey: string;
  digest: string;
}

/**
 * rowBackedChecksumCache loads every row once (one query, not one per file: 20,000 lookups must
 * stay cheap) and writes back only the rows that changed.
 */
export function rowBackedChecksumCache(rows: Iterable<ChecksumRow>, save: (changed: ChecksumRow[]) => Promise<void> | void): ChecksumCache {
  const m = new Map<string, { key: string; digest: string }>();
  for (const r of rows) m.set(r.path, { key: r.statKey, digest: r.digest });
  const changed = new Map<string, ChecksumRow>();
  return {
    get(abs, key) {
      const e = m.get(abs);
      return e && e.key === key ? e.digest : undefined;
    },
    set(abs, key, digest) {
      m.set(abs, { key, digest });
      changed.set(abs, { path: abs, statKey: key, digest });
    },
    async flush() {
      if (changed.size === 0) return;
      const rowsOut = [...changed.values()];
      changed.clear();
      await save(rowsOut);
    },
  };
}
