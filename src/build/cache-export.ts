import { parseReference } from '../image/reference.js';
import type { Descriptor } from '../image/oci.js';
import type { Plan, PlannedStage } from '../plan/types.js';
import type { Registries } from '../registry/registries.js';
import type { Store } from '../store/store.js';
import { CACHE_CONFIG_MEDIA_TYPE, type CacheDocument, type ExportedRecord } from './cache-document.js';
import { writeLayoutArtifact } from './cache-layout.js';
import { cacheSpecName, type CacheSpec } from './cache-spec.js';
import type { ProgressSink } from './progress.js';
import type { CacheStepResult } from './types.js';

/**
 * exportedStages: mode=max is every stage of the build; mode=min is the stages whose layers make
 * the image (the target and the stages it is built FROM), as BuildKit's min exports the result's
 * layers only. A stage read through COPY --from is then rebuilt on another machine.
 */
function exportedStages(plan: Plan, mode: CacheSpec['mode']): PlannedStage[] {
  if (mode === 'max') return plan.stages;
  const byIndex = new Map(plan.stages.map((s) => [s.index, s]));
  const out: PlannedStage[] = [];
  for (let s = byIndex.get(plan.target); s; s = s.base.kind === 'stage' ? byIndex.get(s.base.stage) : undefined) out.push(s);
  return out.reverse();
}

/** cacheDocument gathers the local cache records of the plan's exported steps and the layers they name. */
export function cacheDocument(store: Store, plan: Plan, mode: CacheSpec['mode']): { doc: CacheDocument; layers: Descriptor[] } {
  const records: ExportedRecord[] = [];
  const layers = new Map<string, Descriptor>();
  for (const stage of exportedStages(plan, mode)) {
    for (const step of stage.steps) {
      if (step.op.kind === 'from') continue;
      const rec = store.getCacheRecord<unknown, CacheStepResult>(step.key);
      if (!rec?.result?.layer) continue;
      records.push({ key: rec.key, inputs: rec.inputs, result: rec.result, ...(rec.stage !== undefined ? { stage: rec.stage } : {}), ...(rec.step !== undefined ? { step: rec.step } : {}) });
      const l = rec.result.layer;
      layers.set(l.digest, { mediaType: l.mediaType, digest: l.digest, size: l.size });
    }
  }
  return { doc: { v: 1, records }, layers: [...layers.values()] };
}

/**
 * exportCaches writes the build's cache records (config) and their layer blobs (layers) as one
 * artifact to every `--cache-to`: a registry reference (pushArtifact: blobs the registry has are
 * not uploaded again) or a local OCI layout directory.
 */
export async function exportCaches(store: Store, plan: Plan, specs: CacheSpec[], opts: { registries: () => Promise<Registries>; onEvent?: ProgressSink }): Promise<void> {
  const emit = opts.onEvent ?? (() => undefined);
  for (const [i, spec] of specs.entries()) {
    const step = `cache-export/${i}`;
    const name = `[internal] exporting cache to ${cacheSpecName(spec)}`;
    const t0 = Date.now();
    emit({ type: 'step', status: 'started', time: t0, step, name });
    try {
      const { doc, layers } = cacheDocument(store, plan, spec.mode);
      const config = Buffer.from(JSON.stringify(doc));
      if (spec.type === 'registry') {
        const { pushArtifact } = await import('../registry/artifact.js');
        const pushed = await pushArtifact(store, parseReference(spec.ref), { configMediaType: CACHE_CONFIG_MEDIA_TYPE, config, layers }, { registries: await opts.registries() });
        emit({ type: 'step', status: 'log', time: Date.now(), step, name, text: `${doc.records.length} records, ${layers.length} layers, manifest ${pushed.digest}` });
      } else {
        const digest = await writeLayoutArtifact(store, spec.dir, CACHE_CONFIG_MEDIA_TYPE, config, layers);
        emit({ type: 'step', status: 'log', time: Date.now(), step, name, text: `${doc.records.length} records, ${layers.length} layers, manifest ${digest}` });
      }
      emit({ type: 'step', status: 'done', time: Date.now(), step, name, durationMs: Date.now() - t0 });
    } catch (err) {
      emit({ type: 'step', status: 'error', time: Date.now(), step, name, durationMs: Date.now() - t0, error: (err as Error).message });
      throw err;
    }
  }
}
