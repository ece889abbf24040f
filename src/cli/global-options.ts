import type { Command } from 'commander';

/** GlobalOptions are the options given before the command (`strata --root DIR images`). */
export interface GlobalOptions {
  root?: string;
  debug?: boolean;
}

/** globalOptions reads the top-level options from any subcommand. */
export function globalOptions(cmd: Command): GlobalOptions {
  let top: Command = cmd;
  while (top.parent) top = top.parent;
  return top.opts<GlobalOptions>();
}
