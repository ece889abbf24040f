import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectRunner } from '../../../runners/select.js';
import type { RunnerChoice, StdinSpec, StdoutSpec } from '../../../runners/types.js';
import { layerDescriptor } from '../../image/layer.js';
import { withMounted } from '../../snapshot/mount.js';
import { createSnapshotter, type SnapshotterChoice } from '../../snapshot/select.js';
import type { Snapshotter } from '../../snapshot/types.js';
import { loadImage, resolveImage } from '../../store/resolve-image.js';
import type { Store } from '../../store/store.js';
import { dirView } from '../fs-view.js';
import { resolveRunUser } from '../run-step.js';
import { SnapshotChains } from '../snapshots.js';
import { ContainerConflictError, NoSuchContainerError } from './errors.js';
import { generateName } from './names.js';
import { homeOf, processSpec, type ProcessOverrides } from './process-spec.js';
import type { ContainerState } from './types.js';

/** CreateOptions are `run`'s flags that make the container (not those that attach to it). */
export interface CreateOptions {
  image: string;
  name?: string;
  overrides: ProcessOverrides;
  network?: 'host' | 'none';
  snapshotter?: SnapshotterChoice;
}

/**
 * createContainer records a container and prepares its writable snapshot on the image's layers
 * (each layer unpacked once and shared with builds, as SnapshotChains does for RUN steps). The record
 * is written first, so a crash in between leaves a container `rm` can clean, never an orphan snapshot.
 */
export async function createContainer(store: Store, o: CreateOptions): Promise<ContainerState> {
  const rec = resolveImage(store, o.image);
  const img = await loadImage(store, rec);
  const spec = processSpec(img.config.config ?? {}, o.overrides);
  const id = randomBytes(32).toString('hex');
  const taken = (n: string): boolean => store.getContainer(n)?.name === n;
  if (o.name !== undefined) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(o.name)) throw new ContainerConflictError(`Invalid container name (${o.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const other = store.getContainer(o.name);
    if (other?.name === o.name) throw new ContainerConflictError(`Conflict. The container name "/${o.name}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`);
  }
  const sn = createSnapshotter(o.snapshotter ?? 'auto', store.snapshotsDir);
  const state: ContainerState = {
    id,
    name: o.name ?? generateName(taken),
    imageId: rec.id,
    imageRef: o.image,
    ...spec,
    network: o.network ?? 'host',
    snapshotter: sn.name,
    snapshotKey: `ctr-${id}`,
    created: Date.now(),
    status: 'created',
  };
  saveContainer(store, state);
  try {
    const top = await new SnapshotChains(sn, store).ensure(img.layers.map((l) => ({ descriptor: layerDescriptor(l), diffID: l.diffID })));
    await sn.prepare(state.snapshotKey, top);
  } catch (err) {
    store.deleteContainer(id);
    throw err;
  }
  return state;
}

/** StartOptions attach a container's process to the caller. */
export interface StartOptions {
  runner?: RunnerChoice;
  stdin?: StdinSpec;
  stdout?: StdoutSpec;
  stderr?: StdoutSpec;
  tty?: boolean;
  /** signal: aborting it kills the container's whole process tree (Ctrl-C, SIGTERM, `rm -f`). */
  signal?: AbortSignal;
}

/**
 * startContainer runs the container's process on its snapshot with the same runners RUN steps use and
 * returns its exit code (128+n for signal n). The record says `running` with this process's pid meanwhile,
 * so `ps` and `rm -f` can find it.
 */
export async function startContainer(store: Store, state: ContainerState, o: StartOptions = {}): Promise<number> {
  const sn = snapshotterOf(store, state);
  const mounts = await sn.mounts(state.snapshotKey);
  const { user, home } = await withMounted(mounts, async (dir) => {
    const user = await resolveRunUser(state.user, dirView(dir));
    const passwd = await readFile(join(dir, 'etc/passwd'), 'utf8').catch(() => '');
    return { user, home: homeOf(passwd, user.uid) };
  });
  const env = [...state.env];
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${state.id.slice(0, 12)}`);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${home}`);
  Object.assign(state, { status: 'running', pid: process.pid, startedAt: Date.now() });
  delete state.exitCode;
  saveContainer(store, state);
  const rootfs = await mkdtemp(join(tmpdir(), 'strata-ctr-'));
  let exitCode = 255;
  try {
    const res = await selectRunner(o.runner ?? 'auto').run({
      rootfs,
      rootfsMounts: mounts,
      args: [...state.entrypoint, ...state.cmd],
      env,
      cwd: state.cwd,
      user,
      mounts: [],
      network: state.network,
      hostname: state.id.slice(0, 12),
      stdin: o.stdin ?? 'ignore',
      stdout: o.stdout ?? 'inherit',
      stderr: o.stderr ?? 'inherit',
      ...(o.tty ? { tty: true } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    exitCode = res.exitCode;
  } finally {
    await rmdir(rootfs).catch(() => undefined);
    Object.assign(state, { status: 'exited', exitCode, finishedAt: Date.now() });
    delete state.pid;
    saveContainer(store, state);
  }
  return exitCode;
}

/** findContainer resolves a name, a full id or an id prefix. */
export function findContainer(store: Store, arg: string): ContainerState {
  const rec = arg === '' ? undefined : store.getContainer<ContainerState>(arg);
  if (!rec || !isContainerState(rec.record)) throw new NoSuchContainerError(arg);
  return liveState(rec.record);
}

/** listContainerStates returns every container, newest first, with `running` checked against its process. */
export function listContainerStates(store: Store): ContainerState[] {
  return store
    .listContainers<ContainerState>()
    .map((r) => r.record)
    .filter(isContainerState)
    .map(liveState);
}

/**
 * removeContainer deletes a container and its snapshot. A running one needs `force`: its strata
 * process gets SIGTERM (it then kills the process tree and unmounts), and SIGKILL if it lingers.
 */
export async function removeContainer(store: Store, arg: string, opts: { force?: boolean } = {}): Promise<ContainerState> {
  const state = findContainer(store, arg);
  if (state.status === 'running' && state.pid !== undefined) {
    if (!opts.force) throw new ContainerConflictError(`cannot remove container "/${state.name}": container is running: stop the container before removing or force remove`);
    await stopProcess(state.pid);
  }
  await snapshotterOf(store, state)
    .remove(state.snapshotKey)
    .catch(async (err: unknown) => {
      if (await snapshotterOf(store, state).has(state.snapshotKey)) throw err;
    });
  store.deleteContainer(state.id);
  return state;
}

/** snapshotterOf opens the snapshotter a container's snapshot was made with. */
export function snapshotterOf(store: Store, state: ContainerState): Snapshotter {
  return createSnapshotter(state.snapshotter, store.snapshotsDir);
}

/** saveContainer writes a container's record. */
export function saveContainer(store: Store, state: ContainerState): void {
  store.putContainer({ id: state.id, name: state.name, imageId: state.imageId, created: state.created, size: 0, record: state });
}

function isContainerState(r: unknown): r is ContainerState {
  return typeof r === 'object' && r !== null && typeof (r as ContainerState).snapshotKey === 'string';
}

/** liveState turns a `running` record whose strata process is gone (killed) into an exited one. */
function liveState(s: ContainerState): ContainerState {
  if (s.status === 'running' && (s.pid === undefined || !processAlive(s.pid))) {
    const { pid: _pid, ...rest } = s;
    return { ...rest, status: 'exited', exitCode: s.exitCode ?? 255 };
  }
  return s;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopProcess(pid: number): Promise<void> {
  if (pid === process.pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  // poll: the process is not our child, so there is no exit event to wait on
  for (let i = 0; i < 200 && processAlive(pid); i++) {
    if (i === 100) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
}
