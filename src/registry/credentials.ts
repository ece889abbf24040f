import { CredentialsError } from './errors.js';
import { DOCKER_HUB, DOCKER_HUB_CONFIG_KEY, normalizeRegistryHost } from './endpoint.js';
import { dockerConfigPath, findAuthKey, helperFor, readDockerConfig, writeDockerConfig } from './docker-config.js';
import { helperErase, helperGet, helperStore } from './cred-helper.js';

/**
 * Credentials for one registry: a user name and password, or an identity token (an OAuth2
 * refresh token some registries hand out instead of keeping the password).
 */
export interface Credentials {
  username: string;
  password?: string;
  identityToken?: string;
}

/** CredentialSource looks up the credentials for a registry host; undefined means anonymous. */
export type CredentialSource = (host: string) => Promise<Credentials | undefined>;

/** serverKey is the name credentials are stored under for host (Docker Hub keeps its legacy URL). */
export function serverKey(host: string): string {
  const h = normalizeRegistryHost(host);
  return h === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : h;
}

/**
 * DockerCredentialStore reads and writes credentials the way `docker login` does: a credential
 * helper when config.json names one for the host (credHelpers, then credsStore), otherwise the
 * base64 `auth` field in config.json.
 */
export class DockerCredentialStore {
  constructor(readonly configPath: string = dockerConfigPath()) {}

  /** get returns the stored credentials for host, or undefined. */
  async get(host: string): Promise<Credentials | undefined> {
    const config = await readDockerConfig(this.configPath);
    const helper = helperFor(config, host);
    if (helper) {
      const c = await helperGet(helper, serverKey(host));
      if (!c) return undefined;
      return c.Username === '<token>' ? { username: '', identityToken: c.Secret } : { username: c.Username, password: c.Secret };
    }
    const key = findAuthKey(config, host);
    if (key === undefined) return undefined;
    const entry = config.auths![key]!;
    if (entry.identitytoken) return { username: decodeAuth(entry.auth, this.configPath).username, identityToken: entry.identitytoken };
    if (entry.auth) return decodeAuth(entry.auth, this.configPath);
    if (entry.username !== undefined) return { username: entry.username, password: entry.password ?? '' };
    return undefined;
  }

  /** put stores credentials for host, in the helper if one is configured, else in config.json. */
  async put(host: string, creds: Credentials): Promise<void> {
    const config = await readDockerConfig(this.configPath);
    const helper = helperFor(config, host);
    const key = serverKey(host);
    if (helper) {
      await helperStore(helper, creds.identityToken
        ? { ServerURL: key, Username: '<token>', Secret: creds.identityToken }
        : { ServerURL: key, Username: creds.username, Secret: creds.password ?? '' });
      // docker keeps an empty entry so `docker info`-like tools know the host is logged in
      config.auths = { ...config.auths, [findAuthKey(config, host) ?? key]: {} };
    } else {
      const auths = { ...config.auths };
      const old = findAuthKey(config, host);
      if (old !== undefined) delete auths[old];
      auths[key] = creds.identityToken
        ? { auth: Buffer.from(`${creds.username}:`).toString('base64'), identitytoken: creds.identityToken }
        : { auth: Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64') };
      config.auths = auths;
    }
    await writeDockerConfig(this.configPath, config);
  }

  /** erase removes host's credentials; returns false when there were none. */
  async erase(host: string): Promise<boolean> {
    const config = await readDockerConfig(this.configPath);
    const helper = helperFor(config, host);
    const key = findAuthKey(config, host);
    if (helper) await helperErase(helper, serverKey(host));
    if (key === undefined) return helper !== undefined;
    const auths = { ...config.auths };
    delete auths[key];
    config.auths = auths;
    await writeDockerConfig(this.configPath, config);
    return true;
  }

  /** source adapts the store to a CredentialSource for the registry client. */
  source(): CredentialSource {
    return (host) => this.get(host);
  }
}

function decodeAuth(auth: string | undefined, path: string): Credentials {
  if (!auth) return { username: '' };
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) throw new CredentialsError(`${path}: an "auth" entry is not base64 of user:password`);
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}
