import { normalizeRegistryHost } from './endpoint.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';

/**
 * Registries hands out one RegistryClient per host for the life of a command, so tokens and the
 * learnt auth scheme are shared by every request to that host (pull of many tags, push with mounts).
 */
export class Registries {
  private readonly clients = new Map<string, RegistryClient>();

  constructor(readonly options: RegistryClientOptions = {}) {}

  client(host: string): RegistryClient {
    const key = normalizeRegistryHost(host);
    let c = this.clients.get(key);
    if (!c) {
      c = new RegistryClient(key, this.options);
      this.clients.set(key, c);
    }
    return c;
  }
}
