import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { RunnerChoice } from '../../runners/types.js';
import { commitContainer, createContainer, listContainerStates, removeContainer, startContainer } from '../build/container/index.js';
import { sweepWorkingSnapshots } from '../build/sweep-snapshots.js';
import type { SnapshotterChoice } from '../snapshot/select.js';
import { InvalidArgumentError, StrataError } from '../util/errors.js';
import { CONTAINER_HEADERS, containerRow, PS_TABLE } from './container-views.js';
import { formatRows } from './format/output.js';
import { cancelOnSignals, exitCodeOf } from './signals.js';
import { collect, out, withStore } from './store-access.js';

interface RunOptions {
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  name?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  network?: string;
  entrypoint?: string;
  runner?: string;
  snapshotter?: string;
}

/** register adds `run`, `ps`, `rm` and `commit`. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run a command in a new container')
    .argument('<IMAGE>', 'image to run')
    .argument('[COMMAND...]', 'command and arguments (default: the image\'s)')
    .option('-i, --interactive', 'keep stdin attached')
    .option('-t, --tty', 'give the container the terminal')
    .option('--rm', 'remove the container when it exits')
    .option('--name <NAME>', 'name the container')
    .option('-e, --env <K=V>', 'set an environment variable (repeatable)', collect)
    .option('--env-file <FILE>', 'read environment variables from a file (repeatable)', collect)
    .option('-w, --workdir <DIR>', 'working directory inside the container')
    .option('-u, --user <USER>', 'user name or uid[:gid]')
    .option('--network <MODE>', 'host or none', 'host')
    .option('--entrypoint <CMD>', 'override the image\'s entrypoint')
    .option('--runner <NAME>', 'auto, chroot, rootless or oci', 'auto')
    .option('--snapshotter <NAME>', 'auto, overlay or native', 'auto')
    .passThroughOptions()
    .action(async (image: string, command: string[], opts: RunOptions, cmd: Command) => {
      const network = choice(opts.network ?? 'host', ['host', 'none'] as const, '--network');
      const runner = choice(opts.runner ?? 'auto', ['auto', 'chroot', 'rootless', 'oci'] as const, '--runner') as RunnerChoice;
      const snapshotter = choice(opts.snapshotter ?? 'auto', ['auto', 'overlay', 'native'] as const, '--snapshotter') as SnapshotterChoice;
      const env = [...(opts.envFile ?? []).flatMap(readEnvFile), ...(opts.env ?? []).map(envArg)];
      // With a terminal, Ctrl-C is the container's to handle (its process gets the character).
      const cancel = cancelOnSignals(opts.tty ? ['SIGTERM'] : ['SIGINT', 'SIGTERM']);
      try {
        const code = await withStore(cmd, async (store) => {
          await sweepWorkingSnapshots(store);
          const state = await createContainer(store, {
            image,
            ...(opts.name !== undefined ? { name: opts.name } : {}),
            overrides: {
              command,
              env,
              ...(opts.entrypoint !== undefined ? { entrypoint: opts.entrypoint } : {}),
              ...(opts.workdir !== undefined ? { workdir: opts.workdir } : {}),
              ...(opts.user !== undefined ? { user: opts.user } : {}),
            },
            network,
            snapshotter,
          });
          try {
            return await startContainer(store, state, {
              runner,
              stdin: opts.interactive || opts.tty ? 'inherit' : 'ignore',
              stdout: 'inherit',
              stderr: 'inherit',
              ...(opts.tty ? { tty: true } : {}),
              signal: cancel.signal,
            });
          } finally {
            if (opts.rm) await removeContainer(store, state.id, { force: true });
          }
        });
        const sig = cancel.received();
        process.exitCode = sig !== undefined && code === 0 ? exitCodeOf(sig) : code;
      } finally {
        cancel.dispose();
      }
    });

  program
    .command('ps')
    .description('list containers')
    .option('-a, --all', 'show all containers (default: only running ones)')
    .option('-q, --quiet', 'only print container IDs')
    .option('--no-trunc', 'do not truncate output')
    .option('--format <TEMPLATE>', 'table, table TEMPLATE, json or a Go template')
    .action(async (opts: { all?: boolean; quiet?: boolean; trunc?: boolean; format?: string }, cmd: Command) => {
      await withStore(cmd, (store) => {
        const noTrunc = opts.trunc === false;
        const rows = listContainerStates(store)
          .filter((c) => opts.all || c.status === 'running')
          .map((c) => containerRow(c, noTrunc));
        if (opts.quiet) out(rows.map((r) => `${r.ID}\n`).join(''));
        else out(formatRows(rows, { ...(opts.format !== undefined ? { format: opts.format } : {}), defaultTable: PS_TABLE, headers: CONTAINER_HEADERS }));
      });
    });

  program
    .command('rm')
    .description('remove containers')
    .argument('<CONTAINER...>', 'names, ids or id prefixes')
    .option('-f, --force', 'kill and remove a running container')
    .action(async (args: string[], opts: { force?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const failed: string[] = [];
        for (const a of args) {
          try {
            await removeContainer(store, a, opts.force ? { force: true } : {});
            out(`${a}\n`);
          } catch (err) {
            if (!(err instanceof StrataError)) throw err;
            failed.push(err.message);
          }
        }
        if (failed.length > 0) throw new StrataError(failed.length === 1 ? 'RM_FAILED' : 'RM_FAILED', failed.join('\nerror: '));
      });
    });

  program
    .command('commit')
    .description('create a new image from a container\'s changes')
    .argument('<CONTAINER>', 'name, id or id prefix')
    .argument('[REPOSITORY[:TAG]]', 'tag for the new image')
    .option('-m, --message <MSG>', 'commit message')
    .option('-a, --author <AUTHOR>', 'author (e.g. "Jane <jane@example.com>")')
    .option('-c, --change <INSTRUCTION>', 'apply a Dockerfile instruction to the config (repeatable)', collect)
    .action(async (container: string, ref: string | undefined, opts: { message?: string; author?: string; change?: string[] }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const img = await commitContainer(store, container, {
          ...(opts.message !== undefined ? { message: opts.message } : {}),
          ...(opts.author !== undefined ? { author: opts.author } : {}),
          changes: opts.change ?? [],
          ...(ref !== undefined ? { ref } : {}),
        });
        out(`${img.id}\n`);
      });
    });
}

function choice<T extends string>(v: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`invalid ${flag} ${JSON.stringify(v)}: want ${allowed.join(', ')}`);
  return v as T;
}

/** envArg reads `-e K=V`, or `-e K` taking V from strata's own environment (dropped when unset), as docker does. */
function envArg(a: string): string {
  if (a.startsWith('=')) throw new InvalidArgumentError(`invalid environment variable: ${a}`);
  if (a.includes('=')) return a;
  const v = process.env[a];
  return v === undefined ? a : `${a}=${v}`;
}

/** readEnvFile reads docker's env-file format: K=V lines, `#` comments and blank lines skipped. */
function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)}`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/^\s+/, '').replace(/\r$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map(envArg);
}
