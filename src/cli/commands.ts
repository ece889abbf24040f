import type { Command } from 'commander';

/**
 * CommandGroup is one file of src/cli exporting `register(program)`, with the top-level command
 * names it defines. Groups load lazily: a command loads only the files that define it, so
 * `strata images` does not pay for the registry client or the builder at start-up. Several
 * groups may add subcommands to one parent (`image ls`, `image save`, `image prune`); they are
 * registered in this order.
 */
interface CommandGroup {
  names: readonly string[];
  load: () => Promise<{ register: (program: Command) => void }>;
}

const GROUPS: readonly CommandGroup[] = [
  { names: ['parse'], load: () => import('./parse.js') },
  { names: ['build', 'builder'], load: () => import('./build.js') },
  { names: ['plan'], load: () => import('./plan.js') },
  { names: ['image', 'images', 'tag', 'rmi', 'inspect', 'history'], load: () => import('./images.js') },
  { names: ['image', 'import', 'save', 'load'], load: () => import('./image-io.js') },
  { names: ['image', 'system'], load: () => import('./system.js') },
  { names: ['login', 'logout', 'pull', 'push', 'search'], load: () => import('./registry.js') },
  { names: ['report'], load: () => import('./report.js') },
  { names: ['cache'], load: () => import('./cache.js') },
  { names: ['run', 'ps', 'rm', 'commit'], load: () => import('./containers.js') },
];

/**
 * registerCommands adds the groups that define `commandName` to the program, or every group when
 * the name is unknown or absent (help, a typo that commander should answer with a suggestion).
 */
export async function registerCommands(program: Command, commandName?: string): Promise<void> {
  const wanted = commandName === undefined ? [] : GROUPS.filter((g) => g.names.includes(commandName));
  for (const group of wanted.length > 0 ? wanted : GROUPS) (await group.load()).register(program);
}

/** commandNameOf finds the command word in argv (after node and the script), skipping global options. */
export function commandNameOf(args: readonly string[], optionsWithValue: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (optionsWithValue.includes(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) {
      if (a.includes('=') || a === '--debug') continue;
      return undefined; // -h, --version...: commander answers with every command loaded
    }
    return a;
  }
  return undefined;
}
