import type { ContainerConfig } from '../../image/oci.js';
import { NoCommandError } from './errors.js';

/** DEFAULT_PATH is the PATH docker gives a container whose image sets none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** ProcessOverrides are the `run` flags that change what the image says. */
export interface ProcessOverrides {
  /** entrypoint: `--entrypoint` ('' clears the image's). */
  entrypoint?: string;
  /** command: the CMD... arguments after IMAGE (empty: the image's Cmd). */
  command: string[];
  /** env: `-e K=V` and `--env-file` lines, in order; later ones win. */
  env: string[];
  workdir?: string;
  user?: string;
}

/** ProcessSpec is what the container runs, before the user name is resolved against its /etc/passwd. */
export interface ProcessSpec {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  cwd: string;
  user: string;
}

/**
 * processSpec applies docker's rules: `--entrypoint` replaces the image's Entrypoint and drops its
 * Cmd; CMD arguments replace the image's Cmd; `-e` overrides the image's Env by key; `-w` and `-u`
 * replace WorkingDir and User. PATH is added when neither sets it.
 */
export function processSpec(config: ContainerConfig, o: ProcessOverrides): ProcessSpec {
  let entrypoint = config.Entrypoint ?? [];
  let cmd = config.Cmd ?? [];
  if (o.entrypoint !== undefined) {
    entrypoint = o.entrypoint === '' ? [] : [o.entrypoint];
    cmd = [];
  }
  if (o.command.length > 0) cmd = o.command;
  if (entrypoint.length + cmd.length === 0) throw new NoCommandError();
  return { entrypoint, cmd, env: mergeEnv(config.Env ?? [], o.env), cwd: o.workdir || config.WorkingDir || '/', user: o.user ?? config.User ?? '' };
}

/** mergeEnv overrides `base` by key with `extra` ("K=V"; a bare "K" is dropped as docker drops an unset one). */
export function mergeEnv(base: string[], extra: string[]): string[] {
  const map = new Map<string, string>();
  for (const e of [...base, ...extra]) {
    const i = e.indexOf('=');
    if (i <= 0) continue;
    map.set(e.slice(0, i), e);
  }
  if (!map.has('PATH')) map.set('PATH', DEFAULT_PATH);
  return [...map.values()];
}

/** homeOf finds a uid's home directory in /etc/passwd text ('/' when it has none, as runc does). */
export function homeOf(passwd: string, uid: number): string {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 6 && Number(f[2]) === uid && f[2] !== '') return f[5] || '/';
  }
  return '/';
}
