import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { SnapshotterUnavailableError } from './errors.js';
import { overlayNeedsUserxattr } from './userns.js';
import { NativeSnapshotter } from './native.js';
import { OverlaySnapshotter } from './overlay.js';
import type { Snapshotter, SnapshotterName } from './types.js';

/** SnapshotterChoice is the value of `--snapshotter`. */
export type SnapshotterChoice = 'auto' | SnapshotterName;

const probed = new Map<string, boolean>();

/**
 * overlaySupported mounts a small overlay inside `root` (in a throwaway mount namespace, so nothing stays
 * mounted) and checks that deleting a lower file leaves a whiteout device in the upper dir. The answer is
 * remembered per root for the life of the process.
 */
export function overlaySupported(root: string): boolean {
  const known = probed.get(root);
  if (known !== undefined) return known;
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, '.probe-'));
  let ok = false;
  try {
    for (const d of ['l', 'u', 'w', 'm']) mkdirSync(join(dir, d));
    spawnSync('sh', ['-c', ': > "$1/l/f"', 'sh', dir]);
    const rootless = process.getuid?.() !== 0;
    const opts = `lowerdir=${dir}/l,upperdir=${dir}/u,workdir=${dir}/w${overlayNeedsUserxattr() ? ',userxattr' : ''}`;
    const enter = rootless ? ['unshare', '--user', '--map-root-user', '--mount'] : ['unshare', '--mount'];
    const r = spawnSync(enter[0]!, [...enter.slice(1), 'sh', '-c', 'mount -t overlay overlay -o "$1" "$2/m" && rm "$2/m/f"', 'sh', opts, dir], { stdio: 'ignore' });
    ok = r.status === 0 && statSync(join(dir, 'u', 'f')).isCharacterDevice();
  } catch {
    ok = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  probed.set(root, ok);
  return ok;
}

/**
 * overlayUsable is overlaySupported for a store's snapshot root, with a yes kept in `root/overlay.ok`
 * for as long as the kernel and the kind of user (root or rootless) stay the same: the probe's
 * processes cost every build with a RUN step 15–20 ms. A no is not kept (the next process probes).
 */
function overlayUsable(root: string): boolean {
  const marker = join(root, 'overlay.ok');
  const stamp = `${release()} ${process.getuid?.() === 0 ? 'root' : 'rootless'} ${overlayNeedsUserxattr() ? 'userxattr' : 'trusted'}\n`;
  try {
    if (readFileSync(marker, 'utf8') === stamp) return true;
  } catch {
    // not known yet
  }
  const ok = overlaySupported(root);
  if (ok) {
    const tmp = `${marker}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, stamp);
      renameSync(tmp, marker);
    } catch {
      rmSync(tmp, { force: true }); // a read-only root: probe next time
    }
  }
  return ok;
}

/**
 * createSnapshotter opens the snapshotter `choice` over `root`; auto picks overlay where the kernel has it on
 * root's filesystem. Each kind keeps its snapshots in its own folder (`root/overlay`, `root/native`): the two
 * name committed snapshots alike (by layer), but an overlay snapshot holds only its own layer's changes while a
 * native one holds the whole tree, so one kind must never pick up the other's.
 */
export function createSnapshotter(choice: SnapshotterChoice, root: string): Snapshotter {
  if (choice === 'native') return new NativeSnapshotter(join(root, 'native'));
  if (choice === 'overlay') {
    if (!overlayUsable(root)) throw new SnapshotterUnavailableError(`overlayfs cannot be used on ${root} here; use --snapshotter native`);
    return new OverlaySnapshotter(join(root, 'overlay'));
  }
  return overlayUsable(root) ? new OverlaySnapshotter(join(root, 'overlay')) : new NativeSnapshotter(join(root, 'native'));
}
