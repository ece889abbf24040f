import { lstat, readdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import type { IgnoreMatcher } from './ignore.js';

/** WalkEntry is one path met by walk: context-relative `rel` (`a/b`), absolute `abs`, lstat. */
export interface WalkEntry {
  rel: string;
  abs: string;
  stat: Stats;
}

/** byName orders names by their UTF-8 bytes, as Go's sort.Strings and tar writers do. */
export function byName(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * sortNames sorts directory entries by their UTF-8 bytes. JavaScript's own string order (UTF-16
 * code units) is the same order unless a name holds a character at or above U+D800 (surrogates
 * sort before U+E000..U+FFFF in UTF-16, after them in UTF-8), so the common case skips byName's
 * two Buffers per comparison: a 20,000-file walk made 300,000 of them.
 */
export function sortNames(names: string[]): string[] {
  return names.some((n) => /[\uD800-\uFFFF]/.test(n)) ? names.sort(byName) : names.sort();
}

/**
 * walk yields `start` (relative to root) and everything below it in lexical order, depth first,
 * skipping what the ignore matcher excludes. It streams: one directory listing at a time is held.
 * An ignored directory is still entered when the rules have `!` exceptions (an exception may
 * re-include something inside it), but is itself yielded only if something below it is kept, as
 * BuildKit's fsutil does.
 */
export async function* walk(root: string, start: string, ignore: IgnoreMatcher): AsyncGenerator<WalkEntry> {
  const abs = start === '' ? root : join(root, start);
  const stat = await lstat(abs);
  if (start !== '' && ignore.ignores(start)) {
    if (!stat.isDirectory() || !ignore.hasExceptions) return;
    yield* walkIgnoredDir(root, start, abs, stat, ignore);
    return;
  }
  yield { rel: start, abs, stat };
  if (stat.isDirectory()) yield* walkChildren(root, start, abs, ignore);
}

async function* walkChildren(root: string, rel: string, abs: string, ignore: IgnoreMatcher): AsyncGenerator<WalkEntry> {
  const names = sortNames(await readdir(abs));
  for (const name of names) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    yield* walk(root, childRel, ignore);
  }
}

async function* walkIgnoredDir(root: string, rel: string, abs: string, stat: Stats, ignore: IgnoreMatcher): AsyncGenerator<WalkEntry> {
  let announced = false;
  for await (const e of walkChildren(root, rel, abs, ignore)) {
    if (!announced) {
      announced = true;
      yield { rel, abs, stat };
    }
    yield e;
  }
}
