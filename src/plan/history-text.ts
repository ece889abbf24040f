/**
 * Texts of history `created_by` entries exactly as BuildKit's dockerfile2llb writes them, which
 * uses Go's fmt: `%q` on a []string gives `["a" "b"]`, `%v` gives `[a b]`.
 */

/** goQuoteList formats a string slice like Go's `%q`. */
export function goQuoteList(xs: readonly string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}

/** goList formats a string slice like Go's `%v`. */
export function goList(xs: readonly string[]): string {
  return `[${xs.join(' ')}]`;
}

/** goDuration formats nanoseconds like Go's time.Duration.String(): `30s`, `1m30s`, `1.5s`, `0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < 1000) return `${ns}ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)}ms`;
  let s = ns / 1e9;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return `${out}${trim(s)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
