import type { ChecksumCache } from '../context/checksum-cache.js';
import { originOf, tagPlan } from '../plan/explain-miss.js';
import { planBuild } from '../plan/planner.js';
import type { Plan } from '../plan/types.js';
import type { Store } from '../store/store.js';
import type { BuildRequest } from './build.js';
import { buildPlatform, openBuildContext, planRequest } from './plan-request.js';
import { storeResolver } from './base-resolver.js';
import { storeChecksumCache } from './checksum-store.js';
import type { CacheStepResult } from './types.js';
import { storeMissExplainer } from './insight.js';

/** DryRunRequest is `strata plan`: the build flags that decide the plan, nothing that runs. */
export type DryRunRequest = Pick<
  BuildRequest,
  'store' | 'context' | 'dockerfile' | 'stdin' | 'cwd' | 'buildArgs' | 'target' | 'platform' | 'noCache' | 'noCacheFilter'
>;

/** PredictedStep is one step of a dry run: its key and whether the build would reuse it. */
export interface PredictedStep {
  id: string;
  name: string;
  stage: string;
  key: string;
  /** base: a FROM; cached: a record with its layer exists, or an earlier step of the same key builds it; build: the step would run. */
  status: 'base' | 'cached' | 'build';
  reason?: string;
}

/** DryRun is a resolved plan with a prediction for every step. */
export interface DryRun {
  plan: Plan;
  file: string;
  steps: PredictedStep[];
  counts: { steps: number; cached: number; build: number };
}

/**
 * readOnlyChecksums reads the store's checksum cache and never writes it: a dry run leaves the
 * store exactly as it was (files it had to hash are hashed again by the real build).
 */
function readOnlyChecksums(store: Store): ChecksumCache {
  const c = storeChecksumCache(store);
  return { lookup: (items) => c.lookup(items), lookupTree: (abs, fp) => c.lookupTree?.(abs, fp), record: () => undefined, flush: () => undefined };
}

/**
 * dryRun resolves the whole plan as `build` would (same planner, same keys) and predicts each
 * step: keys are computed from inputs only (the parent's key, not its output), so every key is
 * known in advance and a step hits exactly when a record with a present layer exists for it,
 * as the executor's lookup decides. Nothing runs; no layer, record or checksum is written.
 */
export async function dryRun(req: DryRunRequest): Promise<DryRun> {
  const host = buildPlatform(req.platform);
  const ctx = await openBuildContext(req);
  try {
    const plan = await planBuild(planRequest(req, ctx, host, storeResolver(req.store), readOnlyChecksums(req.store)));
    tagPlan(plan, originOf(ctx.root, ctx.dockerfileName));
    const explainer = storeMissExplainer(req.store, plan, 'future');
    const steps: PredictedStep[] = [];
    // keys an earlier step of this plan would build: a later step of the same key takes its result (see executeStages)
    const builtBy = new Map<string, string>();
    for (const stage of plan.stages) {
      for (const step of stage.steps) {
        const base = { id: step.id, name: step.name, stage: stage.name, key: step.key };
        if (step.op.kind === 'from') {
          steps.push({ ...base, status: 'base' });
          continue;
        }
        if (!step.noCache) {
          const rec = req.store.getCacheRecord<unknown, CacheStepResult>(step.key);
          if (rec?.result?.layer && (await req.store.hasBlob(rec.result.layer.digest))) {
            steps.push({ ...base, status: 'cached' });
            continue;
          }
        }
        const twin = builtBy.get(step.key);
        if (twin !== undefined) {
          steps.push({ ...base, status: 'cached', reason: `the same step as ${twin}, built once` });
          continue;
        }
        builtBy.set(step.key, step.name);
        steps.push({ ...base, status: 'build', reason: explainer.explain(step) });
      }
    }
    const cached = steps.filter((s) => s.status === 'cached').length;
    const toBuild = steps.filter((s) => s.status === 'build').length;
    return { plan, file: ctx.dockerfileName, steps, counts: { steps: steps.length, cached, build: toBuild } };
  } finally {
    await ctx.close();
  }
}
