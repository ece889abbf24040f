import type { IncomingHttpHeaders } from 'node:http';

/** DebugLog receives one line per HTTP event when `--debug` is on. */
export type DebugLog = (line: string) => void;

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SHOWN_RESPONSE_HEADERS = ['content-type', 'content-length', 'content-range', 'docker-content-digest', 'location', 'range', 'www-authenticate', 'retry-after'];

/** redactHeaders keeps header names but replaces credentials with `<redacted>` (the scheme stays visible). */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    if (SECRET_HEADERS.has(k.toLowerCase())) {
      const scheme = value.split(' ')[0];
      out[k] = scheme && scheme !== value ? `${scheme} <redacted>` : '<redacted>';
    } else out[k] = value;
  }
  return out;
}

/** redactUrl hides any user:password@ part and token-ish query values of a URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) { u.username = 'redacted'; u.password = ''; }
    for (const key of [...u.searchParams.keys()]) {
      if (/token|secret|password|signature|credential/i.test(key)) u.searchParams.set(key, '<redacted>');
    }
    return u.toString();
  } catch {
    return '<unparsable url>';
  }
}

export function logRequest(log: DebugLog | undefined, method: string, url: string, headers: Record<string, string>): void {
  if (!log) return;
  const h = Object.entries(redactHeaders(headers)).map(([k, v]) => `${k}: ${v}`).join('; ');
  log(`> ${method} ${redactUrl(url)}${h ? ` [${h}]` : ''}`);
}

export function logResponse(log: DebugLog | undefined, method: string, url: string, status: number, headers: IncomingHttpHeaders): void {
  if (!log) return;
  const shown: Record<string, string | string[] | undefined> = {};
  for (const k of SHOWN_RESPONSE_HEADERS) if (headers[k] !== undefined) shown[k] = headers[k];
  const h = Object.entries(redactHeaders(shown)).map(([k, v]) => `${k}: ${k === 'location' ? redactUrl(new URL(v, url).toString()) : v}`).join('; ');
  log(`< ${status} ${method} ${redactUrl(url)}${h ? ` [${h}]` : ''}`);
}
