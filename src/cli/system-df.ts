import { shortId } from '../image/image.js';
import { familiarRepository, parseReference } from '../image/reference.js';
import { diskUsage } from '../store/disk-usage.js';
import type { Store } from '../store/store.js';
import { humanSize, humanSizeWithPrecision, timeAgo } from './format/human.js';
import { formatRows } from './format/output.js';
import { renderTable } from './format/table.js';

function reclaimable(n: number, total: number): string {
  return total > 0 ? `${humanSize(n)} (${Math.trunc((n * 100) / total)}%)` : humanSize(n);
}

/** systemDf renders `system df` (TYPE TOTAL ACTIVE SIZE RECLAIMABLE) and `-v` (per image, container, cache record). */
export async function systemDf(store: Store, opts: { verbose?: boolean; format?: string }): Promise<string> {
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
