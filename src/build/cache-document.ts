import { StrataError } from '../util/errors.js';
import type { CacheStepResult } from './types.js';

/** CACHE_CONFIG_MEDIA_TYPE marks a strata build cache artifact (its config is a CacheDocument). */
export const CACHE_CONFIG_MEDIA_TYPE = 'application/vnd.strata.cache.config.v1+json';

/** ExportedRecord is one cache record as it travels: the key, its inputs and the step's result. */
export interface ExportedRecord {
  key: string;
  inputs: unknown;
  result: CacheStepResult;
  stage?: string;
  step?: string;
}

/** CacheDocument is the artifact's config: every exported record; the layers are the artifact's layers. */
export interface CacheDocument {
  v: 1;
  records: ExportedRecord[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * parseCacheDocument checks what another machine wrote before any of it is trusted: records
 * whose key or digests are malformed are dropped (a cache is an optimisation, never a failure).
 */
export function parseCacheDocument(bytes: Buffer, what: string): ExportedRecord[] {
  let doc: Partial<CacheDocument>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Partial<CacheDocument>;
  } catch {
    throw new StrataError('CACHE_INVALID', `${what}: cache config is not JSON`);
  }
  if (doc.v !== 1 || !Array.isArray(doc.records)) throw new StrataError('CACHE_INVALID', `${what}: not a strata cache (v1) document`);
  return doc.records.filter((r): r is ExportedRecord => {
    const l = r?.result?.layer;
    return (
      typeof r.key === 'string' && DIGEST.test(r.key) && !!l && typeof l.digest === 'string' && DIGEST.test(l.digest) &&
      Number.isSafeInteger(l.size) && l.size >= 0 && typeof l.mediaType === 'string' &&
      typeof r.result.diffID === 'string' && DIGEST.test(r.result.diffID) && typeof r.result.created === 'string'
    );
  });
}
