#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { StrataError } from '../util/errors.js';
import { commandNameOf, registerCommands } from './commands.js';

/**
 * strata's entry point. Every command group registers itself in commands.ts; this file only
 * turns errors into one clear line and an exit code: a StrataError is the user's problem
 * (message, optional source frame, exit 1), anything else is a bug and says so.
 */
async function main(argv: string[]): Promise<number> {
  const program = new Command('strata')
    .description('a daemonless Dockerfile build engine and image manager')
    .version(VERSION, '-v, --version')
    .option('--root <dir>', 'store root (default /var/lib/strata as root, $XDG_DATA_HOME/strata otherwise; env STRATA_ROOT)')
    .option('--debug', 'print debugging detail (HTTP exchanges without credentials, stack traces)')
    // Global options go before the command, as with docker, so a command may reuse a letter (`system df -v`).
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError();
  try {
    // An unprivileged build or run re-executes strata as root of a user namespace (src/cli/userns-reexec.ts).
    const reexec = process.getuid?.() === 0 ? undefined : await (await import('./userns-reexec.js')).rootlessReexec(argv);
    if (reexec !== undefined) return reexec;
    await registerCommands(program, command);
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const debug = argv.includes('--debug');
    if (err instanceof StrataError) {
      process.stderr.write(`error: ${err.message}\n`);
      if (err.frame) process.stderr.write(`${err.frame}\n`);
      if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
      return 1;
    }
    process.stderr.write(`strata: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}

const VERSION = '0.1.0';

/**
 * command is the command this process runs (undefined for --version, --help...). The loader
 * (scripts/strata-loader.cjs) reads it from the bundle's exports to know which commands its code
 * cache has seen.
 */
export const command: string | undefined = commandNameOf(process.argv.slice(2), ['--root']);

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`strata: internal error: ${String(err)}\n`);
    process.exit(2);
  },
);
