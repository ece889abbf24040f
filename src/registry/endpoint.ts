import { isIP } from 'node:net';

/**
 * Endpoint is where a registry host's API lives: the scheme comes from the insecure rules,
 * Docker Hub's name is mapped to its API host, and `configKey` is the key Docker's config.json
 * uses for the host's credentials.
 */
export interface Endpoint {
  /** host as written in references (`docker.io`, `localhost:5000`). */
  host: string;
  /** base URL of the API, without the trailing `/v2/`. */
  baseUrl: string;
  /** true when plain HTTP is used (localhost, 127/8, ::1, or listed as insecure). */
  insecure: boolean;
  /** key of this host in config.json `auths` and credential helpers. */
  configKey: string;
}

export const DOCKER_HUB = 'docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
/** DOCKER_HUB_CONFIG_KEY is the key Docker writes Docker Hub credentials under. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

/** normalizeRegistryHost maps Docker Hub's aliases to `docker.io` and lowercases the host. */
export function normalizeRegistryHost(host: string): string {
  const h = host.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
  return HUB_ALIASES.has(h) ? DOCKER_HUB : h;
}

/** insecureRegistries reads STRATA_INSECURE_REGISTRIES (comma or space separated) plus extra entries. */
export function insecureRegistries(extra: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.STRATA_INSECURE_REGISTRIES ?? '').split(/[\s,]+/).filter(Boolean);
  return [...fromEnv, ...extra].map(normalizeRegistryHost);
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const i = host.lastIndexOf(':');
  return i >= 0 && host.indexOf(':') === i ? host.slice(0, i) : host;
}

/** isLoopbackHost is true for localhost, 127.0.0.0/8 and ::1, with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const name = hostname(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

/** isPrivateHost is true for loopback and RFC 1918 / link-local / ULA addresses (token realms must not point there from a public registry). */
export function isPrivateHost(host: string): boolean {
  if (isLoopbackHost(host)) return true;
  const name = hostname(host);
  if (isIP(name) === 4) {
    const [a, b] = name.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || a === 0;
  }
  if (isIP(name) === 6) return /^f[cd]/i.test(name) || /^fe80/i.test(name);
  return false;
}

/** resolveEndpoint decides scheme and API host for a registry host. */
export function resolveEndpoint(host: string, insecure: readonly string[] = insecureRegistries()): Endpoint {
  const h = normalizeRegistryHost(host);
  if (h === DOCKER_HUB) return { host: h, baseUrl: 'https://registry-1.docker.io', insecure: false, configKey: DOCKER_HUB_CONFIG_KEY };
  const plain = isLoopbackHost(h) || insecure.includes(h) || insecure.includes(hostname(h));
  return { host: h, baseUrl: `${plain ? 'http' : 'https'}://${h}`, insecure: plain, configKey: h };
}
