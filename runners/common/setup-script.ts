import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RootfsMount, RunSpec } from '../types.js';
import { relativeOverlayOptions } from './overlay-options.js';
import { shCmd, shq } from './shell-quote.js';
import type { EtcFiles } from './etc-files.js';
import type { RunCgroup } from './run-cgroup.js';

// The setup runs as one POSIX sh process ("the keeper") inside a private mount namespace, in two phases.
// Phase 1 mounts the rootfs and says "ready" on fd 3; the runner then creates mountpoints safely from
// Node (through /proc/<keeper>/root) and sends phase 2 back on fd 3: the /dev, /etc and user mounts and
// the launch of the process in new pid/ipc/uts(/net) namespaces, chrooted. While setting up, the keeper's
// stderr goes to fd 3 so that a failure becomes a RunnerError, not noise in the step's output.

/** phase1Script mounts the rootfs and waits for phase 2 on fd 3. */
export function phase1Script(rootfs: string, rootfsMounts: readonly RootfsMount[]): string {
  const lines = ['set -eu', 'exec 4<&0 5>&2 2>&3', `R=${shq(rootfs)}`];
  for (const m of rootfsMounts) {
    if (m.type === 'overlay') {
      const rel = relativeOverlayOptions(m.options);
      lines.push(`(cd ${shq(rel.cwd)} && mount -t overlay ${shq(m.source)} -o ${shq(rel.options.join(','))} "$R")`);
    }
    else lines.push(`mount --rbind ${m.options.includes('ro') ? '-o ro ' : ''}${shq(m.source)} "$R"`);
  }
  lines.push('echo ready >&3', 'eval "$(cat <&3)"');
  return lines.join('\n');
}

/** ResolvedTargets are mountpoints already resolved (symlink-free) inside the rootfs, as absolute paths. */
export interface ResolvedTargets {
  dev: string;
  proc: string;
  hosts: string;
  resolvConf: string;
  hostname: string;
  /** mounts: the user mounts with their resolved target, in mount order. */
  mounts: { mount: RunSpec['mounts'][number]; target: string }[];
}

const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

/**
 * Launch says how phase 2 starts the process: `start` is a sh command run in the background (its pid is
 * $child), `kill` the body of kill_tree (run on TERM/HUP, must end every process of the run), and
 * `keeperMounts` whether the keeper itself mounts /dev and the /etc files (an OCI runtime does its own).
 */
export interface Launch {
  keeperMounts: boolean;
  start: string;
  kill: string;
  /** after: sh run once the process is gone (runtime state cleanup). */
  after?: string;
}

/** namespaceLaunch starts the process in new pid/ipc/uts(/net) namespaces, chrooted (chroot and rootless runners). */
export function namespaceLaunch(spec: RunSpec): Launch {
  const hostname = spec.hostname ?? 'strata';
  // The hostname is written through /proc (a shell builtin) rather than by a `hostname` process; in a user
  // namespace the host's /proc refuses that, and `hostname` does it.
  const nsSetup = ['{ echo "$1" > /proc/sys/kernel/hostname; } 2>/dev/null || hostname "$1"', ...(spec.network === 'none' ? ['ip link set lo up'] : []), 'shift', 'exec "$@"'].join('; ');
  const outer = ['unshare', '--uts', '--ipc', ...(spec.network === 'none' ? ['--net'] : []), '--', 'sh', '-c', nsSetup, 'sh', hostname];
  const head = ['env', '-i', ...spec.env, 'unshare', '--pid', '--fork', '--kill-child', '--mount-proc=/proc'];
  const tail = [`--wd=${spec.cwd}`, '-S', String(spec.user.uid), '-G', String(spec.user.gid), '--', ...spec.args];
  return {
    keeperMounts: true,
    // --root comes from the keeper's $R, so the rootfs path has one source.
    start: `${shCmd(outer)} ${shCmd(head)} --root="$R" ${shCmd(tail)}`,
    // Killing the pid namespace's init (the child of the inner unshare) kills every process in it. The
    // unshare is stopped first, so it cannot fork the init between our reading its children and killing it.
    kill: 'kill -STOP "$child" 2>/dev/null; for p in $(cat /proc/$child/task/*/children 2>/dev/null); do kill -KILL "$p" 2>/dev/null || :; done; kill -KILL "$child" 2>/dev/null || :',
  };
}

/**
 * keeperFstab lists the mounts the keeper makes in phase 2, in order, as an fstab that one `mount -a -T`
 * applies: a run used to spend a dozen `mount`, `mkdir` and `ln` processes here, most of its setup time.
 * `devDir` is the run's /dev, prepared on the host by prepareDevDir; `rootfs` is where the keeper mounted
 * the root filesystem.
 */
export function keeperFstab(rootfs: string, t: ResolvedTargets, etc: EtcFiles, devDir: string): string {
  const at = (p: string) => fstabField(rootfs.replace(/\/+$/, '') + p);
  const L: string[] = [];
  L.push(`${fstabField(devDir)} ${at(t.dev)} none bind,nosuid 0 0`);
  for (const d of DEVICES) L.push(`/dev/${d} ${at(`${t.dev}/${d}`)} none bind 0 0`);
  L.push(`devpts ${at(`${t.dev}/pts`)} devpts newinstance,ptmxmode=0666,mode=0620 0 0`);
  L.push(`shm ${at(`${t.dev}/shm`)} tmpfs nosuid,nodev,mode=1777 0 0`);
  L.push(`${fstabField(etc.hosts)} ${at(t.hosts)} none bind 0 0`);
  L.push(`${fstabField(etc.resolvConf)} ${at(t.resolvConf)} none bind 0 0`);
  L.push(`${fstabField(etc.hostname)} ${at(t.hostname)} none bind 0 0`);
  for (const { mount: m, target } of t.mounts) {
    if (m.type === 'bind') L.push(`${fstabField(m.source)} ${at(target)} none rbind${m.readonly ? ',ro' : ''} 0 0`);
    else {
      const opts = ['nosuid', 'nodev', `mode=${(m.mode ?? 0o1777).toString(8)}`];
      if (m.sizeBytes !== undefined) opts.push(`size=${m.sizeBytes}`);
      L.push(`tmpfs ${at(target)} tmpfs ${opts.join(',')} 0 0`);
    }
  }
  return L.join('\n') + '\n';
}

/** fstabField escapes a path for fstab, where whitespace and backslashes are written in octal. */
function fstabField(p: string): string {
  return p.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** DEV_LINKS are /dev's symlinks, as Docker makes them. */
const DEV_LINKS: [name: string, target: string][] = [
  ['ptmx', 'pts/ptmx'],
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
];

/** prepareDevDir makes the run's /dev on the host: the device mountpoints, pts, shm and the links. */
export async function prepareDevDir(dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755); // mkdir's mode passes through the umask
  for (const d of DEVICES) await writeFile(join(dir, d), '', { mode: 0o666 });
  await mkdir(join(dir, 'pts'), { mode: 0o755 });
  await mkdir(join(dir, 'shm'));
  await chmod(join(dir, 'shm'), 0o1777);
  for (const [name, target] of DEV_LINKS) await symlink(target, join(dir, name));
}

/**
 * phase2Script: the remaining mounts (one fstab), then the process, then waiting for it (killing its tree on
 * TERM). With a cgroup, the keeper joins it only to start the process (which inherits it) and leaves it
 * again, so that once the process is gone the keeper itself can remove it, even when strata was killed.
 */
export function phase2Script(fstab: string | undefined, launch: Launch, cgroup?: RunCgroup): string {
  const L: string[] = [];
  if (launch.keeperMounts && fstab !== undefined) L.push(`mount -a -T ${shq(fstab)}`);
  if (cgroup) L.push(`cg=${shq(cgroup.dir)}; { echo $$ > "$cg/cgroup.procs"; } 2>/dev/null || cg=`);
  else L.push('cg=');
  L.push(`kill_tree() {\n${launch.kill}\n}`);
  L.push('child=; aborted=; interrupted=; trap \'aborted=1; interrupted=1; kill_tree\' TERM HUP; trap \'interrupted=1\' INT');
  L.push(`${launch.start} <&4 2>&5 3>&- 4<&- 5>&- &`);
  L.push('child=$!; [ -z "$aborted" ] || kill_tree');
  if (cgroup) L.push(`[ -z "$cg" ] || { echo $$ > ${shq(join(cgroup.home, 'cgroup.procs'))}; } 2>/dev/null || :`);
  L.push('echo "started $child" >&3; exec 3>&- 2>&5 5>&- 4<&-');
  // Once strata is gone its end of our stderr is closed: the shell's "Killed" note about the process would
  // raise SIGPIPE and end the keeper before its cleanup. Ignored only now: the process must not inherit it.
  L.push("trap '' PIPE");
  // A trapped signal interrupts `wait` with 128+n; wait again for the real status (sh keeps it until waited).
  L.push('set +e; while :; do interrupted=; wait "$child" 2>/dev/null; rc=$?; [ -n "$interrupted" ] && [ "$rc" -gt 128 ] || break; done');
  if (launch.after) L.push(launch.after);
  // The pid namespace's last processes may still be exiting when `wait` returns: the cgroup empties a moment later.
  L.push('n=0; while [ -n "$cg" ] && ! rmdir "$cg" 2>/dev/null && [ $n -lt 40 ]; do n=$((n+1)); sleep 0.05; done');
  L.push('exit "$rc"');
  return L.join('\n');
}
