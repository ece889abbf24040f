import type { Command } from 'commander';
import { noCacheFilterOption } from './no-cache-filter.js';
import { build } from '../build/build.js';
import { sweepWorkingSnapshots } from '../build/sweep-snapshots.js';
import { makeRenderer, type ProgressMode } from '../build/progress-render.js';
import type { OutputSpec } from '../build/types.js';
import { parseCacheSpec } from '../build/cache-spec.js';
import { globalOptions } from './global-options.js';
import { pruneCacheMounts } from '../build/cache-mounts.js';
import { parseSecretFlag } from '../build/secrets.js';
import { parseSshFlag } from '../build/ssh-forward.js';
import { collectGarbage } from '../store/gc.js';
import { pruneUnusedSnapshots } from './snapshot-upkeep.js';
import { pruneBuildCache } from '../store/prune.js';
import { InvalidArgumentError } from '../util/errors.js';
import { parseUntil } from './image-filters.js';
import { cancelOnSignals, exitCodeOf } from './signals.js';
import { collect, out, withStore } from './store-access.js';

interface BuildOptions {
  file?: string;
  tag?: string[];
  buildArg?: string[];
  target?: string;
  iidfile?: string;
  quiet?: boolean;
  label?: string[];
  cache?: boolean;
  noCacheFilter?: string[];
  output?: string[];
  platform?: string;
  progress?: string;
  network?: string;
  runner?: string;
  snapshotter?: string;
  pull?: boolean;
  cacheFrom?: string[];
  cacheTo?: string[];
  insecureRegistry?: string[];
  secret?: string[];
  ssh?: string[];
}

/** register adds `build` and `builder prune`. */
export function register(program: Command): void {
  program
    .command('build')
    .description('build an image from a Dockerfile')
    .argument('<PATH|->', 'build context: a directory, or - for a tar (or a Dockerfile) on stdin')
    .option('-f, --file <PATH>', 'Dockerfile (default PATH/Dockerfile; - for stdin)')
    .option('-t, --tag <NAME:TAG>', 'name and tag the image (repeatable)', collect)
    .option('--build-arg <KEY=VALUE>', 'set a build-time variable (repeatable)', collect)
    .option('--target <STAGE>', 'build this stage')
    .option('--iidfile <FILE>', 'write the image ID to this file')
    .option('-q, --quiet', 'print only the image ID')
    .option('--label <KEY=VALUE>', 'set a label on the image (repeatable)', collect)
    .option('--no-cache', 'do not use the build cache')
    .addOption(noCacheFilterOption('do not use the cache for this stage (repeatable)'))
    .option('-o, --output <SPEC>', 'type=docker|oci|tar,dest=FILE or type=local,dest=DIR (repeatable)', collect)
    .option('--platform <OS/ARCH>', 'target platform (only the host platform is supported)')
    .option('--progress <MODE>', 'auto, tty, plain or rawjson', 'auto')
    .option('--network <MODE>', 'network for RUN steps (default, host, none)')
    .option('--runner <NAME>', 'how RUN steps run: auto, chroot, rootless or oci', 'auto')
    .option('--snapshotter <NAME>', 'how filesystems are kept: auto, overlay or native', 'auto')
    .option('--insecure-registry <HOST>', 'reach this registry over plain HTTP for FROM pulls and caches (repeatable; env STRATA_INSECURE_REGISTRIES)', collect)
    .option('--pull', 'always pull FROM images, even those in the store')
    .option('--cache-from <SPEC>', 'import build cache: type=registry,ref=REF or type=local,src=DIR (repeatable)', collect)
    .option('--cache-to <SPEC>', 'export build cache: type=registry,ref=REF[,mode=min|max] or type=local,dest=DIR[,mode=...] (repeatable)', collect)
    .option('--secret <id=ID,src=FILE|env=VAR>', 'a secret RUN --mount=type=secret can read (repeatable)', collect)
    .option('--ssh <default|ID=SOCKET>', 'an ssh agent socket RUN --mount=type=ssh forwards (repeatable)', collect)
    .action(async (path: string, opts: BuildOptions, cmd: Command) => {
      const mode = progressMode(opts);
      const renderer = makeRenderer(mode, process.stderr);
      const registries = await buildRegistries(cmd, opts.insecureRegistry ?? []);
      // Ctrl-C / SIGTERM abort the build: the running step's process tree is killed, its snapshot removed.
      const cancel = cancelOnSignals();
      try {
        const result = await withStore(cmd, async (store) => {
          await sweepWorkingSnapshots(store);
          return build({
            store,
            context: path,
            ...(opts.file !== undefined ? { dockerfile: opts.file } : {}),
            stdin: process.stdin,
            tags: opts.tag ?? [],
            buildArgs: buildArgs(opts.buildArg ?? []),
            ...(opts.target !== undefined ? { target: opts.target } : {}),
            ...(opts.iidfile !== undefined ? { iidfile: opts.iidfile } : {}),
            labels: keyValues(opts.label ?? [], '--label'),
            noCache: opts.cache === false,
            noCacheFilter: opts.noCacheFilter ?? [],
            outputs: (opts.output ?? []).map(parseOutput),
            ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
            onEvent: renderer.sink,
            ...(opts.network !== undefined ? { network: choice(opts.network, ['default', 'host', 'none'] as const, '--network') } : {}),
            runner: choice(opts.runner ?? 'auto', ['auto', 'chroot', 'rootless', 'oci'] as const, '--runner'),
            snapshotter: choice(opts.snapshotter ?? 'auto', ['auto', 'overlay', 'native'] as const, '--snapshotter'),
            pull: opts.pull ? 'always' : 'missing',
            ...(registries ? { registries } : {}),
            cacheFrom: (opts.cacheFrom ?? []).map((s) => parseCacheSpec(s, '--cache-from')),
            cacheTo: (opts.cacheTo ?? []).map((s) => parseCacheSpec(s, '--cache-to')),
            secrets: new Map((opts.secret ?? []).map(parseSecretFlag)),
            ssh: new Map((opts.ssh ?? []).map(parseSshFlag)),
            signal: cancel.signal,
          });
        });
        if (opts.quiet) out(`${result.imageId}\n`);
      } catch (err) {
        const sig = cancel.received();
        if (sig === undefined) throw err;
        process.stderr.write(`error: build canceled by ${sig}\n`);
        process.exitCode = exitCodeOf(sig);
      } finally {
        cancel.dispose();
        renderer.close();
      }
    });

  const builder = program.command('builder').description('manage the build cache');
  builder
    .command('prune')
    .description('remove build cache records (and the layers only they kept)')
    .option('-a, --all', 'remove all build cache (default: all too; strata keeps no internal-only cache)')
    .option('--filter <until=TIME>', 'only records last used before TIME (repeatable)', collect)
    .option('--keep-storage <SIZE>', 'keep the most recently used records up to this size (e.g. 512MB)')
    .option('-f, --force', 'do not prompt')
    .action(async (opts: { all?: boolean; filter?: string[]; keepStorage?: string }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        let until: number | undefined;
        for (const f of opts.filter ?? []) {
          const [k, v] = f.split('=', 2) as [string, string | undefined];
          if (k !== 'until' || v === undefined) throw new InvalidArgumentError(`invalid filter ${JSON.stringify(f)}: only until=TIME is supported`);
          until = parseUntil(v);
        }
        let removed = { keys: [] as string[], size: 0 };
        if (opts.keepStorage !== undefined) {
          const keep = parseSize(opts.keepStorage);
          const recs = store.listCacheRecords().filter((r) => until === undefined || r.lastUsed < until);
          // newest use first: keep records while the running total fits
          let total = 0;
          const drop: string[] = [];
          for (const r of recs) {
            total += r.size;
            if (total > keep) drop.push(r.key);
          }
          removed.size = recs.filter((r) => drop.includes(r.key)).reduce((n, r) => n + r.size, 0);
          store.deleteCacheRecords(drop);
          removed.keys = drop;
        } else removed = pruneBuildCache(store, until !== undefined ? { until } : {});
        // cache mounts (RUN --mount=type=cache) go too, except when only trimming to --keep-storage
        const mountsRemoved = opts.keepStorage === undefined ? await pruneCacheMounts(store.root, until !== undefined ? { until } : {}) : 0;
        const gc = await collectGarbage(store);
        const snapshots = await pruneUnusedSnapshots(store);
        out(`Deleted build cache objects: ${removed.keys.length + mountsRemoved + snapshots}\nTotal reclaimed space: ${formatBytes(gc.reclaimedBytes)}\n`);
      });
    });
}

/**
 * buildRegistries makes the registry clients only when the build needs options the library's
 * default lacks (--insecure-registry, --debug), so a plain build does not load the registry client.
 */
async function buildRegistries(cmd: Command, insecure: string[]): Promise<import('../registry/index.js').Registries | undefined> {
  const debug = globalOptions(cmd).debug;
  if (insecure.length === 0 && !debug) return undefined;
  const { Registries, DockerCredentialStore } = await import('../registry/index.js');
  return new Registries({
    credentials: new DockerCredentialStore().source(),
    insecureRegistries: insecure,
    ...(debug ? { debug: (line: string) => void process.stderr.write(`DEBUG ${line}\n`) } : {}),
  });
}

function choice<T extends string>(v: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`invalid ${flag} ${JSON.stringify(v)}: want ${allowed.join(', ')}`);
  return v as T;
}

function progressMode(opts: BuildOptions): ProgressMode {
  if (opts.quiet) return 'quiet';
  const m = opts.progress ?? 'auto';
  if (m === 'auto' || m === 'tty' || m === 'plain' || m === 'rawjson') return m;
  throw new InvalidArgumentError(`invalid --progress ${JSON.stringify(m)}: want auto, tty, plain or rawjson`);
}

/** buildArgs reads `--build-arg K=V` (or `K`, taking V from the environment, as docker does). */
export function buildArgs(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of raw) {
    const i = a.indexOf('=');
    if (i < 0) {
      const v = process.env[a];
      if (v !== undefined) out[a] = v;
    } else out[a.slice(0, i)] = a.slice(i + 1);
  }
  if (out.SOURCE_DATE_EPOCH === undefined && process.env.SOURCE_DATE_EPOCH) out.SOURCE_DATE_EPOCH = process.env.SOURCE_DATE_EPOCH;
  return out;
}

function keyValues(raw: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of raw) {
    const i = a.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`invalid ${flag} ${JSON.stringify(a)}: want KEY=VALUE`);
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

/** parseOutput reads `type=docker,dest=out.tar` (or a bare path: a local directory, as docker does). */
export function parseOutput(spec: string): OutputSpec {
  if (!spec.includes('=')) return { type: 'local', dest: spec };
  const kv = new Map<string, string>();
  for (const part of spec.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`invalid --output ${JSON.stringify(spec)}`);
    kv.set(part.slice(0, i), part.slice(i + 1));
  }
  const type = kv.get('type');
  const dest = kv.get('dest');
  if (type !== 'docker' && type !== 'oci' && type !== 'local' && type !== 'tar') {
    throw new InvalidArgumentError(`invalid --output type ${JSON.stringify(type ?? '')}: want docker, oci, local or tar`);
  }
  if (!dest) throw new InvalidArgumentError(`--output type=${type} needs dest=`);
  return { type, dest };
}

function parseSize(s: string): number {
  const m = /^([0-9.]+)\s*([kmgt]?i?b?)?$/i.exec(s.trim());
  if (!m) throw new InvalidArgumentError(`invalid size ${JSON.stringify(s)}`);
  const unit = (m[2] ?? '').toLowerCase().replace(/i?b$/, '');
  const mult = unit === 'k' ? 1e3 : unit === 'm' ? 1e6 : unit === 'g' ? 1e9 : unit === 't' ? 1e12 : 1;
  return Math.floor(Number(m[1]) * mult);
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)}kB`;
  return `${n}B`;
}
