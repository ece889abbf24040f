import { constants } from 'node:os';
import { RunnerError } from '../errors.js';
import type { RunSpec } from '../types.js';

/** validateSpec rejects a RunSpec the setup script could not express safely. */
export function validateSpec(spec: RunSpec): void {
  if (spec.args.length === 0) throw new RunnerError('run: no command given');
  if (!spec.rootfs.startsWith('/')) throw new RunnerError(`run: rootfs ${spec.rootfs} is not an absolute path`);
  if (!spec.cwd.startsWith('/')) throw new RunnerError(`run: working directory ${spec.cwd} is not absolute`);
  for (const e of spec.env) if (!e.includes('=') || e.startsWith('=')) throw new RunnerError(`run: environment entry ${JSON.stringify(e)} is not KEY=VALUE`);
  for (const m of spec.mounts) if (!m.target.startsWith('/')) throw new RunnerError(`run: mount target ${m.target} is not absolute`);
  if (spec.tty && (spec.stdin !== 'inherit' || spec.stdout !== 'inherit')) throw new RunnerError('run: a tty needs inherited stdin and stdout');
  for (const id of [spec.user.uid, spec.user.gid, ...(spec.user.additionalGids ?? [])]) {
    if (!Number.isInteger(id) || id < 0 || id > 0xfffffffe) throw new RunnerError(`run: invalid user or group id ${id}`);
  }
}

/** signalName maps a signal number to its name (137 - 128 = 9 → SIGKILL). */
export function signalName(n: number): NodeJS.Signals | undefined {
  for (const [name, num] of Object.entries(constants.signals)) if (num === n) return name as NodeJS.Signals;
  return undefined;
}
