import { execFile } from 'node:child_process';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { relativeOverlayOptions } from './overlay-options.js';
import type { Mount } from './types.js';

const run = promisify(execFile);

/**
 * withMounted gives `fn` a host directory showing `mounts` (for COPY/ADD writing files into an active
 * snapshot) and unmounts it afterwards, whatever `fn` does. A single bind mount is used in place, without
 * mounting. Overlay mounts need root.
 */
export async function withMounted<T>(mounts: Mount[], fn: (dir: string) => Promise<T>): Promise<T> {
  if (mounts.length === 1 && mounts[0]!.type === 'bind') return fn(mounts[0]!.source);
  const dir = await mkdtemp(join(tmpdir(), 'strata-mnt-'));
  let mounted = 0;
  try {
    for (const m of mounts) {
      if (m.type === 'overlay') {
        const rel = relativeOverlayOptions(m.options);
        await run('mount', ['-t', 'overlay', m.source, '-o', rel.options.join(','), dir], { cwd: rel.cwd });
      }
      else await run('mount', ['--rbind', ...(m.options.includes('ro') ? ['-o', 'ro'] : []), m.source, dir]);
      mounted++;
    }
    return await fn(dir);
  } finally {
    for (; mounted > 0; mounted--) await run('umount', ['-l', dir]).catch(() => {});
    // rmdir, never rm -r: if an unmount failed, the snapshot's files must not be deleted through it.
    await rmdir(dir).catch(() => {});
  }
}
