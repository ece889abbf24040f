import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { ChecksumCache } from '../context/checksum-cache.js';
import { parseReference } from '../image/reference.js';
import { PlanError, sourceFrame } from '../plan/errors.js';
import { formatPlatform } from '../plan/platform.js';
import { planBuild } from '../plan/planner.js';
import type { Plan, PlannedStep } from '../plan/types.js';
import { putImage } from '../store/put-image.js';
import { loadImage } from '../store/resolve-image.js';
import type { Store } from '../store/store.js';
import { StrataError } from '../util/errors.js';
import { assembleConfig } from './assemble-image.js';
import { pullingResolver } from './base-resolver.js';
import { buildPlatform, openBuildContext, planRequest, type PlanFlags } from './plan-request.js';

export { parseTrigger } from './plan-request.js';
import type { CacheSpec } from './cache-spec.js';
import type { PullPolicy, Registries } from '../registry/index.js';
import { cacheMountsDir } from './cache-mounts.js';
import type { SecretSource } from './secrets.js';
import { storeChecksumCache } from './checksum-store.js';
import { storeMissExplainer } from './insight.js';
import { originOf, tagPlan } from '../plan/explain-miss.js';
import { executeStages, newBuildId, type ExecuteRequest } from './executor.js';
import type { FsView } from './fs-view.js';
import type { ProgressSink } from './progress.js';
import type { BuildResult, ChainLayer, OutputSpec, RunHandler, StepResult } from './types.js';
import type { RunnerChoice } from '../../runners/types.js';
import type { SnapshotterChoice } from '../snapshot/select.js';
import type { SnapshotChains } from './snapshots.js';

/** BuildRequest is one `strata build`, as the CLI (or a test) asks for it. */
export interface BuildRequest extends PlanFlags {
  store: Store;
  tags?: string[];
  labels?: Record<string, string>;
  outputs?: OutputSpec[];
  iidfile?: string;
  onEvent?: ProgressSink;
  runHandler?: RunHandler;
  sourceRootfs?: (chain: ChainLayer[], opaque?: string[][]) => Promise<{ view: FsView; release: () => Promise<void> }>;
  explainMiss?: (step: PlannedStep) => string | undefined;
  signal?: AbortSignal;
  /** checksumCache overrides the store-backed one (tests). */
  checksumCache?: ChecksumCache;
  /** snapshotter: where COPY --from sources and RUN steps get their filesystems (default auto). */
  snapshotter?: SnapshotterChoice;
  /** runner: how RUN steps run (default auto: chroot as root, rootless otherwise). */
  runner?: RunnerChoice;
  /** network: RUN steps' network unless RUN --network says otherwise ('default' is host here). */
  network?: 'default' | 'host' | 'none';
  /** pull: FROM images the store lacks are pulled ('missing', the default), all re-resolved ('always', --pull), or never. */
  pull?: PullPolicy;
  /** registries: the clients for FROM pulls and registry caches (default: docker config credentials). */
  registries?: Registries;
  cacheFrom?: CacheSpec[];
  cacheTo?: CacheSpec[];
  /** secrets: `--secret id=X,src=FILE|env=VAR`, by id (read only when a step mounts them). */
  secrets?: ReadonlyMap<string, SecretSource>;
  /** ssh: `--ssh ID=SOCKET`: agent sockets RUN --mount=type=ssh forwards, by id. */
  ssh?: ReadonlyMap<string, string>;
}

/**
 * defaultFilesystems wires the snapshotter (created on first use, so builds without RUN or
 * COPY --from never touch it) and the runner chosen by --runner (runners/select.ts).
 */
function defaultFilesystems(req: BuildRequest): {
  sourceRootfs: NonNullable<BuildRequest['sourceRootfs']>;
  runHandler: RunHandler;
  captureLayer: NonNullable<ExecuteRequest['captureLayer']>;
} {
  // Loaded on first use: a build without RUN or COPY --from never loads snapshotters or runners.
  let chains: Promise<SnapshotChains> | undefined;
  const get = (): Promise<SnapshotChains> =>
    (chains ??= (async () => {
      const [{ SnapshotChains }, { createSnapshotter }] = await Promise.all([import('./snapshots.js'), import('../snapshot/select.js')]);
      return new SnapshotChains(createSnapshotter(req.snapshotter ?? 'auto', req.store.snapshotsDir), req.store);
    })());
  let handler: Promise<RunHandler> | undefined;
  return {
    sourceRootfs: async (chain, opaque) => (await get()).view(chain, opaque),
    captureLayer: async (parent, tar) => (await get()).capture(parent, tar),
    runHandler: {
      run: async (ctx) => {
        handler ??= (async () => {
          const [{ snapshotRunHandler }, { selectRunner }] = await Promise.all([import('./run-step.js'), import('../../runners/select.js')]);
          return snapshotRunHandler(await get(), selectRunner(req.runner ?? 'auto'), req.network === 'none' ? 'none' : 'host', {
            cacheRoot: cacheMountsDir(req.store.root),
            ...(req.secrets ? { secrets: req.secrets } : {}),
            ...(req.ssh ? { ssh: req.ssh } : {}),
          });
        })();
        return (await handler).run(ctx);
      },
    },
  };
}

/** lazyRegistries makes the registry clients on first use (builds that pull nothing never load them). */
function lazyRegistries(req: BuildRequest): () => Promise<Registries> {
  let r: Promise<Registries> | undefined = req.registries ? Promise.resolve(req.registries) : undefined;
  return () =>
    (r ??= (async () => {
      const { Registries, DockerCredentialStore } = await import('../registry/index.js');
      return new Registries({ credentials: new DockerCredentialStore().source() });
    })());
}

/** BuildRecordBody is what `build_records.record` holds for the report helper. */
export interface BuildRecordBody {
  status: 'done' | 'error';
  file: string;
  target?: string;
  platform: string;
  imageId?: string;
  tags: string[];
  steps: StepResult[];
  error?: string;
  durationMs: number;
}

/**
 * build runs one build end to end: opens the context, parses and plans the Dockerfile, runs the
 * steps (cached ones reused), writes the image and moves its tags only once it is whole, writes
 * the outputs, and records the build in the store's build records (failed builds too).
 */
export async function build(req: BuildRequest): Promise<BuildResult> {
  const started = Date.now();
  const buildId = newBuildId();
  const host = buildPlatform(req.platform);
  const tags = req.tags ?? [];
  for (const t of tags) parseReference(t);
  const ctx = await openBuildContext(req);
  const emit: ProgressSink = req.onEvent ?? (() => undefined);
  let steps: StepResult[] = [];
  let plan: Plan | undefined;
  const cache = req.checksumCache ?? storeChecksumCache(req.store);
  const fsDefaults = defaultFilesystems(req);
  const registries = lazyRegistries(req);
  try {
    try {
      const resolver = pullingResolver(req.store, { pull: req.pull ?? 'missing', registries, onEvent: emit });
      plan = await planBuild(planRequest(req, ctx, host, resolver, cache));
    } finally {
      await cache.flush();
    }
    tagPlan(plan, originOf(ctx.root, ctx.dockerfileName));
    const explainMiss = req.explainMiss ?? storeMissExplainer(req.store, plan).explain;
    const imported = req.cacheFrom?.length ? await (await import('./cache-import.js')).importCaches(req.store, req.cacheFrom, { registries, onEvent: emit }) : undefined;
    const totalSteps = plan.stages.reduce((n, s) => n + s.steps.length, 0);
    emit({ type: 'build', status: 'started', time: Date.now(), buildId, steps: totalSteps });
    const exec = await executeStages({
      store: req.store,
      plan,
      source: ctx.dockerfileText,
      file: ctx.dockerfileName,
      contextRoot: ctx.root,
      ignore: ctx.ignore,
      onEvent: emit,
      buildId,
      runHandler: req.runHandler ?? fsDefaults.runHandler,
      // with a caller's own RUN handler, layers are not captured into strata's snapshots
      ...(req.runHandler ? {} : { captureLayer: fsDefaults.captureLayer }),
      sourceRootfs: req.sourceRootfs ?? fsDefaults.sourceRootfs,
      explainMiss,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(imported ? { cacheFallback: (step: PlannedStep) => imported.lookup(step) } : {}),
    }).catch((err: unknown) => {
      steps = (err as { steps?: StepResult[] }).steps ?? [];
      throw err;
    });
    steps = exec.steps;
    const targetStage = plan.stages.find((s) => s.index === plan!.target)!;
    const outcome = exec.outcomes.get(plan.target)!;
    const config = assembleConfig(plan, targetStage, outcome, req.labels ?? {}, new Date());
    const image = await putImage(req.store, {
      config,
      layers: outcome.fs.chain.map((l) => ({ descriptor: l.descriptor, diffID: l.diffID, ...(l.uncompressedSize !== undefined ? { uncompressedSize: l.uncompressedSize } : {}) })),
      tags,
    });
    await writeOutputs(req.store, image.id, req.outputs ?? [], tags, () => (req.sourceRootfs ?? fsDefaults.sourceRootfs)(outcome.fs.chain));
    if (req.iidfile) await writeFile(req.iidfile, image.id);
    if (req.cacheTo?.length) await (await import('./cache-export.js')).exportCaches(req.store, plan, req.cacheTo, { registries, onEvent: emit });
    const durationMs = Date.now() - started;
    const cached = steps.filter((s) => s.status === 'cached').length;
    emit({ type: 'build', status: 'done', time: Date.now(), buildId, imageId: image.id, steps: steps.length, cached, durationMs });
    recordBuild(req.store, buildId, started, { status: 'done', file: ctx.dockerfileName, ...(req.target ? { target: req.target } : {}), platform: formatPlatform(host), imageId: image.id, tags, steps, durationMs });
    return { buildId, imageId: image.id, manifestDigest: image.manifestDigest, config, steps, tags, durationMs };
  } catch (err) {
    const located = withFrame(err, ctx.dockerfileName, ctx.dockerfileText);
    emit({ type: 'build', status: 'error', time: Date.now(), buildId, error: located instanceof Error ? located.message : String(located) });
    recordBuild(req.store, buildId, started, { status: 'error', file: ctx.dockerfileName, ...(req.target ? { target: req.target } : {}), platform: formatPlatform(host), tags, steps, error: located instanceof Error ? located.message : String(located), durationMs: Date.now() - started });
    throw located;
  } finally {
    await ctx.close();
  }
}

function recordBuild(store: Store, id: string, started: number, body: BuildRecordBody): void {
  try {
    store.putBuildRecord({ id, started, finished: Date.now(), record: body });
  } catch {
    // A build record is a report aid; failing to write one must not fail (or hide) the build.
  }
}

/** withFrame gives planning errors the same `Dockerfile:N` frame step errors carry. */
function withFrame(err: unknown, file: string, text: string): unknown {
  if (err instanceof PlanError && err.range && !err.frame) {
    return new StrataError(err.code, `${file}:${err.range.start.line}: ${err.message}`, { cause: err, frame: sourceFrame(file, text, err.range) });
  }
  return err;
}

async function writeOutputs(
  store: Store,
  imageId: string,
  outputs: OutputSpec[],
  tags: string[],
  rootfs: () => Promise<{ view: FsView; release: () => Promise<void> }>,
): Promise<void> {
  for (const o of outputs) {
    if (o.type === 'docker' || o.type === 'oci') {
      const { writeArchive } = await import('../image/archive-write.js');
      const rec = store.images.getImage(imageId as never)!;
      const image = await loadImage(store, rec);
      const archive = writeArchive([
        { image, rawManifest: await store.readBlob(rec.manifestDigest), rawConfig: await store.readBlob(rec.id), refs: tags.map((t) => parseReference(t)) },
      ]);
      await pipeline(archive, createWriteStream(o.dest));
    } else {
      // local: the image's files in a directory; tar: the same files as one tar (not an image).
      const { view, release } = await rootfs();
      try {
        const c = view.content('');
        if (c.kind !== 'file') throw new StrataError('OUTPUT_UNSUPPORTED', `--output type=${o.type} needs a mounted root filesystem`);
        await exportTree(c.abs, o);
      } finally {
        await release();
      }
    }
  }
}

/** exportTree copies a mounted root filesystem to a directory, or archives it into a tar file. */
async function exportTree(dir: string, o: OutputSpec): Promise<void> {
  const run = (cmd: string, args: string[]): Promise<void> =>
    new Promise((res, rej) => execFile(cmd, args, (err, _o, stderr) => (err ? rej(new StrataError('OUTPUT_FAILED', `--output type=${o.type}: ${String(stderr).trim() || err.message}`)) : res())));
  if (o.type === 'local') {
    await mkdir(o.dest, { recursive: true });
    await run('cp', ['-a', '--', `${dir}/.`, o.dest]);
  } else {
    await run('tar', ['--sort=name', '--numeric-owner', '-C', dir, '-cf', o.dest, '.']);
  }
}
