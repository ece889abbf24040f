import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { parseReference, familiarString } from '../image/reference.js';
import type { Descriptor } from '../image/oci.js';
import type { PlannedStep } from '../plan/types.js';
import type { Registries } from '../registry/registries.js';
import type { Store } from '../store/store.js';
import { CACHE_CONFIG_MEDIA_TYPE, parseCacheDocument, type ExportedRecord } from './cache-document.js';
import { openLayoutBlob, readLayoutArtifact } from './cache-layout.js';
import { cacheSpecName, type CacheSpec } from './cache-spec.js';
import type { ProgressSink } from './progress.js';
import type { CacheStepResult } from './types.js';

/** FetchLayer brings one layer blob of an imported cache into the store and returns its diffID (undefined: could not learn it). */
type FetchLayer = (store: Store, layer: Descriptor) => Promise<string | undefined>;

interface Imported {
  record: ExportedRecord;
  fetch: FetchLayer;
  source: string;
}

/**
 * CacheImport is the records of every `--cache-from`, looked up when a step misses the local
 * store. Nothing is written to the store up front: on a hit, only that step's layer blob is
 * fetched (verified against its digest, and its diffID against the record's), and then the record
 * is written into the local store (so GC keeps the blob and a later `--cache-to` re-exports it).
 * Any failure to fetch makes the step a miss, never a build failure.
 */
export class CacheImport {
  private readonly records = new Map<string, Imported>();

  constructor(private readonly store: Store, private readonly emit: ProgressSink) {}

  get size(): number {
    return this.records.size;
  }

  add(records: ExportedRecord[], fetch: FetchLayer, source: string): void {
    // the first --cache-from that has a key wins, as the flags' order says
    for (const record of records) if (!this.records.has(record.key)) this.records.set(record.key, { record, fetch, source });
  }

  /** lookup is the executor's fallback for a step with no local cache record. */
  async lookup(step: PlannedStep): Promise<CacheStepResult | undefined> {
    const hit = this.records.get(step.key);
    if (!hit) return undefined;
    const { result } = hit.record;
    try {
      if (!(await this.store.hasBlob(result.layer.digest))) {
        const diffID = await hit.fetch(this.store, result.layer);
        if (diffID !== undefined && diffID !== result.diffID) throw new Error(`layer ${result.layer.digest} has diffID ${diffID}, the cache record says ${result.diffID}`);
      }
    } catch (err) {
      this.records.delete(step.key);
      this.emit({ type: 'step', status: 'log', time: Date.now(), step: step.id, name: step.name, text: `WARNING: cache from ${hit.source} not used: ${(err as Error).message}` });
      return undefined;
    }
    this.store.putCacheRecord({ key: step.key, inputs: hit.record.inputs, result, ...(hit.record.stage !== undefined ? { stage: hit.record.stage } : {}), ...(hit.record.step !== undefined ? { step: hit.record.step } : {}), size: result.layer.size });
    return result;
  }
}

/**
 * importCaches reads every `--cache-from` (its manifest and records only) into a CacheImport. A
 * cache that is missing or unreadable is a warning, as in BuildKit: the build goes on without it.
 */
export async function importCaches(store: Store, specs: CacheSpec[], opts: { registries: () => Promise<Registries>; onEvent?: ProgressSink }): Promise<CacheImport> {
  const emit = opts.onEvent ?? (() => undefined);
  const imp = new CacheImport(store, emit);
  for (const [i, spec] of specs.entries()) {
    const step = `cache-import/${i}`;
    const name = `[internal] importing cache manifest from ${cacheSpecName(spec)}`;
    const t0 = Date.now();
    emit({ type: 'step', status: 'started', time: t0, step, name });
    try {
      const n = spec.type === 'registry' ? await fromRegistry(imp, store, spec.ref, await opts.registries()) : await fromLayout(imp, spec.dir);
      emit({ type: 'step', status: 'log', time: Date.now(), step, name, text: `${n} cache records` });
    } catch (err) {
      emit({ type: 'step', status: 'log', time: Date.now(), step, name, text: `WARNING: cache not imported: ${(err as Error).message}` });
    }
    emit({ type: 'step', status: 'done', time: Date.now(), step, name, durationMs: Date.now() - t0 });
  }
  return imp;
}

async function fromRegistry(imp: CacheImport, store: Store, refText: string, registries: Registries): Promise<number> {
  const [{ pullArtifact }, { RemoteRepository }] = await Promise.all([import('../registry/artifact.js'), import('../registry/remote-repository.js')]);
  const ref = parseReference(refText);
  const art = await pullArtifact(store, ref, CACHE_CONFIG_MEDIA_TYPE, { registries, wantLayer: () => false });
  const records = parseCacheDocument(art.config, refText);
  const repo = new RemoteRepository(registries.client(ref.domain), ref.path, familiarString(ref));
  imp.add(records, async (s, layer) => (await repo.fetchBlob(s, layer, { tap: true }))?.diffID, refText);
  return records.length;
}

async function fromLayout(imp: CacheImport, dir: string): Promise<number> {
  const { DiffIdTap } = await import('../registry/diff-id-tap.js');
  const art = await readLayoutArtifact(dir, CACHE_CONFIG_MEDIA_TYPE);
  const records = parseCacheDocument(art.config, dir);
  imp.add(
    records,
    async (store, layer) => {
      const tap = new DiffIdTap(layer.mediaType);
      const src: Readable = openLayoutBlob(dir, layer.digest);
      let upstream: Error | undefined;
      const stream = pipeline(src, tap, (err) => { if (err) upstream ??= err; });
      try {
        await store.putBlob(stream, { digest: layer.digest, size: layer.size, what: `${dir} ${layer.digest}` });
      } catch (err) {
        throw upstream ?? err;
      }
      return tap.result?.diffID;
    },
    `local:${dir}`,
  );
  return records.length;
}
