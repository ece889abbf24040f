/**
 * renderTable lays rows out as the docker CLI's tabwriter does (minwidth 10, padding 3, spaces):
 * each column but the last is as wide as its widest cell plus 3, and at least 10.
 */
export function renderTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const cols = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < cols - 1; c++) {
    widths.push(Math.max(10, ...rows.map((r) => (c < r.length - 1 ? width(r[c] ?? '') + 3 : 0))));
  }
  return rows
    .map((r) => r.map((cell, c) => (c < r.length - 1 ? cell + ' '.repeat(widths[c]! - width(cell)) : cell)).join(''))
    .join('\n')
    .concat('\n');
}

function width(s: string): number {
  return [...s].length;
}
