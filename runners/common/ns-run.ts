import { spawn, type StdioOptions } from 'node:child_process';
import { mkdtemp, rm, rmdir, stat, unlink, lstat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RunnerError } from '../errors.js';
import type { RunResult, RunSpec, RunnerKind } from '../types.js';
import { writeEtcFiles, type EtcFiles } from './etc-files.js';
import { ensureMountpoint, resolveInRoot } from './in-root.js';
import { makeRunCgroup, removeRunCgroup, type RunCgroup } from './run-cgroup.js';
import { keeperFstab, namespaceLaunch, phase1Script, phase2Script, prepareDevDir, type Launch, type ResolvedTargets } from './setup-script.js';
import { signalName, validateSpec } from './validate.js';

/** HOST_PATH is the PATH of the setup tools (util-linux, iproute2), never the process's. */
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** LaunchContext is what a launcher may use to build phase 2: resolved mountpoints, /etc files, a private temp dir. */
export interface LaunchContext {
  spec: RunSpec;
  targets: ResolvedTargets;
  etc: EtcFiles;
  tmp: string;
}

/**
 * nsRun runs `spec` through the keeper script (see setup-script.ts). `enter` is the argv that puts the
 * keeper in its own mount namespace (and, for rootless, a user namespace) and ends where `sh -c` goes;
 * `launcher` starts the process (default: new namespaces and a chroot).
 */
export async function nsRun(
  spec: RunSpec,
  kind: RunnerKind,
  enter: string[],
  launcher: (ctx: LaunchContext) => Promise<Launch> = async (ctx) => namespaceLaunch(ctx.spec),
  opts: { cgroup?: boolean } = {},
): Promise<RunResult> {
  validateSpec(spec);
  const root = await stat(spec.rootfs).catch(() => undefined);
  if (!root?.isDirectory()) throw new RunnerError(`run: rootfs ${spec.rootfs} is not a directory`);
  if (spec.signal?.aborted) return { exitCode: 137, signal: 'SIGKILL', runner: kind };
  const tmp = await mkdtemp(join(tmpdir(), 'strata-run-'));
  const created: string[] = [];
  let cgroup: RunCgroup | undefined;
  const mountsGiven = (spec.rootfsMounts ?? []).length > 0;
  try {
    const etc = await writeEtcFiles(tmp, spec.hostname ?? 'strata', spec.network, spec.extraHosts);
    const stdio: StdioOptions = [stdioOf(spec.stdin), stdioOf(spec.stdout), stdioOf(spec.stderr), 'pipe'];
    const child = spawn('setpriv', ['--pdeathsig', 'TERM', '--', ...enter, 'sh', '-c', phase1Script(spec.rootfs, spec.rootfsMounts ?? [])], {
      stdio,
      env: { PATH: HOST_PATH },
    });
    const control = child.stdio[3] as Readable & { write(s: string): boolean; end(s?: string): void; destroy(): void };
    if (typeof spec.stdin === 'object') {
      child.stdin!.on('error', () => {}); // the process may exit without reading its input
      spec.stdin.pipe(child.stdin!);
    }
    if (typeof spec.stdout === 'object') child.stdout!.pipe(spec.stdout, { end: false });
    if (typeof spec.stderr === 'object') child.stderr!.pipe(spec.stderr, { end: false });

    let setupLog = '';
    let started = false;
    let sent = false; // phase 2 requested (and being built or sent)
    const onAbort = () => {
      if (!sent) control.destroy(); // the keeper may be waiting for phase 2 in a `cat` that would outlive it
      child.kill('SIGTERM');
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort(); // aborted while we were preparing: the event has already fired
    const closed = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, sig) => resolve({ code, sig }));
    });
    control.setEncoding('utf8');
    control.on('error', () => {});
    control.on('data', (chunk: string) => {
      setupLog += chunk;
      if (!started && /^started \d+$/m.test(setupLog)) started = true;
      if (!sent && /^ready$/m.test(setupLog)) {
        sent = true;
        (async () => {
          if (opts.cgroup) cgroup = await makeRunCgroup();
          return phase2(spec, child.pid!, created, etc, tmp, launcher, cgroup);
        })()
          .then((script) => control.end(script + '\n'))
          .catch((err) => {
            setupLog += `\n${err instanceof Error ? err.message : String(err)}`;
            // Closing our end ends the keeper's `cat <&3` too, which would otherwise hold the pipes open.
            control.destroy();
            child.kill('SIGKILL');
          });
      }
    });
    const { code, sig } = await closed;
    spec.signal?.removeEventListener('abort', onAbort);
    if (!started) {
      if (spec.signal?.aborted) return { exitCode: 137, signal: 'SIGKILL', runner: kind };
      const why = setupLog.split('\n').filter((l) => l !== '' && l !== 'ready').pop() ?? `exit ${code ?? sig}`;
      throw new RunnerError(`${kind} runner: setting up the container failed: ${why}`);
    }
    const exitCode = code ?? 128 + 9;
    const result: RunResult = { exitCode, runner: kind };
    const signal = sig ?? (exitCode > 128 ? signalName(exitCode - 128) : undefined);
    if (signal !== undefined && (sig !== null || spec.signal?.aborted || exitCode > 128)) result.signal = signal;
    return result;
  } finally {
    if (cgroup) await removeRunCgroup(cgroup);
    await removeCreated(cleanupRoot(spec, mountsGiven), created);
    await rm(tmp, { recursive: true, force: true });
  }
}

function stdioOf(s: RunSpec['stdin'] | RunSpec['stdout']): 'inherit' | 'ignore' | 'pipe' {
  if (s === undefined || s === 'ignore') return 'ignore';
  if (s === 'inherit') return 'inherit';
  return 'pipe';
}

/** phase2 creates the mountpoints inside the (now mounted) rootfs, seen through the keeper's mount namespace. */
async function phase2(
  spec: RunSpec,
  keeper: number,
  created: string[],
  etc: EtcFiles,
  tmp: string,
  launcher: (ctx: LaunchContext) => Promise<Launch>,
  cgroup: RunCgroup | undefined,
): Promise<string> {
  const mountsGiven = (spec.rootfsMounts ?? []).length > 0;
  const base = mountsGiven ? `/proc/${keeper}/root${spec.rootfs}` : spec.rootfs;
  const t: ResolvedTargets = {
    dev: await ensureMountpoint(base, '/dev', 'dir', created),
    proc: await ensureMountpoint(base, '/proc', 'dir', created),
    hosts: await ensureMountpoint(base, '/etc/hosts', 'file', created),
    resolvConf: await ensureMountpoint(base, '/etc/resolv.conf', 'file', created),
    hostname: await ensureMountpoint(base, '/etc/hostname', 'file', created),
    mounts: [],
  };
  // Parents before children, as Docker orders mounts.
  const mounts = [...spec.mounts].sort((a, b) => a.target.split('/').length - b.target.split('/').length);
  for (const m of mounts) {
    const kind = m.type === 'bind' && !(await stat(m.source)).isDirectory() ? 'file' : 'dir';
    t.mounts.push({ mount: m, target: await ensureMountpoint(base, m.target, kind, created) });
  }
  // The working directory is created like Docker does (and, unlike mountpoints, kept).
  const cwd = await resolveInRoot(base, spec.cwd);
  if (cwd.existing < cwd.parts.length) {
    const keep: string[] = [];
    await ensureMountpoint(base, spec.cwd, 'dir', keep);
  }
  const launch = await launcher({ spec, targets: t, etc, tmp });
  if (!launch.keeperMounts) return phase2Script(undefined, launch, cgroup);
  const dev = join(tmp, 'dev');
  await prepareDevDir(dev);
  const fstab = join(tmp, 'fstab');
  await writeFile(fstab, keeperFstab(spec.rootfs, t, etc, dev));
  return phase2Script(fstab, launch, cgroup);
}

/** cleanupRoot is where the mountpoints we created live once the mounts are gone: the overlay upper dir or the rootfs. */
function cleanupRoot(spec: RunSpec, mountsGiven: boolean): string | undefined {
  if (!mountsGiven) return spec.rootfs;
  const last = spec.rootfsMounts![spec.rootfsMounts!.length - 1]!;
  if (last.type === 'bind') return last.source;
  const upper = last.options.find((o) => o.startsWith('upperdir='));
  return upper?.slice('upperdir='.length);
}

/** removeCreated deletes the mountpoints we made (children first); a dir the process filled is kept. */
async function removeCreated(root: string | undefined, created: string[]): Promise<void> {
  if (root === undefined) return;
  for (const rel of [...created].reverse()) {
    const p = join(root, rel);
    try {
      const st = await lstat(p);
      if (st.isDirectory()) await rmdir(p);
      else await unlink(p);
    } catch {
      // ENOTEMPTY (the process wrote there) or already gone: leave it
    }
  }
}
