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
      // Inside the user namespace a rootless strata re-executed itself in (src/cli/userns-reexec.ts) the
      // caller is already root with its subordinate ids mapped: a chroot there is the rootless runner.
      return inRootlessStrata() ? new ChrootRunner() : new RootlessRunner();
    case 'oci':
      return new OciRunner(options);
    case 'auto':
      return process.getuid?.() === 0 ? new ChrootRunner() : new RootlessRunner();
  }
}

/** inRootlessStrata: this process is root of the user namespace a rootless strata made (STRATA_USERNS set). */
function inRootlessStrata(): boolean {
  return process.getuid?.() === 0 && process.env.STRATA_USERNS !== undefined;
}
