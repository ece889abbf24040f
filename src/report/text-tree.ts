/**
 * renderTextTree draws a JSON value as an indented tree with box-drawing branches:
 * objects and arrays become branches, scalars print after their key; empty ones say so.
 */
export function renderTextTree(label: string, value: unknown): string {
  const lines = [label];
  walk(value, '', lines);
  return `${lines.join('\n')}\n`;
}

function walk(value: unknown, prefix: string, lines: string[]): void {
  const entries = childEntries(value);
  entries.forEach(([key, child], i) => {
    const last = i === entries.length - 1;
    const branch = last ? '└─ ' : '├─ ';
    const scalar = scalarText(child);
    if (scalar !== undefined) {
      lines.push(`${prefix}${branch}${key}: ${scalar}`);
    } else {
      lines.push(`${prefix}${branch}${key}`);
      walk(child, prefix + (last ? '   ' : '│  '), lines);
    }
  });
}

function childEntries(value: unknown): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.map((item, i) => [`[${i}]`, item]);
  if (value && typeof value === 'object') return Object.entries(value as Record<string, unknown>);
  return [];
}

function scalarText(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : undefined;
  if (typeof value === 'object') return Object.keys(value as object).length === 0 ? '(none)' : undefined;
  if (typeof value === 'string') return value === '' ? '""' : value;
  return String(value);
}
