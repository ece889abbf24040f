import { Agent, type Dispatcher } from 'undici';
import { extraTlsTrust } from '../util/tls-trust.js';

let agent: Agent | undefined;

/**
 * defaultDispatcher is what registry requests go through when the caller gave none: undici's global
 * dispatcher, or, when the command was started with NODE_EXTRA_CA_CERTS, one agent that trusts those
 * certificates too (see util/tls-trust.ts for why Node does not load them itself).
 */
export function defaultDispatcher(): Dispatcher | undefined {
  const trust = extraTlsTrust();
  if (!trust) return undefined;
  agent ??= new Agent({ connect: { ca: trust.ca } });
  return agent;
}
