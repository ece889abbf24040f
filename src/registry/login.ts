import { DOCKER_HUB, normalizeRegistryHost } from './endpoint.js';
import type { Credentials } from './credentials.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';

/**
 * verifyLogin checks credentials against a registry before they are stored, as `docker login`
 * does: `/v2/` with those credentials must pass (for token registries, the token service must
 * accept them).
 */
export async function verifyLogin(server: string, creds: Credentials, options: RegistryClientOptions = {}): Promise<void> {
  const host = normalizeRegistryHost(server || DOCKER_HUB);
  const client = new RegistryClient(host, { ...options, credentials: undefined });
  client.auth.setCredentials(creds);
  await client.ping(`login to ${host}`);
}
