import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/**
 * busyboxRootfsTar returns the path of a busybox root filesystem tarball made from Debian's
 * busybox-static by scripts/make-busybox-rootfs.sh, built once per test run and shared.
 */
export function busyboxRootfsTar(): string {
  const dir = join(repoRoot, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'busybox-rootfs.tar');
  if (!existsSync(out)) execFileSync('bash', [join(repoRoot, 'scripts/make-busybox-rootfs.sh'), out], { stdio: 'inherit' });
  return out;
}
