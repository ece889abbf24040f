/**
 * Human-readable sizes and durations exactly as the docker CLI prints them (docker/go-units):
 * decimal units, Go's `%.<p>g` number formatting, and `HumanDuration` wording.
 */

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** goFormatG formats a number like Go's fmt `%.<prec>g` (shortest form, exponent as e+03). */
export function goFormatG(x: number, prec: number): string {
  let s = x.toPrecision(prec);
  if (s.includes('e')) {
    const [mant, exp] = s.split('e') as [string, string];
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${m}e${sign}${digits}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** humanSizeWithPrecision is go-units' HumanSizeWithPrecision (docker images: precision 3 → 1.22MB). */
export function humanSizeWithPrecision(size: number, precision: number): string {
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return `${goFormatG(size, precision)}${DECIMAL_UNITS[i]}`;
}

/** humanSize is go-units' HumanSize (precision 4: system df). */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** humanDuration is go-units' HumanDuration ("About a minute", "3 hours", "2 weeks"). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** timeAgo is the CREATED column: "About a minute ago", or "N/A" for an unknown time. */
export function timeAgo(created: string | number | undefined, now = Date.now()): string {
  if (created === undefined) return 'N/A';
  const t = typeof created === 'number' ? created : Date.parse(created);
  if (!Number.isFinite(t) || t <= 0) return 'N/A';
  return `${humanDuration(Math.max(0, now - t))} ago`;
}

/** goTimeString prints a time as Go's time.Time.String() does in UTC: 2023-07-18 23:19:33 +0000 UTC. */
export function goTimeString(created: string | number | undefined): string {
  if (created === undefined) return '0001-01-01 00:00:00 +0000 UTC';
  const d = new Date(typeof created === 'number' ? created : Date.parse(created));
  if (Number.isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
