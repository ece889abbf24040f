import { nsRun } from '../common/ns-run.js';
import { RunnerUnavailableError } from '../errors.js';
import type { RunResult, RunSpec, Runner } from '../types.js';

/**
 * ChrootRunner runs a process as root-owned container: new mount, pid, ipc and uts namespaces (and a new
 * network namespace with only `lo` for network 'none'), a chroot into the rootfs, a fresh /proc, a minimal
 * /dev on tmpfs, and /etc/{hosts,resolv.conf,hostname} mounted over, in a cgroup of its own (run-cgroup.ts). Needs root.
 * Known limit: additional group ids are not set (util-linux `unshare -G` clears supplementary groups).
 */
export class ChrootRunner implements Runner {
  readonly kind = 'chroot' as const;

  async run(spec: RunSpec): Promise<RunResult> {
    if (process.getuid?.() !== 0) throw new RunnerUnavailableError('the chroot runner needs root; use --runner rootless');
    return nsRun(spec, this.kind, ['unshare', '--mount', '--propagation', 'private', '--'], undefined, { cgroup: true });
  }
}
