import { readFileSync } from 'node:fs';

let cached: boolean | undefined;

/**
 * inUserNamespace says whether this process runs in a user namespace other than the initial one (a
 * rootless strata re-executed under `unshare --map-root-user ...`): there uid 0 cannot use trusted.*
 * xattrs, so overlay needs `userxattr`.
 */
export function inUserNamespace(): boolean {
  if (cached !== undefined) return cached;
  try {
    const map = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/);
    cached = !(map.length === 3 && map[0] === '0' && map[1] === '0' && map[2] === '4294967295');
  } catch {
    cached = false;
  }
  return cached;
}

/** overlayNeedsUserxattr: unprivileged, or root of a user namespace. */
export function overlayNeedsUserxattr(): boolean {
  return process.getuid?.() !== 0 || inUserNamespace();
}
