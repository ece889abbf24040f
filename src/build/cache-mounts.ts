import { createHash, randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

/** CacheSharing is `RUN --mount=type=cache,sharing=...`. */
export type CacheSharing = 'shared' | 'private' | 'locked';

/** CacheOwner is how a new cache directory is created (BuildKit: uid 0, gid 0, mode 0755). */
export interface CacheOwner {
  uid: number;
  gid: number;
  mode: number;
}

/** cacheMountsDir is where a store keeps cache mounts: `<storeRoot>/cache-mounts/<sha256(id)>/`. */
export function cacheMountsDir(storeRoot: string): string {
  return join(storeRoot, 'cache-mounts');
}

/**
 * CacheMounts hands out the directories of `RUN --mount=type=cache`, kept in the store across
 * builds and never part of a layer. Sharing follows BuildKit: `shared` lets every step use the
 * directory at once, `locked` lets one step at a time use it (others wait), and `private` gives a
 * step a fresh directory while another step holds the shared one.
 */
export class CacheMounts {
  private readonly inUse = new Map<string, number>();
  private readonly lockTails = new Map<string, Promise<void>>();
  private readonly creating = new Map<string, Promise<void>>();

  constructor(readonly root: string) {}

  /** acquire returns the directory for `id`; `seed` fills a newly created one (cache `from=`). */
  async acquire(id: string, sharing: CacheSharing, owner: CacheOwner, seed?: (dir: string) => Promise<void>): Promise<{ dir: string; release: () => Promise<void> }> {
    const name = createHash('sha256').update(id).digest('hex').slice(0, 32);
    let unlock: () => void = () => undefined;
    if (sharing === 'locked') {
      const prev = this.lockTails.get(name) ?? Promise.resolve();
      const mine = new Promise<void>((r) => (unlock = r));
      const tail = prev.then(() => mine);
      this.lockTails.set(name, tail);
      await prev;
      // another strata process (a concurrent build) may hold it too
      const unlockFile = await lockFile(join(this.root, `${name}.lock`));
      const unlockHere = unlock;
      unlock = () => {
        unlockFile();
        unlockHere();
      };
    }
    const busy = (this.inUse.get(name) ?? 0) > 0;
    const dir = join(this.root, sharing === 'private' && busy ? `${name}.private-${randomBytes(6).toString('hex')}` : name);
    this.inUse.set(name, (this.inUse.get(name) ?? 0) + 1);
    try {
      await this.ensure(dir, id, owner, seed);
    } catch (err) {
      this.inUse.set(name, this.inUse.get(name)! - 1);
      unlock();
      throw err;
    }
    return {
      dir,
      release: async () => {
        this.inUse.set(name, this.inUse.get(name)! - 1);
        // the mtime of the directory is "last used", for `builder prune --filter until=`
        const now = new Date();
        await utimes(dir, now, now).catch(() => undefined);
        if (dir.includes('.private-')) await rm(dir, { recursive: true, force: true });
        unlock();
      },
    };
  }

  private async ensure(dir: string, id: string, owner: CacheOwner, seed?: (dir: string) => Promise<void>): Promise<void> {
    // steps of parallel stages asking for the same new id wait for one creation
    let p = this.creating.get(dir);
    if (!p) {
      p = this.create(dir, id, owner, seed).finally(() => this.creating.delete(dir));
      this.creating.set(dir, p);
    }
    await p;
  }

  private async create(dir: string, id: string, owner: CacheOwner, seed?: (dir: string) => Promise<void>): Promise<void> {
    if (await lstat(dir).then((s) => s.isDirectory(), () => false)) return;
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    // made beside and renamed into place, so a crash never leaves a half-seeded cache
    const tmp = `${dir}.new-${randomBytes(6).toString('hex')}`;
    await mkdir(tmp);
    try {
      if (seed) await seed(tmp);
      // as an ordinary user (rootless runner) the directory is ours, which is root inside the step
      if (process.getuid?.() === 0) await chown(tmp, owner.uid, owner.gid);
      await chmod(tmp, owner.mode);
      await writeFile(`${dir}.id`, id).catch(() => undefined);
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (err as NodeJS.ErrnoException).code === 'EEXIST') return; // made meanwhile
      throw err;
    }
  }
}

/**
 * pruneCacheMounts removes cache mounts (all, or those last used before `until`, epoch ms) and
 * returns how many it removed. Used by `strata builder prune`.
 */
export async function pruneCacheMounts(storeRoot: string, opts: { until?: number } = {}): Promise<number> {
  const root = cacheMountsDir(storeRoot);
  const names = await readdir(root).catch(() => [] as string[]);
  let removed = 0;
  for (const n of names) {
    if (n.endsWith('.id') || n.endsWith('.lock')) continue;
    const p = join(root, n);
    const st = await lstat(p).catch(() => undefined);
    if (!st) continue;
    if (opts.until !== undefined && st.mtimeMs >= opts.until) continue;
    await rm(p, { recursive: true, force: true });
    await rm(`${p}.id`, { force: true });
    removed++;
  }
  return removed;
}

/**
 * lockFile takes a lock between processes: a file made with O_EXCL holding the owner's pid. A lock
 * whose owner is dead (killed mid-build) is taken over. Returns the release function.
 */
async function lockFile(path: string): Promise<() => void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  for (;;) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(await readFile(path, 'utf8').catch(() => ''));
    if (owner > 0 && owner !== process.pid && !alive(owner)) await rm(path, { force: true });
    else await sleep(50);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
