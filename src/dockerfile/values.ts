/**
 * Small value parsers with Go's semantics, for flag and mount option values: durations
 * (time.ParseDuration), memory sizes (go-units RAMInBytes) and CSV fields (mount options).
 * Each returns undefined (or throws a plain Error with the reason) on bad input; callers locate it.
 */

const UNIT_NS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};
const DURATION_PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** parseDuration parses a Go duration ("30s", "1m30s", "1.5h", "0") into nanoseconds. */
export function parseDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  while (s !== '') {
    const m = DURATION_PART.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const whole = m[1] === '' ? 0 : Number(m[1]);
    const frac = m[2] ? Number(`0.${m[2]}`) : 0;
    total += (whole + frac) * UNIT_NS[m[3]!]!;
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}

const RAM = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const RAM_UNIT: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** parseRamBytes parses a memory size with binary units ("64m", "1g", "512kb", "1024"). */
export function parseRamBytes(text: string): number | undefined {
  const m = RAM.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  return Math.trunc(n * (m[2] ? RAM_UNIT[m[2].toLowerCase()]! : 1));
}

/** csvFields splits one CSV record (commas, double quotes with "" as an escaped quote). */
export function csvFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('extraneous or missing " in quoted-field');
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
      if (i < text.length && text[i] !== ',') throw new Error('extraneous or missing " in quoted-field');
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      field = text.slice(i, end);
      if (field.includes('"')) throw new Error('bare " in non-quoted-field');
      i = end;
    }
    out.push(field);
    if (i >= text.length) return out;
    i++; // the comma
  }
}
