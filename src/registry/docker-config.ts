import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CredentialsError } from './errors.js';
import { normalizeRegistryHost } from './endpoint.js';

/**
 * DockerConfigFile is Docker's `config.json`, as far as credentials go. Every other field is kept
 * as it was when strata rewrites the file, so `docker` and strata can share it.
 */
export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [other: string]: unknown;
}

/** dockerConfigPath is `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  return join(dir, 'config.json');
}

/** readDockerConfig reads config.json; a missing file is an empty config. */
export async function readDockerConfig(path: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CredentialsError(`reading ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as DockerConfigFile;
  } catch (err) {
    throw new CredentialsError(`reading ${path}: invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** writeDockerConfig replaces config.json atomically (temp file, rename), mode 0600: it holds secrets. */
export async function writeDockerConfig(path: string, config: DockerConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new CredentialsError(`writing ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** findAuthKey finds the `auths` key that names host (`https://host/v1/`, `http://host`, `host`...). */
export function findAuthKey(config: DockerConfigFile, host: string): string | undefined {
  const want = normalizeRegistryHost(host);
  for (const key of Object.keys(config.auths ?? {})) {
    if (normalizeRegistryHost(key) === want) return key;
  }
  return undefined;
}

/** helperFor names the credential helper for host: credHelpers[host] first, then credsStore. */
export function helperFor(config: DockerConfigFile, host: string): string | undefined {
  const want = normalizeRegistryHost(host);
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) {
    if (normalizeRegistryHost(key) === want) return helper;
  }
  return config.credsStore || undefined;
}
