import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheMounts } from './cache-mounts.js';
import type { RunMountDeps } from './run-mounts.js';
import type { SecretSource } from './secrets.js';
import type { SnapshotChains } from './snapshots.js';

/** RunMountOptions are a build's `--secret` and `--ssh` values and where its cache mounts live. */
export interface RunMountOptions {
  secrets?: ReadonlyMap<string, SecretSource>;
  ssh?: ReadonlyMap<string, string>;
  /** cacheRoot: `<storeRoot>/cache-mounts` (cacheMountsDir); without it, a build-private temp dir. */
  cacheRoot?: string;
}

/** mountDeps makes the per-build state of RUN mounts: one CacheMounts, so locks span parallel stages. */
export function mountDeps(chains: SnapshotChains, o: RunMountOptions): RunMountDeps {
  return {
    secrets: o.secrets ?? new Map(),
    ssh: o.ssh ?? new Map(),
    caches: new CacheMounts(o.cacheRoot ?? join(tmpdir(), 'strata-cache-mounts')),
    chains,
  };
}
