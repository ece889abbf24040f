import type { Command } from 'commander';
import { noCacheFilterOption } from './no-cache-filter.js';
import { dryRun, type DryRun } from '../build/dry-run.js';
import { InvalidArgumentError } from '../util/errors.js';
import { buildArgs } from './build.js';
import { collect, out, withStore } from './store-access.js';

interface PlanOptions {
  file?: string;
  buildArg?: string[];
  target?: string;
  cache?: boolean;
  noCacheFilter?: string[];
  platform?: string;
  format?: string;
}

/** register adds `plan`: a dry run of `build` that predicts each step's cache hit or miss. */
export function register(program: Command): void {
  program
    .command('plan')
    .description('show what a build would do: each step, its cache key, and whether it would be cached (and why not)')
    .argument('[PATH]', 'build context directory', '.')
    .option('-f, --file <PATH>', 'Dockerfile (default PATH/Dockerfile)')
    .option('--build-arg <KEY=VALUE>', 'set a build-time variable (repeatable)', collect)
    .option('--target <STAGE>', 'plan this stage')
    .option('--no-cache', 'plan as if the build cache were not used')
    .addOption(noCacheFilterOption('plan this stage without the cache (repeatable)'))
    .option('--platform <OS/ARCH>', 'target platform (only the host platform is supported)')
    .option('--format <FORMAT>', 'text or json', 'text')
    .action(async (path: string, opts: PlanOptions, cmd: Command) => {
      const format = opts.format ?? 'text';
      if (format !== 'text' && format !== 'json') throw new InvalidArgumentError(`invalid --format ${JSON.stringify(format)}: want text or json`);
      const r = await withStore(cmd, (store) =>
        dryRun({
          store,
          context: path,
          ...(opts.file !== undefined ? { dockerfile: opts.file } : {}),
          stdin: process.stdin,
          buildArgs: buildArgs(opts.buildArg ?? []),
          ...(opts.target !== undefined ? { target: opts.target } : {}),
          noCache: opts.cache === false,
          noCacheFilter: opts.noCacheFilter ?? [],
          ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
        }),
      );
      out(format === 'json' ? `${JSON.stringify({ file: r.file, steps: r.steps, counts: r.counts }, null, 2)}\n` : renderPlan(r));
    });
}

/** renderPlan: one line per step (name, short key, CACHED / BUILD / base) and the reason of each predicted miss. */
function renderPlan(r: DryRun): string {
  const width = Math.min(60, Math.max(...r.steps.map((s) => s.name.length)));
  const lines = r.steps.map((s) => {
    const name = s.name.length > width ? `${s.name.slice(0, width - 1)}…` : s.name.padEnd(width);
    const key = s.key.replace(/^sha256:/, '').slice(0, 12);
    const status = s.status === 'base' ? 'base' : s.status === 'cached' ? 'CACHED' : 'BUILD';
    return `${name}  ${key}  ${status.padEnd(6)}${s.reason ? `  ${s.reason}` : ''}`.trimEnd();
  });
  lines.push(`plan: ${r.counts.steps} steps, ${r.counts.cached} cached, ${r.counts.build} to build`);
  return `${lines.join('\n')}\n`;
}
