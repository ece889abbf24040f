/**
 * formatBytes prints a byte count with SI units as dive and docker do ("1.05 MB", "512 B"):
 * three significant digits, so columns stay narrow.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const sign = bytes < 0 ? '-' : '';
  if (unit === 0) return `${sign}${value} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${sign}${value.toFixed(digits)} ${units[unit]}`;
}

/** formatPercent prints a fraction (0.1234) as a percentage ("12.34 %"). */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? '∞ %' : 'n/a';
  return `${(fraction * 100).toFixed(2)} %`;
}

/** formatDuration prints milliseconds for people: "850ms", "3.2s", "2m05s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** truncate shortens text to `width` characters, ending with "…" when cut; newlines become spaces. */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

/** table lays out rows in left-aligned columns separated by two spaces (numeric columns right-aligned). */
export function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = header.map((cell, col) => Math.max(cell.length, ...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, col) => {
        const last = col === row.length - 1;
        if (rightAligned.has(col)) return cell.padStart(widths[col] ?? 0);
        return last ? cell : cell.padEnd(widths[col] ?? 0);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** keyValues aligns "Key:  value" lines. */
export function keyValues(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}
