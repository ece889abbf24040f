import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChrootRunner } from '../../../runners/chroot/chroot-runner.js';
import { busyboxRootfsTar } from '../../helpers/busybox.js';
import { cpuCgroupOf, cpuMount } from '../../helpers/cgroups.js';
import { collect } from './runner-suite.js';

// Every chroot run gets a cgroup of the cpu controller of its own (as Docker gives each container), so
// that parallel RUN steps share the CPU per step, not per process; the cgroup goes with the run.

const skip = process.getuid?.() !== 0 ? 'needs root' : undefined;

const hierarchy = skip === undefined ? cpuMount() : undefined;

describe.skipIf(skip !== undefined || hierarchy === undefined)('the chroot runner puts each run in a cpu cgroup of its own', () => {
  let work: string;
  let rootfs: string;
  let rootfs2: string;
  const runner = new ChrootRunner();
  const spec = (root = rootfs) => ({ rootfs: root, env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0 }, mounts: [], network: 'host' as const });
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'strata-cgroup-'));
    // two root filesystems: runs on one rootfs at once would race on its mountpoints (builds give each its own)
    [rootfs, rootfs2] = ['rootfs', 'rootfs2'].map((name) => {
      const dir = join(work, name);
      mkdirSync(dir);
      execFileSync('tar', ['-C', dir, '-xf', busyboxRootfsTar()]);
      chmodSync(dir, 0o755);
      return dir;
    }) as [string, string];
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs the process and its children there, apart from strata and from other runs, and removes it after', async () => {
    const { mount, v2 } = hierarchy!;
    const script = 'cat /proc/self/cgroup; echo --; sh -c "cat /proc/self/cgroup"';
    const [a, b] = await Promise.all([collect(runner, { ...spec(), args: ['sh', '-c', script] }), collect(runner, { ...spec(rootfs2), args: ['sh', '-c', script] })]);
    const own = cpuCgroupOf(readFileSync('/proc/self/cgroup', 'utf8'), v2);
    const paths = [a, b].map((r) => {
      expect(r.exitCode).toBe(0);
      const [self, child] = r.out.split('--\n').map((t) => cpuCgroupOf(t, v2));
      expect(self).toMatch(/^\/strata\/run-[0-9a-f]{12}$/);
      expect(child).toBe(self); // forked processes stay in it
      return self!;
    });
    expect(paths[0]).not.toBe(paths[1]);
    expect(paths).not.toContain(own);
    for (const p of paths) expect(existsSync(join(mount, p))).toBe(false);
  });

  it('removes it when the process fails too', async () => {
    const r = await collect(runner, { ...spec(), args: ['sh', '-c', 'cat /proc/self/cgroup; exit 3'] });
    expect(r.exitCode).toBe(3);
    const path = cpuCgroupOf(r.out, hierarchy!.v2);
    expect(path).toMatch(/^\/strata\/run-/);
    expect(existsSync(join(hierarchy!.mount, path!))).toBe(false);
  });
});
