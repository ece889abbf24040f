import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { pruneBuildCache, pruneImages, type ImagePruneFilter } from '../store/prune.js';
import { pruneUnusedSnapshots } from './snapshot-upkeep.js';
import type { RemoveEvent } from '../store/remove-image.js';
import { humanSize } from './format/human.js';
import { parseFilters, parseUntil } from './image-filters.js';
import { imageGroup } from './images.js';
import { collect, out, withStore } from './store-access.js';
import { systemDf } from './system-df.js';

/** register adds image prune, system df and system prune. */
export function register(program: Command): void {
  const image = imageGroup(program);
  image
    .command('prune')
    .description('Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (opts: { all?: boolean; filter?: string[]; force?: boolean }, c: Command) => {
      const filter = pruneFilter(opts.filter);
      const warning = opts.all
        ? 'WARNING! This will remove all images without at least one container associated to them.'
        : 'WARNING! This will remove all dangling images.';
      if (!opts.force && !(await confirm(warning))) return;
      await withStore(c, async (store) => {
        const r = await pruneImages(store, { all: opts.all ?? false, filter });
        await pruneUnusedSnapshots(store);
        out(`${deletedImages(r.events)}Total reclaimed space: ${humanSize(r.reclaimedBytes)}\n`);
      });
    });
  const system = program.commands.find((x) => x.name() === 'system') ?? program.command('system').description('Manage strata');
  system
    .command('df')
    .description('Show strata disk usage')
    .option('-v, --verbose', 'Show detailed information on space usage')
    .option('--format <string>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .action(async (opts: { verbose?: boolean; format?: string }, c: Command) => {
      await withStore(c, async (store) => out(await systemDf(store, opts)));
    });
  system
    .command('prune')
    .description('Remove unused data')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<key>=<value>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (opts: { all?: boolean; filter?: string[]; force?: boolean }, c: Command) => {
      const filter = pruneFilter(opts.filter);
      const warning = `WARNING! This will remove:\n  - ${opts.all ? 'all images without at least one container associated to them' : 'all dangling images'}\n  - unused build cache\n`;
      if (!opts.force && !(await confirm(warning))) return;
      await withStore(c, async (store) => {
        const cache = pruneBuildCache(store, filter.until !== undefined ? { until: filter.until } : {});
        const r = await pruneImages(store, { all: opts.all ?? false, filter });
        await pruneUnusedSnapshots(store);
        let text = deletedImages(r.events);
        if (cache.keys.length) text += `Deleted build cache objects:\n${cache.keys.map((k) => `${k}\n`).join('')}\n`;
        out(`${text}Total reclaimed space: ${humanSize(r.reclaimedBytes)}\n`);
      });
    });
}

function pruneFilter(raw: string[] | undefined): ImagePruneFilter {
  const f = parseFilters(raw, ['until', 'label', 'label!']);
  const until = f.get('until')?.at(-1);
  const labels = [...(f.get('label') ?? []).map((l) => ({ l, negate: false })), ...(f.get('label!') ?? []).map((l) => ({ l, negate: true }))].map(({ l, negate }) => {
    const eq = l.indexOf('=');
    return eq < 0 ? { key: l, negate } : { key: l.slice(0, eq), value: l.slice(eq + 1), negate };
  });
  return { ...(until !== undefined ? { until: parseUntil(until) } : {}), ...(labels.length ? { labels } : {}) };
}

async function confirm(warning: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${warning}\nAre you sure you want to continue? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function deletedImages(events: RemoveEvent[]): string {
  if (events.length === 0) return '';
  const lines = events.map((e) => (e.kind === 'untagged' ? `untagged: ${e.ref}\n` : `deleted: ${e.id}\n`));
  return `Deleted Images:\n${lines.join('')}\n`;
}
