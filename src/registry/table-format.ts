import { InvalidArgumentError } from '../util/errors.js';

/**
 * formatRows renders rows with a Docker-style `--format`: `table` (aligned columns with a header)
 * or a Go-template-like string where `{{.Field}}` is replaced, `{{json .}}` gives the row as JSON
 * and `\t` is a tab. Only field lookups are supported, not Go template logic.
 */
export function formatRows<T extends object>(rows: readonly T[], format: string, headers: Record<string, string>): string[] {
  let body = format;
  let table = false;
  if (body.startsWith('table')) {
    table = true;
    body = body.slice('table'.length).trimStart();
  }
  body = body.replace(/\\t/g, '\t');
  const render = (row: T | undefined): string =>
    body.replace(/\{\{\s*(json\s+\.|\.(\w+))\s*\}\}/g, (m, whole: string, field?: string) => {
      if (row === undefined) return field ? headers[field] ?? field.toUpperCase() : 'JSON';
      if (!field && whole.startsWith('json')) return JSON.stringify(row);
      if (!field || !(field in row)) throw new InvalidArgumentError(`invalid --format ${JSON.stringify(format)}: no field ${m}`);
      return String((row as Record<string, unknown>)[field]);
    });
  const lines = rows.map((r) => render(r));
  if (!table) return lines;
  return alignTabs([render(undefined), ...lines]);
}

/** alignTabs pads tab-separated cells into columns as Docker's tabwriter does (min width 10, padding 3). */
export function alignTabs(lines: readonly string[]): string[] {
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(Math.max(widths[i]! + 3, 10) - [...c].length))).join('').trimEnd());
}
