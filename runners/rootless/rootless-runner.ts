import { userInfo } from 'node:os';
import { nsRun } from '../common/ns-run.js';
import { which } from '../common/which.js';
import { RunnerUnavailableError } from '../errors.js';
import type { RunResult, RunSpec, Runner } from '../types.js';
import { findSubidRange, type SubidRange } from './subids.js';

/** RootlessOptions: where the subordinate id files are (tests point them elsewhere). */
export interface RootlessOptions {
  subuidFile?: string;
  subgidFile?: string;
}

/**
 * RootlessRunner runs a process as any user: a new user namespace maps the caller to root and, through
 * newuidmap/newgidmap, the caller's subordinate ids from /etc/subuid and /etc/subgid to ids 1..n (so
 * `chown` to other ids works inside), then the same mount/pid/ipc/uts(/net) setup as the chroot runner.
 * Without subordinate ids only root exists inside, and asking for another user is a clear error.
 */
export class RootlessRunner implements Runner {
  readonly kind = 'rootless' as const;

  constructor(private readonly options: RootlessOptions = {}) {}

  async run(spec: RunSpec): Promise<RunResult> {
    return nsRun(spec, this.kind, await this.enterArgs(spec));
  }

  /** enterArgs builds the unshare argv for this user, or explains what is missing. */
  async enterArgs(spec: Pick<RunSpec, 'user'>): Promise<string[]> {
    const uid = process.getuid?.() ?? 0;
    const name = userInfo().username;
    if ((await which('unshare')) === undefined) throw new RunnerUnavailableError('rootless runner: util-linux unshare is not installed');
    const subuidFile = this.options.subuidFile ?? '/etc/subuid';
    const subgidFile = this.options.subgidFile ?? '/etc/subgid';
    const subuid = await findSubidRange(subuidFile, name, uid);
    const subgid = await findSubidRange(subgidFile, name, uid);
    const newuidmap = await which('newuidmap');
    const newgidmap = await which('newgidmap');
    const missing: string[] = [];
    if (!subuid) missing.push(`no subordinate uids for ${name} in ${subuidFile}`);
    if (!subgid) missing.push(`no subordinate gids for ${name} in ${subgidFile}`);
    if (!newuidmap || !newgidmap) missing.push('newuidmap/newgidmap are not installed (package uidmap)');
    const base = ['unshare', '--map-root-user', '--setgroups', 'allow'];
    if (missing.length > 0) {
      const wanted = [spec.user.uid, spec.user.gid, ...(spec.user.additionalGids ?? [])].filter((id) => id !== 0);
      if (wanted.length > 0) {
        throw new RunnerUnavailableError(`rootless runner: cannot run as ${spec.user.uid}:${spec.user.gid}: ${missing.join('; ')}`);
      }
      // Only root exists inside; setgroups must stay denied for an unprivileged single mapping.
      return ['unshare', '--map-root-user', '--mount', '--propagation', 'private', '--'];
    }
    const fits = (r: SubidRange, id: number) => id === 0 || id <= r.count;
    if (!fits(subuid!, spec.user.uid) || !fits(subgid!, spec.user.gid)) {
      throw new RunnerUnavailableError(`rootless runner: ${spec.user.uid}:${spec.user.gid} is beyond ${name}'s ${subuid!.count} subordinate ids`);
    }
    return [...base, `--map-users=${subuid!.start},1,${subuid!.count}`, `--map-groups=${subgid!.start},1,${subgid!.count}`, '--mount', '--propagation', 'private', '--'];
  }
}
