import { InvalidArgumentError } from '../util/errors.js';
import type { ContainerConfig } from './oci.js';

/**
 * applyChanges applies `--change` instructions (`import -c`, `commit -c`) to a container config,
 * returning a new config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME,
 * WORKDIR, as the docker CLI accepts them (JSON or shell form where the Dockerfile allows both).
 */
export function applyChanges(base: ContainerConfig, changes: string[]): ContainerConfig {
  const c: ContainerConfig = structuredClone(base);
  for (const change of changes) {
    const m = /^\s*(\w+)\s*(.*)$/s.exec(change);
    if (!m) throw new InvalidArgumentError(`invalid change "${change}"`);
    const instr = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    switch (instr) {
      case 'CMD':
        c.Cmd = execForm(rest);
        break;
      case 'ENTRYPOINT':
        c.Entrypoint = execForm(rest);
        break;
      case 'ENV':
        for (const [k, v] of keyValues(rest, change)) {
          c.Env = (c.Env ?? []).filter((e) => e.split('=')[0] !== k).concat(`${k}=${v}`);
        }
        break;
      case 'LABEL':
        for (const [k, v] of keyValues(rest, change)) c.Labels = { ...(c.Labels ?? {}), [k]: v };
        break;
      case 'EXPOSE':
        for (const p of words(rest)) c.ExposedPorts = { ...(c.ExposedPorts ?? {}), [p.includes('/') ? p : `${p}/tcp`]: {} };
        break;
      case 'VOLUME':
        for (const v of rest.startsWith('[') ? execForm(rest) : words(rest)) c.Volumes = { ...(c.Volumes ?? {}), [v]: {} };
        break;
      case 'WORKDIR':
        c.WorkingDir = rest;
        break;
      case 'USER':
        c.User = rest;
        break;
      case 'STOPSIGNAL':
        c.StopSignal = rest;
        break;
      case 'ONBUILD':
        c.OnBuild = [...(c.OnBuild ?? []), rest];
        break;
      default:
        throw new InvalidArgumentError(`${instr} is not a valid change command`);
    }
  }
  return c;
}

function execForm(rest: string): string[] {
  if (rest.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(rest);
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
    } catch {
      // Not JSON: Docker then treats it as shell form.
    }
  }
  return ['/bin/sh', '-c', rest];
}

function words(s: string): string[] {
  return unquoteWords(s).map((w) => w);
}

/** keyValues reads `k=v k2="v 2"` or the legacy single `k v` form. */
function keyValues(rest: string, change: string): [string, string][] {
  const ws = unquoteWords(rest);
  if (ws.length === 0) throw new InvalidArgumentError(`"${change}": missing arguments`);
  if (!ws[0]!.includes('=')) {
    const sp = rest.search(/\s/);
    if (sp < 0) throw new InvalidArgumentError(`"${change}": needs a value`);
    return [[rest.slice(0, sp), unquoteWords(rest.slice(sp + 1)).join(' ')]];
  }
  return ws.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`"${change}": "${w}" is not KEY=VALUE`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/** unquoteWords splits on unquoted whitespace and removes quotes and backslash escapes. */
function unquoteWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let have = false;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      have = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
      have = true;
    } else if (/\s/.test(ch)) {
      if (have) out.push(cur);
      cur = '';
      have = false;
    } else {
      cur += ch;
      have = true;
    }
  }
  if (have) out.push(cur);
  return out;
}
