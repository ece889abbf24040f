import type { HistoryEntry, ImageConfig } from '../image/oci.js';
import type { Plan, PlannedStage } from '../plan/types.js';
import type { StageOutcome } from './executor.js';

/**
 * assembleConfig makes the target's image config: the planned config, the layers' diffIDs, the
 * history with times, `--label`s, and `created`. Times follow BuildKit: with SOURCE_DATE_EPOCH
 * every new entry (and the image) is at the epoch; otherwise a layer step's entry is when its
 * layer was made (a cached layer keeps its time, so a fully cached rebuild gives the same image
 * ID) and a metadata entry takes the time of the layer before it (or of the first new layer).
 */
export function assembleConfig(plan: Plan, stage: PlannedStage, outcome: StageOutcome, labels: Record<string, string>, now: Date): ImageConfig {
  const config: ImageConfig = JSON.parse(JSON.stringify(stage.config)) as ImageConfig;
  config.rootfs = { type: 'layers', diff_ids: outcome.fs.chain.map((l) => l.diffID) };
  if (Object.keys(labels).length > 0) config.config = { ...(config.config ?? {}), Labels: { ...(config.config?.Labels ?? {}), ...labels } };
  const history: HistoryEntry[] = stage.history.map((h) => ({ ...h }));
  const epochIso = plan.epoch !== undefined ? new Date(plan.epoch * 1000).toISOString() : undefined;
  const layerTimes = [...outcome.created.entries()].sort((a, b) => a[0] - b[0]);
  const firstNew = layerTimes[0]?.[1];
  let last: string | undefined;
  for (let i = 0; i < history.length; i++) {
    const h = history[i]!;
    if (h.created !== undefined && i < stage.baseHistoryLength) {
      last = h.created;
      continue;
    }
    const own = outcome.created.get(i);
    if (epochIso !== undefined) h.created = epochIso;
    else if (own !== undefined) h.created = own;
    else h.created = last ?? firstNew ?? now.toISOString();
    if (!h.empty_layer || own !== undefined) last = h.created;
  }
  // Keep the history's layer count honest even for bases without history.
  config.history = history;
  const newest = layerTimes.map((t) => t[1]).sort().at(-1);
  config.created = epochIso ?? newest ?? history.at(-1)?.created ?? now.toISOString();
  // Field order as Docker writes it: created, architecture, os, config, rootfs, history.
  const { created, architecture, os, variant, author, config: cc, rootfs } = config;
  return {
    ...(created !== undefined ? { created } : {}),
    ...(author !== undefined ? { author } : {}),
    architecture,
    os,
    ...(variant !== undefined ? { variant } : {}),
    ...(cc !== undefined ? { config: cc } : {}),
    rootfs,
    history,
  };
}
