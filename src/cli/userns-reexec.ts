import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants, userInfo } from 'node:os';
import { usernsPlan } from '../../runners/rootless/userns-args.js';
import { resolveStoreRoot } from '../store/root.js';
import { StrataError } from '../util/errors.js';
import { usernsDisabledReason } from './userns-blockers.js';
import { EXTRA_CA_ENV } from '../util/tls-trust.js';

/**
 * USERNS_ENV marks a strata process that runs as root of the user namespace its unprivileged parent made
 * (the value is the user's name on the host, for messages).
 */
export const USERNS_ENV = 'STRATA_USERNS';

/**
 * USERNS_COMMANDS are the commands that touch snapshots: their files carry container ids (0, 1000,
 * 65534...), which exist for an unprivileged user only inside its user namespace. Other commands work on
 * blobs and the database, which the user owns, and start faster without the re-exec.
 */
const USERNS_COMMANDS: ReadonlySet<string> = new Set(['build', 'run', 'commit', 'rm']);

/** RootlessUnavailableError: an unprivileged user cannot get a user namespace with subordinate ids here. */
export class RootlessUnavailableError extends StrataError {
  constructor(message: string) {
    super('ROOTLESS_UNAVAILABLE', message);
  }
}

/**
 * rootlessReexec runs this CLI again inside a new user and mount namespace when an unprivileged user asks
 * for a command that builds or runs (as `buildah unshare` / rootless BuildKit do): the user becomes root
 * and its subordinate ids 1..n, so store writes, overlay mounts (with userxattr), RUN steps and layer diffs
 * all see container ids, and every mount goes away with the namespace. Returns the child's exit code, or
 * undefined when this process should carry on itself (root, already inside, another command, help).
 */
export async function rootlessReexec(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  if (process.getuid?.() === 0 || env[USERNS_ENV] !== undefined) return undefined;
  const args = argv.slice(2);
  const command = commandWord(args);
  if (command === undefined || !USERNS_COMMANDS.has(command) || args.includes('-h') || args.includes('--help')) return undefined;
  const name = userInfo().username;
  const disabled = usernsDisabledReason();
  if (disabled !== undefined) throw new RootlessUnavailableError(`rootless ${command}: ${disabled}`);
  const plan = await usernsPlan();
  if (plan.missing.length > 0) {
    throw new RootlessUnavailableError(
      `rootless ${command} needs subordinate ids: ${plan.missing.join('; ')} (an administrator can add them: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${name})`,
    );
  }
  const childEnv: NodeJS.ProcessEnv = { ...env, [USERNS_ENV]: name, STRATA_ROOT: resolveStoreRoot(undefined, env) };
  // the child trusts the extra certificates itself, as this process does (util/tls-trust.ts): a Node
  // started with NODE_EXTRA_CA_CERTS would parse its whole root store first
  if (env[EXTRA_CA_ENV] !== undefined && env[EXTRA_CA_ENV] === env.NODE_EXTRA_CA_CERTS) delete childEnv.NODE_EXTRA_CA_CERTS;
  // --mount: overlay and bind mounts are only allowed in a mount namespace the user namespace owns.
  const unshare = [...plan.args, '--mount', '--propagation', 'private', '--', process.execPath, ...process.execArgv, ...argv.slice(1)];
  return runChild(unshare, childEnv);
}

/** runChild starts `unshare ARGS` (through setpriv) with our stdio, relays signals to it, and resolves with its exit code. */
function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    // --pdeathsig: a strata killed outright still stops its child (the signal survives entering the namespace).
    const child = spawn('setpriv', ['--pdeathsig', 'TERM', '--', 'unshare', ...args], { stdio: 'inherit', env });
    const relay = (sig: NodeJS.Signals): void => {
      // A Ctrl-C reaches the whole foreground process group, child included: relaying it would count as
      // a second signal, which makes strata exit without cleaning up.
      if (sig === 'SIGINT' && inForegroundGroup()) return;
      child.kill(sig);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, relay);
    child.on('error', (err) => reject(new RootlessUnavailableError(`cannot start setpriv/unshare (util-linux): ${err.message}`)));
    child.on('exit', (code, sig) => {
      for (const s of signals) process.off(s, relay);
      resolve(code ?? 128 + (sig ? constants.signals[sig] : 1));
    });
  });
}

/** inForegroundGroup says whether this process is in the foreground process group of its terminal. */
function inForegroundGroup(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // fields after "(comm)": state ppid pgrp session tty_nr tpgid
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[4] !== '0' && f[2] === f[5];
  } catch {
    return false;
  }
}

/** commandWord finds the command in the arguments after `strata`, skipping global options. */
function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--root') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}
