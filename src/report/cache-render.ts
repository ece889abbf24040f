import type { CacheRecord } from '../store/records.js';
import { formatBytes, table, truncate } from './format.js';
import { renderTextTree } from './text-tree.js';

/** CacheRow is one cache record as `strata cache ls` shows it. */
export interface CacheRow {
  key: string;
  stage: string;
  step: string;
  sizeBytes: number;
  created: string;
  lastUsed: string;
}

/** cacheRows lists records, most recently used first (the store's order). */
export function cacheRows(records: readonly CacheRecord[]): CacheRow[] {
  return records.map((record) => ({
    key: record.key,
    stage: record.stage ?? '',
    step: record.step ?? '',
    sizeBytes: record.size,
    created: new Date(record.created).toISOString(),
    lastUsed: new Date(record.lastUsed).toISOString(),
  }));
}

/** renderCacheTable prints rows as `strata cache ls` does: KEY, STAGE, SIZE, LAST USED, STEP. */
export function renderCacheTable(rows: readonly CacheRow[], options: { now?: number; noTrunc?: boolean; width?: number } = {}): string {
  const now = options.now ?? Date.now();
  const width = options.width ?? 110;
  const body = rows.map((row) => [
    options.noTrunc ? row.key : row.key.replace(/^sha256:/, '').slice(0, 12),
    row.stage,
    formatBytes(row.sizeBytes),
    since(now - Date.parse(row.lastUsed)),
    options.noTrunc ? row.step : truncate(row.step, Math.max(20, width - 50)),
  ]);
  const total = rows.reduce((sum, row) => sum + row.sizeBytes, 0);
  return `${table(['CACHE KEY', 'STAGE', 'SIZE', 'LAST USED', 'STEP'], body, new Set([2]))}\n${rows.length} records, ${formatBytes(total)}\n`;
}

/**
 * renderCacheWhy shows what a cache key was made of: the recorded inputs (parent key, base,
 * instruction, operation, env, args, source checksums, platform) as a tree, then the per-file
 * checksums kept beside them.
 */
export function renderCacheWhy(record: CacheRecord): string {
  const stored = record.inputs as { inputs?: unknown; detail?: { files?: unknown; line?: unknown } } | null;
  const inputs = stored && typeof stored === 'object' && 'inputs' in stored ? stored.inputs : stored;
  const where = [record.stage ? `stage ${record.stage}` : '', typeof stored?.detail?.line === 'number' ? `line ${stored.detail.line}` : ''].filter(Boolean).join(', ');
  let text = renderTextTree(`${record.key}  ${record.step ?? ''}${where ? ` (${where})` : ''}`, { inputs });
  const files = stored?.detail?.files;
  if (files && typeof files === 'object' && Object.keys(files).length > 0) text += renderTextTree('files behind each source', files);
  text += `size ${formatBytes(record.size)}, created ${new Date(record.created).toISOString()}, last used ${new Date(record.lastUsed).toISOString()}\n`;
  return text;
}

function since(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s <= 1 ? 'just now' : `${s} seconds ago`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'a minute ago' : `${m} minutes ago`;
  const h = Math.round(m / 60);
  if (h < 48) return h === 1 ? 'an hour ago' : `${h} hours ago`;
  return `${Math.round(h / 24)} days ago`;
}
