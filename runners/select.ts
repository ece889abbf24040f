import { ChrootRunner } from './chroot/chroot-runner.js';
import { OciRunner } from './oci/oci-runner.js';
import { RootlessRunner } from './rootless/rootless-runner.js';
import type { Runner, RunnerChoice, RunnerOptions } from './types.js';

/**
 * selectRunner returns the runner for `--runner`: 'auto' is chroot when running as root and rootless
 * otherwise; 'oci' prefers `options.runtime` (crun by default) and falls back to runc when crun fails.
 */
export function selectRunner(choice: RunnerChoice, options: RunnerOptions = {}): Runner {
  switch (choice) {
    case 'chroot':
      return new ChrootRunner();
    case 'rootless':
      return new RootlessRunner();
    case 'oci':
      return new OciRunner(options);
    case 'auto':
      return process.getuid?.() === 0 ? new ChrootRunner() : new RootlessRunner();
  }
}
