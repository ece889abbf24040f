import { execFile } from 'node:child_process';
import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { ApplyOptions } from './apply-layer.js';
import { SnapshotterBase } from './base.js';
import { SnapshotStateError } from './errors.js';
import { writeLayer } from './layer-writer.js';
import { nativeChanges } from './native-diff.js';
import { overlayChanges } from './overlay-diff.js';
import type { DiffOptions, Mount, SnapshotInfo } from './types.js';
import { readXattrTree } from './xattrs.js';

const run = promisify(execFile);

/**
 * NativeSnapshotter needs no overlayfs: prepare copies the parent's whole tree (`cp -a --reflink=auto`,
 * which keeps modes, owners, xattrs and hard links, and shares blocks on btrfs/xfs), and diff walks the
 * copy against the parent. Its cost follows the size of the base, not the change; use it where overlay is
 * not available.
 */
export class NativeSnapshotter extends SnapshotterBase {
  readonly name = 'native' as const;

  protected async create(info: SnapshotInfo, parent: SnapshotInfo | undefined): Promise<void> {
    if (info.kind === 'view') return; // a view reads its parent's tree in place, read-only
    const fs = this.fsDir(info);
    if (parent === undefined) {
      await mkdir(fs, { mode: 0o755 });
      return;
    }
    await run('cp', ['-a', '--reflink=auto', '--no-target-directory', this.fsDir(parent), fs], { maxBuffer: 1 << 20 });
    // Directories born after this marker were recreated by the step (see native-diff.ts).
    await writeFile(this.copiedMarker(info), '');
    await untilClockPasses(this.copiedMarker(info));
  }

  private copiedMarker(info: SnapshotInfo): string {
    return join(this.root, info.id, 'copied');
  }

  protected async mountsOf(info: SnapshotInfo): Promise<Mount[]> {
    if (info.kind === 'view') {
      if (info.parent === undefined) throw new SnapshotStateError(`view ${info.key} has no parent to show`);
      return [{ type: 'bind', source: this.fsDir(await this.stat(info.parent)), options: ['rbind', 'ro'] }];
    }
    return [{ type: 'bind', source: this.fsDir(info), options: ['rbind', 'rw'] }];
  }

  async layerDirs(key: string): Promise<string[] | undefined> {
    const info = await this.stat(key);
    // a committed snapshot here is a whole copy of its filesystem
    return info.kind === 'committed' ? [this.fsDir(info)] : undefined;
  }

  diff(key: string, options: DiffOptions = {}): Readable {
    return writeLayer(async () => {
      const info = await this.stat(key);
      if (info.kind === 'view') throw new SnapshotStateError(`snapshot ${key} is a view and has no changes`);
      const upper = this.fsDir(info);
      const upperXattrs = await readXattrTree(upper);
      if (info.parent === undefined) return { changes: overlayChanges(upper, upperXattrs), xattrs: upperXattrs };
      const lower = this.fsDir(await this.stat(info.parent));
      const lowerXattrs = await readXattrTree(lower);
      const copiedAt = (await lstat(this.copiedMarker(info), { bigint: true })).birthtimeNs;
      return { changes: nativeChanges({ lower, upper, lowerXattrs, upperXattrs, copiedAt }), xattrs: upperXattrs };
    }, options);
  }

  protected async applyOptions(): Promise<ApplyOptions> {
    return { whiteouts: 'delete' };
  }
}


/**
 * untilClockPasses returns once a new file gets a later birth time than `marker`: filesystem timestamps
 * move in clock ticks, and a directory the step recreates must be born strictly after the marker.
 */
async function untilClockPasses(marker: string): Promise<void> {
  const mark = (await lstat(marker, { bigint: true })).birthtimeNs;
  const probe = `${marker}.probe`;
  for (;;) {
    await writeFile(probe, '');
    const born = (await lstat(probe, { bigint: true })).birthtimeNs;
    await rm(probe, { force: true });
    if (born > mark || born === 0n) return;
    await new Promise((r) => setTimeout(r, 1));
  }
}
