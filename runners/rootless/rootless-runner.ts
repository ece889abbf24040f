import { nsRun } from '../common/ns-run.js';
import { RunnerUnavailableError } from '../errors.js';
import type { RunResult, RunSpec, Runner } from '../types.js';
import { usernsPlan } from './userns-args.js';

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
    const plan = await usernsPlan({ subuid: this.options.subuidFile, subgid: this.options.subgidFile });
    const ids = [spec.user.uid, spec.user.gid, ...(spec.user.additionalGids ?? [])];
    if (plan.missing.length > 0 && ids.some((id) => id !== 0)) {
      throw new RunnerUnavailableError(`rootless runner: cannot run as ${spec.user.uid}:${spec.user.gid}: ${plan.missing.join('; ')}`);
    }
    const beyond = ids.find((id) => id > plan.subids);
    if (beyond !== undefined && plan.missing.length === 0) {
      throw new RunnerUnavailableError(`rootless runner: id ${beyond} is beyond the ${plan.subids} subordinate ids mapped`);
    }
    return ['unshare', ...plan.args, '--mount', '--propagation', 'private', '--'];
  }
}
