import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import type { IgnoreMatcher } from '../context/ignore.js';
import type { WrittenLayer } from '../image/write-layer.js';
import type { Plan, PlannedStage, PlannedStep, StepOp } from '../plan/types.js';
import type { Store } from '../store/store.js';
import { StrataError } from '../util/errors.js';
import { imageChain } from './base-resolver.js';
import { locate } from './errors.js';
import { dirView, emptyView, type FsView } from './fs-view.js';
import type { CompactIndex } from './layer-index-view.js';
import type { ProgressSink } from './progress.js';
import { StageFs } from './stage-fs.js';
import type { CacheStepResult, ChainLayer, RunHandler, StepResult } from './types.js';

/**
 * stepCode loads what builds a layer (copy planning, tar writers, gzip) on the first step that runs:
 * a fully cached build never compiles it.
 */
const stepCode = {
  layers: () => import('../image/write-layer.js'),
  copy: () => import('./copy-step.js'),
  workdir: () => import('./workdir-step.js'),
};

/** stagesRead lists the stages a step reads besides its own (COPY --from, RUN --mount from=). */
function stagesRead(op: StepOp): number[] {
  if (op.kind === 'copy') return op.from.kind === 'stage' ? [op.from.stage] : [];
  if (op.kind === 'run') return Object.values(op.mountFrom).flatMap((f) => (f.kind === 'stage' ? [f.stage] : []));
  return [];
}

/** ExecuteRequest runs a plan against a store. */
export interface ExecuteRequest {
  store: Store;
  plan: Plan;
  /** the Dockerfile's text and display name, for located errors. */
  source: string;
  file: string;
  contextRoot: string | undefined;
  ignore: IgnoreMatcher;
  onEvent?: ProgressSink;
  runHandler?: RunHandler;
  /**
   * sourceRootfs gives a readable view of a layer chain (COPY --from); from src/snapshot. `opaque`
   * (per layer, bottom first, when known) lets it read the layers in place instead of mounting them.
   */
  sourceRootfs?: (chain: ChainLayer[], opaque?: string[][]) => Promise<{ view: FsView; release: () => Promise<void> }>;
  /** captureLayer unpacks a new layer into a snapshot while it is stored (when a later RUN needs it). */
  captureLayer?: (parent: ChainLayer[], tar: Readable) => Promise<{ finished: Promise<void>; commit: (diffID: string) => Promise<void>; abort: () => Promise<void> }>;
  /** explainMiss names why a step missed (issue 7 plugs its record diffing in here). */
  explainMiss?: (step: PlannedStep) => string | undefined;
  signal?: AbortSignal;
  buildId?: string;
  /** cacheFallback is asked when the local store has no record for a step (--cache-from). */
  cacheFallback?: (step: PlannedStep) => Promise<CacheStepResult | undefined>;
}

/** StageOutcome is a finished stage: its layers and when each of its new layers was made. */
export interface StageOutcome {
  fs: StageFs;
  /** created maps a history index of the stage to the time its layer was made. */
  created: Map<number, string>;
}

/**
 * executeStages runs every stage of the plan, each as soon as the stages it reads are done (so
 * independent stages run in parallel), step by step: a step whose key has a cache record reuses
 * its layer; any other runs and records its result. It returns the outcome of every stage, and
 * the step results in plan order; on failure it throws a located StepError after every started
 * stage has settled.
 */
export async function executeStages(req: ExecuteRequest): Promise<{ outcomes: Map<number, StageOutcome>; steps: StepResult[] }> {
  const { store, plan } = req;
  const emit: ProgressSink = req.onEvent ?? (() => undefined);
  const results = new Map<string, StepResult>();
  const outcomes = new Map<number, Promise<StageOutcome>>();
  const now = (): number => Math.floor(Date.now() / 1000);
  // cache hits are marked used in one transaction once the stages have settled
  const touched: string[] = [];
  // Steps being built, by cache key. Two stages that begin alike (FROM node, WORKDIR /app, COPY
  // package.json, RUN npm ci) make the same steps with the same keys: the second waits for the
  // first's result and takes it as a hit, as BuildKit's solver merges identical vertices, instead of
  // doing the same work twice at the same time.
  const building = new Map<string, Promise<CacheStepResult>>();

  // A stage starts once its base is there; a step that reads another stage (COPY --from, RUN --mount
  // from=) waits for that stage alone, as BuildKit's solver does: w3's final stage copies from one
  // builder stage while the other is still running.
  const runStage = async (stage: PlannedStage): Promise<StageOutcome> => {
    let fs: StageFs;
    let created = new Map<number, string>();
    if (stage.base.kind === 'stage') {
      const b = await outcomes.get(stage.base.stage)!;
      fs = b.fs.fork();
      created = new Map(b.created);
    } else if (stage.base.kind === 'image') fs = new StageFs(store, await imageChain(store, stage.base.image.id));
    else fs = new StageFs(store);

    for (const step of stage.steps) {
      // before the step starts (and outside its try: a stage that failed is reported once, by its own step)
      for (const d of stagesRead(step.op)) await outcomes.get(d);
      if (req.signal?.aborted) throw new StrataError('BUILD_CANCELED', 'build canceled');
      const t0 = Date.now();
      if (step.op.kind === 'from') {
        emit({ type: 'step', status: 'started', time: t0, step: step.id, name: step.name });
        emit({ type: 'step', status: 'done', time: Date.now(), step: step.id, name: step.name, key: step.key, durationMs: Date.now() - t0 });
        results.set(step.id, { id: step.id, name: step.name, stage: stage.name, key: step.key, status: 'base', durationMs: Date.now() - t0, startedAt: t0 });
        continue;
      }
      let hit = step.noCache ? undefined : ((await lookup(store, step)) ?? (await req.cacheFallback?.(step)));
      // (no await between this check and the registration below: a step is built once per key)
      const twin = hit ? undefined : building.get(step.key);
      if (twin) hit = await twin.catch(() => undefined); // its failure fails the build; this stage then runs its own
      const lookupMs = Date.now() - t0;
      if (hit) {
        fs.push({ descriptor: hit.layer, diffID: hit.diffID, uncompressedSize: hit.uncompressedSize }, hit.index as CompactIndex | undefined);
        created.set(step.historyIndex, hit.created);
        touched.push(step.key);
        emit({ type: 'step', status: 'cached', time: Date.now(), step: step.id, name: step.name, key: step.key });
        results.set(step.id, {
          id: step.id,
          name: step.name,
          stage: stage.name,
          key: step.key,
          status: 'cached',
          durationMs: Date.now() - t0,
          startedAt: t0,
          parts: { cacheLookup: lookupMs },
          layer: { digest: hit.layer.digest, diffID: hit.diffID, size: hit.layer.size },
        });
        continue;
      }
      const reason = step.noCache ? (step.noCacheFlag ?? '--no-cache') : (req.explainMiss?.(step) ?? 'no cache record');
      emit({ type: 'step', status: 'started', time: t0, step: step.id, name: step.name });
      let built!: { resolve: (r: CacheStepResult) => void; reject: (e: unknown) => void };
      const pending = new Promise<CacheStepResult>((resolve, reject) => (built = { resolve, reject }));
      pending.catch(() => undefined); // a twin that awaits it handles the failure; none may
      if (!building.has(step.key)) building.set(step.key, pending);
      try {
        const made = await runStep(req, step, fs, outcomes, now());
        const tRan = Date.now();
        const laterRun = step.op.kind !== 'run' && stage.steps.slice(step.position + 1).some((s) => s.op.kind === 'run');
        let layer;
        try {
          layer = laterRun && req.captureLayer ? await writeCaptured(req, fs.chain, made.tar) : await (await stepCode.layers()).writeLayer(store, made.tar);
        } catch (err) {
          await made.cleanup().catch(() => undefined);
          throw err;
        }
        await made.cleanup(layer.diffID);
        const compact = made.compact();
        const when = new Date(plan.epoch !== undefined ? plan.epoch * 1000 : Date.now()).toISOString();
        const result: CacheStepResult = { layer: layer.descriptor, diffID: layer.diffID, uncompressedSize: layer.uncompressedSize, created: when, ...(compact ? { index: compact } : {}) };
        store.putCacheRecord({ key: step.key, inputs: step.record, result, stage: stage.name, step: step.text, size: layer.descriptor.size });
        built.resolve(result);
        fs.push({ descriptor: layer.descriptor, diffID: layer.diffID, uncompressedSize: layer.uncompressedSize }, compact);
        created.set(step.historyIndex, when);
        const durationMs = Date.now() - t0;
        emit({ type: 'step', status: 'done', time: Date.now(), step: step.id, name: step.name, key: step.key, durationMs, reason, layerSize: layer.descriptor.size });
        const parts = { cacheLookup: lookupMs, ...(step.op.kind === 'run' ? { run: tRan - t0 - lookupMs } : {}), compression: Date.now() - tRan };
        results.set(step.id, {
          id: step.id,
          name: step.name,
          stage: stage.name,
          key: step.key,
          status: 'built',
          reason,
          durationMs,
          startedAt: t0,
          parts,
          layer: { digest: layer.descriptor.digest, diffID: layer.diffID, size: layer.descriptor.size },
        });
      } catch (err) {
        built.reject(err);
        const located = locate(err, req.file, req.source, step.line, step.column, step.text);
        const durationMs = Date.now() - t0;
        emit({ type: 'step', status: 'error', time: Date.now(), step: step.id, name: step.name, durationMs, error: located.message });
        results.set(step.id, { id: step.id, name: step.name, stage: stage.name, key: step.key, status: 'failed', reason, durationMs, startedAt: t0, error: located.message });
        throw located;
      }
    }
    return { fs, created };
  };

  for (const stage of plan.stages) {
    const p = runStage(stage);
    p.catch(() => undefined); // awaited below; keeps an early failure from being "unhandled"
    outcomes.set(stage.index, p);
  }
  const settled = await Promise.allSettled([...outcomes.values()]);
  store.touchCacheRecords(touched);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const steps = plan.stages.flatMap((s) => s.steps.flatMap((st) => (results.has(st.id) ? [results.get(st.id)!] : [])));
  if (failed) throw Object.assign(failed.reason as Error, { steps });
  const done = new Map<number, StageOutcome>();
  for (const [i, p] of outcomes) done.set(i, await p);
  return { outcomes: done, steps };
}

/** writeCaptured stores a layer and, from the same stream, unpacks it into a snapshot. */
async function writeCaptured(req: ExecuteRequest, parent: ChainLayer[], tar: Readable): Promise<WrittenLayer> {
  const { writeLayer } = await stepCode.layers();
  const toStore = new PassThrough();
  const toSnapshot = new PassThrough();
  tar.on('error', (e) => {
    toStore.destroy(e);
    toSnapshot.destroy(e);
  });
  tar.pipe(toStore);
  tar.pipe(toSnapshot);
  const cap = await req.captureLayer!(parent, toSnapshot);
  // once unpacked, keep draining: an unpacker that stops at the end-of-archive blocks must not
  // hold back the copy going to the store
  cap.finished.then(
    () => toSnapshot.resume(),
    (e: unknown) => toStore.destroy(e instanceof Error ? e : new Error(String(e))),
  );
  try {
    const layer = await writeLayer(req.store, toStore);
    await cap.finished;
    await cap.commit(layer.diffID);
    return layer;
  } catch (err) {
    toSnapshot.destroy();
    await cap.abort();
    throw err;
  }
}

async function lookup(store: Store, step: PlannedStep): Promise<CacheStepResult | undefined> {
  const rec = store.getCacheRecord<unknown, CacheStepResult>(step.key);
  if (!rec?.result?.layer) return undefined;
  // A record whose blob was collected is a miss, not an error.
  if (!(await store.hasBlob(rec.result.layer.digest))) return undefined;
  return rec.result;
}

interface Made {
  tar: Readable;
  /** compact returns the layer's compact index; for a diff it is complete only once the tar was read. */
  compact: () => CompactIndex | undefined;
  /** cleanup runs after the layer is stored (with its diffID) or after a failure (without). */
  cleanup: (diffID?: string) => Promise<void>;
}

async function runStep(
  req: ExecuteRequest,
  step: PlannedStep,
  fs: StageFs,
  outcomes: Map<number, Promise<StageOutcome>>,
  now: number,
): Promise<Made> {
  const op = step.op;
  const epoch = req.plan.epoch;
  switch (op.kind) {
    case 'workdir': {
      const { runWorkdir } = await stepCode.workdir();
      const r = await runWorkdir(op.path, op.user, await fs.view(), epoch !== undefined ? Math.min(now, epoch) : now);
      return { tar: r.tar, compact: () => r.compact, cleanup: async () => undefined };
    }
    case 'copy': {
      let source: FsView = req.contextRoot ? dirView(req.contextRoot) : emptyView;
      let ignore = req.ignore;
      let release = async (): Promise<void> => undefined;
      if (op.from.kind !== 'context') {
        if (!req.sourceRootfs) {
          throw new StrataError('COPY_FROM_UNSUPPORTED', 'COPY --from needs a snapshotter to read the source filesystem, and none is available');
        }
        let chain: ChainLayer[];
        let opaque: string[][] | undefined;
        if (op.from.kind === 'stage') {
          const sourceFs = (await outcomes.get(op.from.stage)!).fs;
          chain = sourceFs.chain;
          opaque = sourceFs.opaqueDirs();
        } else chain = await imageChain(req.store, op.from.image.id);
        const v = await req.sourceRootfs(chain, opaque);
        source = v.view;
        release = v.release;
        ignore = { hasExceptions: false, patterns: [], ignores: () => false };
      }
      try {
        const { runCopy } = await stepCode.copy();
        const r = await runCopy(op, { source, ignore, parent: () => fs.view(), now, ...(epoch !== undefined ? { epoch } : {}), tmpDir: tmpdir() });
        return { tar: r.tar, compact: () => r.compact, cleanup: async () => (await r.cleanup(), await release()) };
      } catch (err) {
        await release();
        throw err;
      }
    }
    case 'run': {
      if (!req.runHandler) throw new StrataError('RUN_UNSUPPORTED', 'RUN steps need a runner, and none is available in this build');
      const made = await req.runHandler.run({
        step,
        parent: fs.chain,
        parentView: () => fs.view(),
        log: (line) => req.onEvent?.({ type: 'step', status: 'log', time: Date.now(), step: step.id, name: step.name, text: line }),
        ...(req.signal ? { signal: req.signal } : {}),
        ...(epoch !== undefined ? { epoch } : {}),
        mountSources: {
          contextRoot: req.contextRoot,
          ignore: req.ignore,
          chainOf: async (f) => (f.kind === 'stage' ? (await outcomes.get(f.stage)!).fs.chain : f.kind === 'image' ? imageChain(req.store, f.image.id) : []),
        },
      });
      return { tar: made.tar, compact: () => made.index?.(), cleanup: async (diffID) => made.finish(diffID) };
    }
    case 'from':
      throw new Error('internal: FROM is not run as a step');
  }
}

/** newBuildId is a random 20-hex-digit build id. */
export function newBuildId(): string {
  return randomBytes(10).toString('hex');
}
