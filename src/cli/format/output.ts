import { compileTemplate, goJSON, templateColumns } from './template.js';
import { renderTable } from './table.js';

/**
 * writeRows prints records the docker way for `--format`: undefined → the default table, `table` →
 * the default table, `table TEMPLATE` → a table of the template's columns with headers, `json` →
 * one JSON object per line, any other text → the template once per record.
 */
export function formatRows<T extends object>(
  rows: T[],
  opts: { format?: string; defaultTable: string; headers: Record<string, string> },
): string {
  const format = opts.format ?? 'table';
  if (format === 'json') return rows.map((r) => `${goJSON(r)}\n`).join('');
  if (format === 'table' || format.startsWith('table ')) {
    const tpl = format === 'table' ? opts.defaultTable : format.slice('table '.length);
    const { header, row } = templateColumns(tpl);
    const render = compileTemplate(row);
    const table = [header.map((h) => opts.headers[h] ?? h.toUpperCase()), ...rows.map((r) => render(r).split('\t'))];
    return renderTable(table);
  }
  const render = compileTemplate(format);
  return rows.map((r) => `${render(r)}\n`).join('');
}
