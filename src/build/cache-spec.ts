import { InvalidArgumentError } from '../util/errors.js';

/** CacheMode: `min` exports the steps of the image's own layers, `max` those of every stage. */
export type CacheMode = 'min' | 'max';

/**
 * CacheSpec is one `--cache-to` / `--cache-from`: a registry reference, or a local OCI layout
 * directory (`dest=` to write, `src=` to read), both holding the same cache artifact.
 */
export type CacheSpec = { type: 'registry'; ref: string; mode: CacheMode } | { type: 'local'; dir: string; mode: CacheMode };

/** parseCacheSpec reads `type=registry,ref=R[,mode=min|max]` or `type=local,dest=DIR` (src=DIR for --cache-from); a bare value is a registry ref, as docker does. */
export function parseCacheSpec(spec: string, flag: '--cache-to' | '--cache-from'): CacheSpec {
  if (!spec.includes('=')) return { type: 'registry', ref: spec, mode: 'min' };
  const kv = new Map<string, string>();
  for (const part of spec.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`invalid ${flag} ${JSON.stringify(spec)}: want key=value pairs`);
    kv.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  const mode = kv.get('mode') ?? 'min';
  if (mode !== 'min' && mode !== 'max') throw new InvalidArgumentError(`invalid ${flag} mode ${JSON.stringify(mode)}: want min or max`);
  const type = kv.get('type') ?? 'registry';
  if (type === 'registry') {
    const ref = kv.get('ref');
    if (!ref) throw new InvalidArgumentError(`${flag} type=registry needs ref=`);
    return { type, ref, mode };
  }
  if (type === 'local') {
    const key = flag === '--cache-to' ? 'dest' : 'src';
    const dir = kv.get(key);
    if (!dir) throw new InvalidArgumentError(`${flag} type=local needs ${key}=`);
    return { type, dir, mode };
  }
  throw new InvalidArgumentError(`invalid ${flag} type ${JSON.stringify(type)}: want registry or local`);
}

/** cacheSpecName is how progress names a cache location. */
export function cacheSpecName(s: CacheSpec): string {
  return s.type === 'registry' ? s.ref : `local:${s.dir}`;
}
