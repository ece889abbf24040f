import type { Command } from 'commander';
import { cacheRecordsOfImage, selectCacheRecord } from '../report/build-select.js';
import { cacheRows, renderCacheTable, renderCacheWhy } from '../report/cache-render.js';
import { ImageNotFoundError } from '../store/errors.js';
import { InvalidArgumentError, NotFoundError } from '../util/errors.js';
import { out, withStore } from './store-access.js';

/** register adds `strata cache ls` and `strata cache why IMAGE|KEY` (pruning is `strata builder prune`). */
export function register(program: Command): void {
  const cache = program.command('cache').description('Inspect the build cache (prune it with strata builder prune)');
  cache
    .command('ls')
    .alias('list')
    .description('List build cache records: key, stage, size, last use, step')
    .option('--format <format>', 'table or json', 'table')
    .option('--no-trunc', "Don't truncate keys and steps")
    .action(async (opts: { format: string; trunc?: boolean }, cmd: Command) => {
      if (opts.format !== 'table' && opts.format !== 'json') throw new InvalidArgumentError(`--format: expected table or json, got ${JSON.stringify(opts.format)}`);
      const rows = await withStore(cmd, (store) => cacheRows(store.listCacheRecords()));
      if (opts.format === 'json') out(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
      else out(renderCacheTable(rows, { noTrunc: opts.trunc === false, width: process.stdout.columns ?? 110 }));
    });
  cache
    .command('why <IMAGE|KEY>')
    .description('Show the inputs a cache key was computed from, as a tree (for an image: every step of the build that made it)')
    .action(async (what: string, _opts: unknown, cmd: Command) => {
      const text = await withStore(cmd, (store) => {
        const record = selectCacheRecord(store, what);
        if (record) return renderCacheWhy(record);
        let image;
        try {
          image = cacheRecordsOfImage(store, what);
        } catch (err) {
          if (err instanceof ImageNotFoundError) throw new NotFoundError(`No cache record or image matches ${what}`);
          throw err;
        }
        const parts = [`Image ${image.imageId}, built by build ${image.buildId}\n`];
        for (const step of image.steps) {
          parts.push(step.record ? `\n${renderCacheWhy(step.record)}` : `\n${step.key}  ${step.name}\n└─ (record pruned)\n`);
        }
        return parts.join('');
      });
      out(text);
    });
}
