import type { Stats } from 'node:fs';

/**
 * ChecksumCache remembers the content digest of a file under a key made of its stat fields, so a
 * context whose files did not change is not read again. mtime and ctime are in the key only to
 * detect a change: a touched file is re-read, and its digest (content only) comes out the same.
 */
export interface ChecksumCache {
  get(abs: string, st: Stats): string | undefined;
  set(abs: string, st: Stats, digest: string): void;
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
    get(abs, st) {
      const e = m.get(abs);
      return e && e.key === statKey(st) ? e.digest : undefined;
    },
    set(abs, st, digest) {
      m.set(abs, { key: statKey(st), digest });
    },
    flush() {},
  };
}
