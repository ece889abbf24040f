import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { shortId } from '../image/image.js';
import { familiarRepository, parseReference } from '../image/reference.js';
import { diskUsage } from '../store/disk-usage.js';
import { pruneBuildCache, pruneImages, type ImagePruneFilter } from '../store/prune.js';
import type { RemoveEvent } from '../store/remove-image.js';
import { humanSize, humanSizeWithPrecision, timeAgo } from './format/human.js';
import { formatRows } from './format/output.js';
import { renderTable } from './format/table.js';
import { parseFilters, parseUntil } from './image-filters.js';
import { imageGroup } from './images.js';
import { collect, out, withStore } from './store-access.js';

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

function reclaimable(n: number, total: number): string {
  return total > 0 ? `${humanSize(n)} (${Math.trunc((n * 100) / total)}%)` : humanSize(n);
}

async function systemDf(store: Parameters<typeof diskUsage>[0], opts: { verbose?: boolean; format?: string }): Promise<string> {
  const du = await diskUsage(store);
  if (!opts.verbose) {
    const rows = [
      { Type: 'Images', TotalCount: String(du.images.length), Active: String(du.activeImages), Size: humanSize(du.imagesSize), Reclaimable: reclaimable(du.imagesReclaimable, du.imagesSize) },
      { Type: 'Containers', TotalCount: String(du.containers.count), Active: '0', Size: humanSize(du.containers.size), Reclaimable: reclaimable(du.containers.size, du.containers.size) },
      { Type: 'Local Volumes', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
      { Type: 'Build Cache', TotalCount: String(du.buildCache.count), Active: '0', Size: humanSize(du.buildCache.size), Reclaimable: humanSize(du.buildCache.size) },
    ];
    return formatRows(rows, {
      ...(opts.format !== undefined ? { format: opts.format } : {}),
      defaultTable: '{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
      headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
    });
  }
  const imageTable = [['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS']];
  for (const u of du.images) {
    const refs = u.tags.map((t) => parseReference(t, { defaultTag: false })).filter((r) => r.tag !== undefined);
    const names = refs.length ? refs.map((r) => [familiarRepository(r), r.tag!]) : [['<none>', '<none>']];
    for (const [repo, tag] of names) {
      imageTable.push([
        repo!,
        tag!,
        shortId(u.image.id),
        timeAgo(u.image.created),
        humanSizeWithPrecision(u.size, 3),
        humanSizeWithPrecision(u.sharedSize, 3),
        humanSizeWithPrecision(u.uniqueSize, 3),
        String(u.containers),
      ]);
    }
  }
  const containerTable = [['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES']];
  for (const ct of store.listContainers()) {
    containerTable.push([ct.id.slice(0, 12), ct.imageId ? shortId(ct.imageId) : '', '', '0', humanSizeWithPrecision(ct.size, 3), timeAgo(ct.created), '', ct.name ?? '']);
  }
  const cacheTable = [['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED']];
  for (const r of store.listCacheRecords()) {
    cacheTable.push([r.key.replace(/^sha256:/, '').slice(0, 12), 'regular', humanSizeWithPrecision(r.size, 3), timeAgo(r.created), timeAgo(r.lastUsed), '1', 'false']);
  }
  return [
    'Images space usage:\n\n',
    renderTable(imageTable),
    '\nContainers space usage:\n\n',
    renderTable(containerTable),
    '\nLocal Volumes space usage:\n\n',
    renderTable([['VOLUME NAME', 'LINKS', 'SIZE']]),
    `\nBuild cache usage: ${humanSize(du.buildCache.size)}\n\n`,
    renderTable(cacheTable),
  ].join('');
}
