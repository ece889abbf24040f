import { userInfo } from 'node:os';
import { which } from '../common/which.js';
import { RunnerUnavailableError } from '../errors.js';
import { findSubidRange } from './subids.js';

/** UsernsPlan: the unshare options that make a user namespace for the caller, and the ranges mapped. */
export interface UsernsPlan {
  /** args: `unshare` options (no command), e.g. ['--map-root-user', '--setgroups', 'allow', '--map-users=…', …]. */
  args: string[];
  /** subids: the number of subordinate ids mapped to 1..n inside (0 when only root is mapped). */
  subids: number;
  /** missing: why subordinate ids are not mapped (empty when they are). */
  missing: string[];
}

/**
 * usernsPlan maps the caller to root and, when /etc/subuid and /etc/subgid give it ranges and newuidmap/
 * newgidmap are installed, its subordinate ids to 1..n. A rootless CLI can re-exec itself under
 * `unshare <args> --` so that snapshots and diffs see container ids, then run steps with any runner.
 */
export async function usernsPlan(files: { subuid?: string; subgid?: string } = {}): Promise<UsernsPlan> {
  const uid = process.getuid?.() ?? 0;
  const name = userInfo().username;
  if ((await which('unshare')) === undefined) throw new RunnerUnavailableError('rootless: util-linux unshare is not installed');
  const subuidFile = files.subuid ?? '/etc/subuid';
  const subgidFile = files.subgid ?? '/etc/subgid';
  const subuid = await findSubidRange(subuidFile, name, uid);
  const subgid = await findSubidRange(subgidFile, name, uid);
  const missing: string[] = [];
  if (!subuid) missing.push(`no subordinate uids for ${name} in ${subuidFile}`);
  if (!subgid) missing.push(`no subordinate gids for ${name} in ${subgidFile}`);
  if (!(await which('newuidmap')) || !(await which('newgidmap'))) missing.push('newuidmap/newgidmap are not installed (package uidmap)');
  if (missing.length > 0) return { args: ['--map-root-user'], subids: 0, missing };
  const count = Math.min(subuid!.count, subgid!.count);
  return {
    args: ['--map-root-user', '--setgroups', 'allow', `--map-users=${subuid!.start},1,${subuid!.count}`, `--map-groups=${subgid!.start},1,${subgid!.count}`],
    subids: count,
    missing,
  };
}
