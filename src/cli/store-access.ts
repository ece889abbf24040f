import type { Command } from 'commander';
import { openStore, type Store } from '../store/store.js';
import { globalOptions } from './global-options.js';

/** withStore opens the store named by the global options, runs `fn`, and always closes it. */
export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T> | T): Promise<T> {
  const store = openStore(globalOptions(cmd).root);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** collect accumulates a repeatable option (`-c A -c B`, `--filter x --filter y`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** out writes to stdout. */
export function out(text: string): void {
  process.stdout.write(text);
}
