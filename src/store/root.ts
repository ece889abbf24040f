import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * resolveStoreRoot picks the store folder: an explicit root (from --root), else STRATA_ROOT,
 * else /var/lib/strata for root and $XDG_DATA_HOME/strata (~/.local/share/strata) otherwise.
 */
export function resolveStoreRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.STRATA_ROOT) return resolve(env.STRATA_ROOT);
  if (process.getuid?.() === 0) return '/var/lib/strata';
  const xdg = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(xdg, 'strata');
}
