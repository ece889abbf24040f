import type { Command } from 'commander';
import { register as registerRegistry } from './registry.js';

/**
 * registerCommands adds every command group to the program. Each group lives in its own file
 * (src/cli/<group>.ts) exporting `register(program)`; add one import + one call per group.
 */
export function registerCommands(program: Command): void {
  registerRegistry(program);
}
