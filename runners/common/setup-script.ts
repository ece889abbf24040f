import type { RootfsMount, RunSpec } from '../types.js';
import { relativeOverlayOptions } from './overlay-options.js';
import { shCmd, shq } from './shell-quote.js';
import type { EtcFiles } from './etc-files.js';

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
  const nsSetup = ['hostname "$1"', ...(spec.network === 'none' ? ['ip link set lo up'] : []), 'shift', 'exec "$@"'].join('; ');
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

/** phase2Script: the remaining mounts, then the process, then waiting for it (killing its tree on TERM). */
export function phase2Script(t: ResolvedTargets, etc: EtcFiles, launch: Launch): string {
  const at = (p: string) => `"$R"${shq(p)}`;
  const L: string[] = [];
  if (launch.keeperMounts) {
    L.push(`D=${at(t.dev)}`);
    L.push('mount -t tmpfs -o nosuid,strictatime,mode=755,size=65536k tmpfs "$D"');
    for (const d of DEVICES) L.push(`: > "$D/${d}"; mount --bind /dev/${d} "$D/${d}"`);
    L.push('mkdir -m 755 "$D/pts"; mkdir -m 1777 "$D/shm"');
    L.push('mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$D/pts"');
    L.push('mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$D/shm"');
    L.push('ln -s pts/ptmx "$D/ptmx"; ln -s /proc/self/fd "$D/fd"');
    L.push('ln -s /proc/self/fd/0 "$D/stdin"; ln -s /proc/self/fd/1 "$D/stdout"; ln -s /proc/self/fd/2 "$D/stderr"');
    L.push(`mount --bind ${shq(etc.hosts)} ${at(t.hosts)}`);
    L.push(`mount --bind ${shq(etc.resolvConf)} ${at(t.resolvConf)}`);
    L.push(`mount --bind ${shq(etc.hostname)} ${at(t.hostname)}`);
    for (const { mount: m, target } of t.mounts) {
      if (m.type === 'bind') {
        L.push(`mount --rbind ${shq(m.source)} ${at(target)}`);
        if (m.readonly) L.push(`mount -o remount,bind,ro ${at(target)}`);
      } else {
        const opts = ['nosuid', 'nodev', `mode=${(m.mode ?? 0o1777).toString(8)}`];
        if (m.sizeBytes !== undefined) opts.push(`size=${m.sizeBytes}`);
        L.push(`mount -t tmpfs -o ${opts.join(',')} tmpfs ${at(target)}`);
      }
    }
  }
  L.push(`kill_tree() {\n${launch.kill}\n}`);
  L.push('child=; aborted=; interrupted=; trap \'aborted=1; interrupted=1; kill_tree\' TERM HUP; trap \'interrupted=1\' INT');
  L.push(`${launch.start} <&4 2>&5 3>&- 4<&- 5>&- &`);
  L.push('child=$!; [ -z "$aborted" ] || kill_tree');
  L.push('echo "started $child" >&3; exec 3>&- 2>&5 5>&- 4<&-');
  // A trapped signal interrupts `wait` with 128+n; wait again for the real status (sh keeps it until waited).
  L.push('set +e; while :; do interrupted=; wait "$child"; rc=$?; [ -n "$interrupted" ] && [ "$rc" -gt 128 ] || break; done');
  if (launch.after) L.push(launch.after);
  L.push('exit "$rc"');
  return L.join('\n');
}
