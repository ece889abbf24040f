import type { RunMount } from './ir.js';
import { suggest } from './hints.js';
import { csvFields, parseRamBytes } from './values.js';

/**
 * parseRunMount reads one `RUN --mount=` value (CSV of key=value) into a typed mount, with
 * BuildKit's defaults and checks. Values stay raw (the planner expands variables in them);
 * `type` and the numeric options (mode, uid, gid, size) must be literal here.
 * Throws a plain Error with the reason (and maybe a suggestion); the caller locates it.
 */

const TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
type MountType = (typeof TYPES)[number];
const SHARING = ['shared', 'private', 'locked'] as const;
const KEYS = ['type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env'];

/** MountProblem is an invalid mount value; `hint` is a suggestion when one is close. */
export class MountProblem extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function parseBool(key: string, v: string): boolean {
  const l = v.toLowerCase();
  if (['1', 't', 'true'].includes(l)) return true;
  if (['0', 'f', 'false'].includes(l)) return false;
  throw new MountProblem(`invalid value for ${key}: ${v}`);
}

function parseUint(key: string, v: string, base: 8 | 10): number {
  const ok = base === 8 ? /^[0-7]+$/.test(v) : /^\d+$/.test(v);
  const n = ok ? Number.parseInt(v, base) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new MountProblem(`invalid value ${v} for ${key}`);
  return n;
}

interface Draft {
  type: MountType;
  readOnly?: boolean;
  required?: boolean;
  target?: string;
  source?: string;
  from?: string;
  id?: string;
  sharing?: (typeof SHARING)[number];
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  env?: string;
}

export function parseRunMount(value: string): RunMount {
  let fields: string[];
  try {
    fields = csvFields(value);
  } catch (err) {
    throw new MountProblem(`failed to parse csv mounts: ${(err as Error).message}`);
  }
  const m: Draft = { type: 'bind' };
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const v = eq < 0 ? undefined : field.slice(eq + 1);
    if (v === undefined) {
      if (key === 'readonly' || key === 'ro') m.readOnly = true;
      else if (key === 'readwrite' || key === 'rw') m.readOnly = false;
      else if (key === 'required' && (m.type === 'secret' || m.type === 'ssh')) m.required = true;
      else if (key === 'required') throw new MountProblem(`unexpected key '${key}' for mount type '${m.type}'`);
      else throw new MountProblem(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    if (key === 'from' && v.indexOf('$') >= 0 && v.indexOf('$') !== v.length - 1) {
      throw new MountProblem(`'${key}' doesn't support variable expansion, define alias stage instead`);
    }
    switch (key) {
      case 'type': {
        const t = v.toLowerCase() as MountType;
        if (!TYPES.includes(t)) {
          const close = suggest(v, TYPES);
          throw new MountProblem(`unsupported mount type ${JSON.stringify(v)}`, close ? `did you mean ${close}?` : `use one of ${TYPES.join(', ')}`);
        }
        m.type = t;
        break;
      }
      case 'from': m.from = v; break;
      case 'source': case 'src': m.source = v; break;
      case 'target': case 'dst': case 'destination': m.target = v; break;
      case 'readonly': case 'ro': m.readOnly = parseBool(key, v); break;
      case 'readwrite': case 'rw': m.readOnly = !parseBool(key, v); break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') throw new MountProblem(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = parseBool(key, v);
        break;
      case 'size': {
        if (m.type !== 'tmpfs') throw new MountProblem(`unexpected key '${key}' for mount type '${m.type}'`);
        const n = parseRamBytes(v);
        if (n === undefined) throw new MountProblem(`invalid value for ${key}: ${v}`);
        m.size = n;
        break;
      }
      case 'id': m.id = v; break;
      case 'sharing': {
        const s = v.toLowerCase() as Draft['sharing'] & string;
        if (!SHARING.includes(s)) {
          const close = suggest(v, SHARING);
          throw new MountProblem(`unsupported sharing value ${JSON.stringify(v)}`, close ? `did you mean ${close}?` : undefined);
        }
        m.sharing = s;
        break;
      }
      case 'mode': m.mode = parseUint('mode', v, 8); break;
      case 'uid': m.uid = parseUint('uid', v, 10); break;
      case 'gid': m.gid = parseUint('gid', v, 10); break;
      case 'env': m.env = v; break;
      default: {
        const close = suggest(key, KEYS);
        throw new MountProblem(`unexpected key '${key}' in '${field}'`, close ? `did you mean ${close}?` : undefined);
      }
    }
  }
  return finish(m);
}

function finish(m: Draft): RunMount {
  const fileInfo = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfo) {
    for (const k of ['mode', 'uid', 'gid'] as const) {
      if (m[k] !== undefined) throw new MountProblem(`${k} not allowed for ${JSON.stringify(m.type)} type mounts`);
    }
  }
  if (m.sharing !== undefined && m.type !== 'cache') throw new MountProblem(`invalid cache sharing set for ${m.type} mount`);
  const info = { ...(m.mode !== undefined && { mode: m.mode }), ...(m.uid !== undefined && { uid: m.uid }), ...(m.gid !== undefined && { gid: m.gid }) };
  switch (m.type) {
    case 'bind':
      return { type: 'bind', target: m.target ?? '', ...(m.source !== undefined && { source: m.source }), ...(m.from !== undefined && { from: m.from }), readOnly: m.readOnly ?? true };
    case 'cache':
      return {
        type: 'cache', target: m.target ?? '', sharing: m.sharing ?? 'shared', readOnly: m.readOnly ?? false,
        ...(m.id !== undefined && { id: m.id }), ...(m.from !== undefined && { from: m.from }), ...(m.source !== undefined && { source: m.source }), ...info,
      };
    case 'tmpfs':
      return { type: 'tmpfs', target: m.target ?? '', ...(m.size !== undefined && { size: m.size }) };
    case 'secret':
      if (m.from !== undefined) throw new MountProblem('secret mount should not have a from');
      if (m.source === undefined && m.target === undefined && m.id === undefined && m.env === undefined) {
        throw new MountProblem('invalid secret mount. one of source, target required');
      }
      if (m.source !== undefined && m.id !== undefined) throw new MountProblem("both source and id can't be set");
      return {
        type: 'secret', required: m.required ?? false,
        ...(m.id !== undefined && { id: m.id }), ...(m.source !== undefined && { source: m.source }),
        ...(m.target !== undefined && { target: m.target }), ...(m.env !== undefined && { env: m.env }), ...info,
      };
    case 'ssh':
      return {
        type: 'ssh', required: m.required ?? false,
        ...(m.id !== undefined && { id: m.id }), ...(m.target !== undefined && { target: m.target }), ...info,
      };
  }
}
