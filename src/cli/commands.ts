import type { Command } from 'commander';
import { register as registerBuild } from './build.js';
import { register as registerCache } from './cache.js';
import { register as registerContainers } from './containers.js';
import { register as registerImageIo } from './image-io.js';
import { register as registerImages } from './images.js';
import { register as registerParse } from './parse.js';
import { register as registerRegistry } from './registry.js';
import { register as registerReport } from './report.js';
import { register as registerSystem } from './system.js';

/**
 * registerCommands adds every command group to the program. Each group lives in its own file
 * (src/cli/<group>.ts) exporting `register(program)`; add one import + one call per group.
 */
export function registerCommands(program: Command): void {
  registerParse(program);
  registerBuild(program);
  registerImages(program);
  registerImageIo(program);
  registerSystem(program);
  registerRegistry(program);
  registerReport(program);
  registerCache(program);
  registerContainers(program);
}
