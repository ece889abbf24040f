import type { Stats } from 'node:fs';

/** CacheItem is one file asked about: its absolute path and its lstat. */
export interface CacheItem {
  abs: string;
  st: Stats;
}

/**
 * ChecksumCache remembers the content digest of a file under a key made of its stat fields, so a
 * context whose files did not change is not read again. mtime and ctime are in the key only to
 * detect a change: a touched file is re-read, and its digest (content only) comes out the same.
 * Lookups and records come in batches: a 20,000-file context is one query round, not 20,000.
 */
export interface ChecksumCache {
  /** lookup returns the known digests (by absolute path) of the items whose stat still matches. */
  lookup(items: CacheItem[]): Map<string, string>;
  /** record remembers digests (persisted at flush when the cache is backed by a store). */
  record(items: (CacheItem & { digest: string })[]): void;
  flush(): Promise<void> | void;
  /**
   * lookupTree returns the checksum recorded for the tree at `abs` when its fingerprint (every
   * node's path, header and stat key; see fingerprintLine in checksum.ts) is the one given: a context whose
   * 20,000 files did not change is answered with one row instead of 20,000 lookups and hashes.
   */
  lookupTree?(abs: string, fingerprint: string): string | undefined;
  /** recordTree remembers a tree's checksum under its fingerprint (persisted at flush). */
  recordTree?(abs: string, fingerprint: string, digest: string): void;
}

/** statKey is the part of a stat that changes whenever a file's content may have changed. */
export function statKey(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.mode}`;
}

/** memoryChecksumCache is the cache of a single process (tests, `strata plan` without a store). */
export function memoryChecksumCache(): ChecksumCache {
  const m = new Map<string, { key: string; digest: string }>();
  const trees = new Map<string, { fingerprint: string; digest: string }>();
  return {
    lookupTree(abs, fingerprint) {
      const t = trees.get(abs);
      return t?.fingerprint === fingerprint ? t.digest : undefined;
    },
    recordTree(abs, fingerprint, digest) {
      trees.set(abs, { fingerprint, digest });
    },
    lookup(items) {
      const out = new Map<string, string>();
      for (const { abs, st } of items) {
        const e = m.get(abs);
        if (e && e.key === statKey(st)) out.set(abs, e.digest);
      }
      return out;
    },
    record(items) {
      for (const { abs, st, digest } of items) m.set(abs, { key: statKey(st), digest });
    },
    flush() {},
  };
}
