import { checksumTree } from '../context/checksum.js';
import type { ChecksumCache } from '../context/checksum-cache.js';
import { glob, hasWildcards } from '../context/glob.js';
import type { IgnoreMatcher } from '../context/ignore.js';
import { dirLister } from '../context/lister.js';
import { cleanRel, resolveInRoot } from '../context/scoped-path.js';
import { summarizeFiles } from './cache-key.js';

/** ContextSources gives the planner what it needs of the build context. */
export interface ContextSources {
  root: string | undefined;
  ignore: IgnoreMatcher;
  cache: ChecksumCache;
}

/** SourceSums: checksum per source match, plus the per-file detail recorded for explanations. */
export interface SourceSums {
  sums: Record<string, string>;
  files: Record<string, Record<string, string>>;
}

/**
 * contextSourceSums computes the content checksum of every match of every COPY/ADD source in the
 * context (wildcards expanded, the source itself followed when it is a symlink, ignored files not
 * counted). A missing plain source is reported by the executor with its location; here it gets
 * the checksum 'missing', so planning (and `strata plan`) still completes.
 */
export async function contextSourceSums(ctx: ContextSources, sources: string[]): Promise<SourceSums> {
  const sums: Record<string, string> = {};
  const files: Record<string, Record<string, string>> = {};
  if (!ctx.root) {
    for (const s of sources) sums[s] = 'missing';
    return { sums, files };
  }
  const root = ctx.root;
  for (const s of sources) {
    const clean = cleanRel(s.replace('/./', '/'));
    const matches = hasWildcards(clean) ? await glob(dirLister(root), clean, ctx.ignore) : [clean];
    if (matches.length === 0) sums[s] = 'no-match';
    for (const m of matches) {
      const resolved = await resolveInRoot(root, m, true);
      try {
        const sum = await checksumTree(root, resolved, ctx.ignore, ctx.cache);
        sums[m === '' ? '.' : m] = sum.digest;
        // Summarised only if someone reads it (a cache record being stored, `strata plan`):
        // a fully cached build of a 20,000-file context never pays for it.
        let summary: Record<string, string> | undefined;
        Object.defineProperty(files, m === '' ? '.' : m, { enumerable: true, get: () => (summary ??= summarizeFiles(sum.files)) });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') sums[m] = 'missing';
        else throw err;
      }
    }
  }
  return { sums, files };
}
