import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { resolveInRoot as resolveInRootfs } from '../../runners/common/in-root.js';
import type { Mount as RunnerMount } from '../../runners/types.js';
import type { IgnoreMatcher } from '../context/ignore.js';
import { resolveInRoot as resolveInContext } from '../context/scoped-path.js';
import { walk } from '../context/walk.js';
import type { RunMount } from '../dockerfile/ir.js';
import { withMounted } from '../snapshot/mount.js';
import type { CopyFrom, StepOp } from '../plan/types.js';
import { StrataError } from '../util/errors.js';
import type { CacheMounts } from './cache-mounts.js';
import { MissingSecretError, readSecret, type SecretSource } from './secrets.js';
import type { SnapshotChains } from './snapshots.js';
import { forwardAgent, MissingSshError } from './ssh-forward.js';
import type { ChainLayer } from './types.js';

/** RunMountSources is what a RUN step's mounts read: the context, and other stages' or images' layers. */
export interface RunMountSources {
  contextRoot: string | undefined;
  ignore: IgnoreMatcher;
  chainOf: (from: CopyFrom) => Promise<ChainLayer[]>;
}

/** RunMountDeps are the build-wide things mounts come from (the CLI's --secret and --ssh, the store's caches). */
export interface RunMountDeps {
  secrets: ReadonlyMap<string, SecretSource>;
  ssh: ReadonlyMap<string, string>;
  caches: CacheMounts;
  chains: SnapshotChains;
}

/** PreparedMounts: the runner mounts, extra environment ("K=V") for this run only, and their cleanup. */
export interface PreparedMounts {
  mounts: RunnerMount[];
  env: string[];
  release: () => Promise<void>;
}

/** MountSourceError: a bind or cache source is missing or leaves its root. */
export class MountSourceError extends StrataError {
  constructor(message: string) {
    super('MOUNT_SOURCE', message);
  }
}

type RunOp = Extract<StepOp, { kind: 'run' }>;

/**
 * prepareRunMounts turns a RUN step's `--mount`s into runner mounts the way BuildKit does: cache
 * directories from the store, bind sources from the context (with .dockerignore applied) or a
 * stage's/image's root filesystem, tmpfs, secret files (or variables) and a forwarded ssh agent.
 * Nothing here is written into the step's snapshot: the runner removes the mountpoints it made.
 */
export async function prepareRunMounts(op: RunOp, sources: RunMountSources | undefined, deps: RunMountDeps, user: { uid: number; gid: number }): Promise<PreparedMounts> {
  const mounts: RunnerMount[] = [];
  const env: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const release = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  const target = (t: string): string => posix.resolve(op.workdir || '/', t);
  let sshIndex = 0;
  try {
    for (const m of op.mounts) {
      switch (m.type) {
        case 'tmpfs':
          mounts.push({ type: 'tmpfs', target: target(m.target), ...(m.size !== undefined ? { sizeBytes: m.size } : {}) });
          break;
        case 'cache': {
          const id = m.id ?? target(m.target);
          const seed = m.from !== undefined ? (dir: string) => seedFrom(m, op, sources, deps, dir) : undefined;
          const c = await deps.caches.acquire(id, m.sharing, { uid: m.uid ?? 0, gid: m.gid ?? 0, mode: m.mode ?? 0o755 }, seed);
          cleanups.push(c.release);
          mounts.push({ type: 'bind', source: c.dir, target: target(m.target), readonly: m.readOnly });
          break;
        }
        case 'bind': {
          const b = await bindSource(m.source ?? '.', m.from, m.readOnly, op, sources, deps);
          cleanups.push(b.release);
          mounts.push({ type: 'bind', source: b.path, target: target(m.target), readonly: m.readOnly });
          break;
        }
        case 'secret': {
          const id = m.id ?? (m.target !== undefined ? posix.basename(m.target) : '');
          const src = deps.secrets.get(id);
          const value = src ? await readSecret(src) : undefined;
          if (value === undefined) {
            if (m.required) throw new MissingSecretError(id);
            break;
          }
          if (m.env !== undefined) env.push(`${m.env}=${value.toString('utf8')}`);
          // with env= and no target, BuildKit only sets the variable
          if (m.env !== undefined && m.target === undefined) break;
          // in memory where there is a /dev/shm: a secret never touches the disk, even if strata is killed here
          const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'strata-secret-'));
          cleanups.push(() => rm(dir, { recursive: true, force: true }));
          const file = join(dir, 'secret');
          await writeFile(file, value, { mode: 0o600 });
          // as an ordinary user (rootless runner) the file is ours, which is root inside the step
          if (process.getuid?.() === 0) await chown(file, m.uid ?? 0, m.gid ?? 0);
          await chmod(file, m.mode ?? 0o400);
          mounts.push({ type: 'bind', source: file, target: target(m.target ?? `/run/secrets/${id}`), readonly: true });
          break;
        }
        case 'ssh': {
          const id = m.id ?? 'default';
          const agent = deps.ssh.get(id);
          if (agent === undefined) {
            if (m.required) throw new MissingSshError(id);
            break;
          }
          const fwd = await forwardAgent(agent, { uid: m.uid ?? user.uid, gid: m.gid ?? user.gid, mode: m.mode ?? 0o600 });
          cleanups.push(fwd.close);
          const at = target(m.target ?? `/run/buildkit/ssh_agent.${sshIndex++}`);
          mounts.push({ type: 'bind', source: fwd.path, target: at, readonly: false });
          if (!env.some((e) => e.startsWith('SSH_AUTH_SOCK='))) env.push(`SSH_AUTH_SOCK=${at}`);
          break;
        }
      }
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { mounts, env, release };
}

/** bindSource gives a host path showing `source` of the context, a stage or an image. */
async function bindSource(
  source: string,
  from: string | undefined,
  readOnly: boolean,
  op: RunOp,
  sources: RunMountSources | undefined,
  deps: RunMountDeps,
): Promise<{ path: string; release: () => Promise<void> }> {
  const f = from === undefined ? ({ kind: 'context' } as CopyFrom) : op.mountFrom[from];
  if (f === undefined) throw new MountSourceError(`--mount from=${from}: no such stage or image`);
  if (f.kind === 'context') {
    const root = sources?.contextRoot;
    if (root === undefined) throw new MountSourceError('RUN --mount=type=bind needs a build context, and this build has none');
    const rel = await resolveInContext(root, source);
    if (!(await lstat(join(root, rel)).catch(() => undefined))) throw new MountSourceError(`--mount source ${source}: not found in the build context`);
    // writes to a rw bind are discarded, and ignored files must not show: both read a private copy
    if (readOnly && sources!.ignore.patterns.length === 0) return { path: join(root, rel), release: async () => undefined };
    const dir = await mkdtemp(join(tmpdir(), 'strata-bind-'));
    try {
      await copyFiltered(root, rel, sources!.ignore, join(dir, 'src'));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return { path: join(dir, 'src'), release: () => rm(dir, { recursive: true, force: true }) };
  }
  if (!sources) throw new MountSourceError(`--mount from=${from}: the build gives no stage filesystems to this step`);
  const held = await mountChain(deps.chains, await sources.chainOf(f), !readOnly);
  try {
    const { parts, existing } = await resolveInRootfs(held.dir, source);
    if (existing < parts.length) throw new MountSourceError(`--mount from=${from},source=${source}: not found`);
    return { path: join(held.dir, ...parts), release: held.release };
  } catch (err) {
    await held.release();
    throw err;
  }
}

/** seedFrom fills a new cache directory from `from=`/`source=` of a cache mount. */
async function seedFrom(m: Extract<RunMount, { type: 'cache' }>, op: RunOp, sources: RunMountSources | undefined, deps: RunMountDeps, dir: string): Promise<void> {
  const b = await bindSource(m.source ?? '.', m.from, true, op, sources, deps);
  try {
    await copyFiltered(b.path, '', { hasExceptions: false, patterns: [], ignores: () => false }, join(dir, '.seed'));
    for (const n of await readdir(join(dir, '.seed'))) await rename(join(dir, '.seed', n), join(dir, n));
    await rm(join(dir, '.seed'), { recursive: true, force: true });
  } finally {
    await b.release();
  }
}

/**
 * mountChain mounts a layer chain on a host directory until `release`: read-only, or writable on a
 * throwaway snapshot (writes discarded, as BuildKit's rw bind from a stage).
 */
async function mountChain(chains: SnapshotChains, chain: ChainLayer[], writable: boolean): Promise<{ dir: string; release: () => Promise<void> }> {
  const sn = chains.snapshotter;
  const top = await chains.ensure(chain);
  // 'view-' so a killed build's leftover is swept (sweep-snapshots.ts)
  const key = `view-mount-${randomBytes(8).toString('hex')}`;
  const rootfsMounts = writable ? await sn.prepare(key, top) : await sn.view(key, top);
  let done!: () => void;
  const released = new Promise<void>((r) => (done = r));
  let ready!: (dir: string) => void;
  const dirReady = new Promise<string>((r) => (ready = r));
  const held = withMounted(rootfsMounts, async (dir) => {
    ready(dir);
    await released;
  });
  const dir = await Promise.race([dirReady, held.then(() => undefined, () => undefined)]);
  if (dir === undefined) {
    await sn.remove(key).catch(() => undefined);
    throw new MountSourceError('could not mount the --mount from= filesystem');
  }
  return {
    dir,
    release: async () => {
      done();
      await held.catch(() => undefined);
      await sn.remove(key).catch(() => undefined);
    },
  };
}

/** copyFiltered copies `rel` of `root` (what `ignore` keeps) to `dest`, keeping modes, owners and links. */
async function copyFiltered(root: string, rel: string, ignore: IgnoreMatcher, dest: string): Promise<void> {
  for await (const e of walk(root, rel, ignore)) {
    const sub = rel === '' ? e.rel : e.rel.slice(rel.length).replace(/^\//, '');
    const to = sub === '' ? dest : join(dest, sub);
    const st = e.stat;
    if (st.isDirectory()) await mkdir(to, { recursive: true });
    else if (st.isSymbolicLink()) await symlink(await readlink(e.abs), to);
    else if (st.isFile()) await copyFile(e.abs, to);
    else continue; // sockets, fifos and devices are not sent in a build context
    if (!st.isSymbolicLink()) {
      await chmod(to, st.mode & 0o7777);
      await chown(to, st.uid, st.gid).catch(() => undefined);
    }
  }
}
