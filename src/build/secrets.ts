import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, StrataError } from '../util/errors.js';

/** SecretSource is where one `--secret` value comes from; it is read only when a step mounts it. */
export type SecretSource = { kind: 'file'; path: string } | { kind: 'env'; name: string };

/** MissingSecretError: a `RUN --mount=type=secret,required` names an id no `--secret` gave. */
export class MissingSecretError extends StrataError {
  constructor(id: string) {
    super('SECRET_MISSING', `secret ${id} is required but was not given (strata build --secret id=${id},src=FILE)`);
  }
}

/**
 * parseSecretFlag reads `--secret id=X,src=FILE`, `id=X,env=VAR` or `id=X,type=file|env,...` as
 * buildx does (`source` for `src`; with neither, an environment variable named like the id).
 */
export function parseSecretFlag(spec: string): [string, SecretSource] {
  const kv = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid --secret ${JSON.stringify(spec)}: ${JSON.stringify(part)} is not KEY=VALUE`);
    kv.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1));
  }
  const id = kv.get('id');
  if (!id) throw new InvalidArgumentError(`invalid --secret ${JSON.stringify(spec)}: id= is required`);
  for (const k of kv.keys()) {
    if (!['id', 'src', 'source', 'env', 'type'].includes(k)) throw new InvalidArgumentError(`invalid --secret ${JSON.stringify(spec)}: unknown key ${k}`);
  }
  const type = kv.get('type');
  if (type !== undefined && type !== 'file' && type !== 'env') throw new InvalidArgumentError(`invalid --secret ${JSON.stringify(spec)}: type must be file or env`);
  const src = kv.get('src') ?? kv.get('source');
  const env = kv.get('env');
  if (type === 'env' || (type === undefined && env !== undefined && src === undefined)) return [id, { kind: 'env', name: env ?? src ?? id }];
  if (src !== undefined) return [id, { kind: 'file', path: src }];
  return [id, { kind: 'env', name: id }];
}

/** readSecret returns a secret's bytes, or undefined when its file or variable does not exist. */
export async function readSecret(src: SecretSource): Promise<Buffer | undefined> {
  if (src.kind === 'env') {
    const v = process.env[src.name];
    return v === undefined ? undefined : Buffer.from(v);
  }
  try {
    return await readFile(src.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
