import { InvalidArgumentError } from '../util/errors.js';

/** Filters is `--filter key=value` parsed: each key with all its values. */
export type Filters = Map<string, string[]>;

/** parseFilters reads repeated `--filter key=value` options, refusing keys the command does not know. */
export function parseFilters(raw: string[] | undefined, allowed: string[]): Filters {
  const f: Filters = new Map();
  for (const item of raw ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`bad format of filter (expected name=value): ${item}`);
    let key = item.slice(0, eq);
    let value = item.slice(eq + 1);
    if (key.endsWith('!')) {
      key = `${key.slice(0, -1)}!`;
      value = value.replace(/^=/, '');
    }
    if (!allowed.includes(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
    f.set(key, [...(f.get(key) ?? []), value]);
  }
  return f;
}

/** globMatch is Go's path.Match for the patterns people use (`*`, `?`, `[...]`); `*` does not cross `/`. */
export function globMatch(pattern: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) return false;
      re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(s);
}

/** parseUntil reads `until=` as docker does: a Unix time, an RFC 3339 date, or a duration (10m, 24h) before now. */
export function parseUntil(v: string, now = Date.now()): number {
  const dur = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(v);
  if (dur) {
    const mult: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    return now - Number(dur[1]) * mult[dur[2]!]!;
  }
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid until filter "${v}": want a duration (10m), a Unix time or a date`);
  return t;
}
