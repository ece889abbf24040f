import type { RunMount } from '../dockerfile/ir.js';
import { contextSourceSums, type ContextSources } from './sources.js';

/**
 * contextMountSums gives the content checksum of each `RUN --mount=type=bind` source read from the
 * build context (no `from`), keyed `mount:context:<source>`: as in BuildKit, what a bind mount shows
 * is part of the step's key, while a cache mount's contents never are.
 */
export async function contextMountSums(ctx: ContextSources, mounts: readonly RunMount[]): Promise<Record<string, string>> {
  const sources = mounts.flatMap((m) => (m.type === 'bind' && m.from === undefined ? [m.source ?? '.'] : []));
  if (sources.length === 0) return {};
  const { sums } = await contextSourceSums(ctx, sources);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sums)) out[`mount:context:${k}`] = v;
  return out;
}

/**
 * expandMounts expands build arguments and ENV in the words of each `--mount` (id, target, source,
 * from, env), as BuildKit's Dockerfile frontend does (`--mount=type=cache,id=$CACHE_ID`).
 */
export function expandMounts(mounts: readonly RunMount[], x: (w: string) => string): RunMount[] {
  const opt = (w: string | undefined): string | undefined => (w === undefined ? undefined : x(w));
  return mounts.map((m) => {
    const out: Record<string, unknown> = { ...m };
    for (const k of ['id', 'target', 'source', 'from', 'env'] as const) {
      if (k in m) {
        const v = opt((m as Partial<Record<typeof k, string>>)[k]);
        if (v !== undefined) out[k] = v;
      }
    }
    return out as unknown as RunMount;
  });
}
