import type { CacheKeyRecord } from '../plan/cache-key.js';
import { missExplainer, type MissExplainer, type MissTense, type RecordSource } from '../plan/explain-miss.js';
import type { Plan } from '../plan/types.js';
import type { Store } from '../store/store.js';

/** storeRecordSource reads earlier cache records (their recorded key inputs) from the store. */
export function storeRecordSource(store: Store): RecordSource {
  return {
    records: () => store.listCacheRecords<CacheKeyRecord>().map((r) => r.inputs),
    hasRecord: (key) => store.getCacheRecord(key) !== undefined,
  };
}

/** storeMissExplainer explains a plan's misses against the store's cache records. */
export function storeMissExplainer(store: Store, plan: Plan, tense: MissTense = 'past'): MissExplainer {
  return missExplainer(plan, storeRecordSource(store), tense);
}
