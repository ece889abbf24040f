import type { BuildRecord, CacheRecord } from '../store/records.js';
import { resolveImage } from '../store/resolve-image.js';
import type { Store } from '../store/store.js';
import { NotFoundError, StrataError } from '../util/errors.js';
import { buildReportFromRecord, type BuildReport } from './build-model.js';

/** AmbiguousPrefixError: a short build ID or cache key prefix matches more than one. */
export class AmbiguousPrefixError extends StrataError {
  constructor(what: string, prefix: string, count: number) {
    super('AMBIGUOUS_PREFIX', `${what} prefix ${prefix} is ambiguous: it matches ${count} ${what}s`);
  }
}

/** selectBuild finds a build record by ID or ID prefix; `last` (or nothing) is the newest build. */
export function selectBuild(store: Store, which: string | undefined): BuildRecord {
  if (which === undefined || which === 'last') {
    const newest = store.listBuildRecords(1)[0];
    if (!newest) throw new NotFoundError('No build recorded in this store yet (run strata build first)');
    return newest;
  }
  const exact = store.getBuildRecord(which);
  if (exact) return exact;
  const matches = store.listBuildRecords(100_000).filter((record) => record.id.startsWith(which));
  if (matches.length > 1) throw new AmbiguousPrefixError('build', which, matches.length);
  if (!matches[0]) throw new NotFoundError(`No such build: ${which}`);
  return matches[0];
}

/** loadBuildReport is selectBuild made into a BuildReport. */
export function loadBuildReport(store: Store, which: string | undefined): BuildReport {
  return buildReportFromRecord(selectBuild(store, which));
}

/** selectCacheRecord finds a cache record by key (`sha256:...`) or a prefix of its hex. */
export function selectCacheRecord(store: Store, key: string): CacheRecord | undefined {
  const exact = store.getCacheRecord(key) ?? store.getCacheRecord(`sha256:${key}`);
  if (exact) return exact;
  const hex = key.replace(/^sha256:/, '');
  if (!/^[a-f0-9]{4,64}$/.test(hex)) return undefined;
  const matches = store.listCacheRecords().filter((record) => record.key.replace(/^sha256:/, '').startsWith(hex));
  if (matches.length > 1) throw new AmbiguousPrefixError('cache key', key, matches.length);
  return matches[0];
}

/**
 * cacheRecordsOfImage lists the cache records behind an image: the steps of the newest build that
 * produced it, in build order, each with its record when the store still has it.
 */
export function cacheRecordsOfImage(store: Store, refOrId: string): { imageId: string; buildId: string; steps: Array<{ name: string; key: string; record?: CacheRecord }> } {
  const image = resolveImage(store, refOrId);
  for (const build of store.listBuildRecords(100_000)) {
    const report = buildReportFromRecord(build);
    if (report.imageId !== image.id) continue;
    return {
      imageId: image.id,
      buildId: build.id,
      steps: report.steps
        .filter((step) => step.key !== undefined && step.status !== 'base')
        .map((step) => {
          const record = store.getCacheRecord(step.key as string);
          return { name: step.name, key: step.key as string, ...(record ? { record } : {}) };
        }),
    };
  }
  throw new NotFoundError(`No build of ${refOrId} (${image.id}) is recorded in this store: it was pulled, loaded or imported, not built`);
}
