import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { cpuCgroupOf, cpuMount } from '../helpers/cgroups.js';
import { compileRunners, RemoteRunner } from '../unit/runners/remote-runner.js';
import { mountinfoMentions, processesWithArg } from '../unit/runners/runner-suite.js';

// strata itself killed with SIGKILL in the middle of a RUN: the keeper gets its parent-death signal,
// kills the step's process tree, and its mount namespace (every mount of the run) goes with it.

const skip = process.getuid?.() !== 0 ? 'needs root' : undefined;

/** until polls a condition; the bound only turns a hang into a failure, the test never sleeps for a result. */
async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(skip !== undefined)('a runner whose strata process is SIGKILLed', () => {
  let work: string;
  let rootfs: string;
  let compiled: string;
  beforeAll(() => {
    compiled = compileRunners();
    work = mkdtempSync(join(tmpdir(), 'strata-kill-'));
    rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    execFileSync('tar', ['-C', rootfs, '-xf', busyboxRootfsTar()]);
    chmodSync(rootfs, 0o755);
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(compiled, { recursive: true, force: true });
  });

  for (const choice of ['chroot', 'oci']) {
    it(`${choice}: leaves no process and no mount`, async () => {
      const tmp = join(work, `tmp-${choice}`);
      mkdirSync(tmp);
      const runner = new RemoteRunner(compiled, 0, 0, choice, tmp);
      const marker = `${5_000_000 + Math.floor(Math.random() * 1_000_000)}`;
      const out = new PassThrough();
      let seen = '';
      const up = new Promise<void>((resolve) =>
        out.on('data', (c) => {
          seen += c;
          if (seen.includes('up')) resolve();
        }),
      );
      const done = runner
        .run({
          rootfs,
          args: ['sh', '-c', `cat /proc/self/cgroup; sleep ${marker} & (sleep ${marker}; true) & echo up; wait`],
          env: ['PATH=/bin:/usr/bin'],
          cwd: '/',
          user: { uid: 0, gid: 0 },
          mounts: [{ type: 'tmpfs', target: '/scratch' }],
          network: 'none',
          stdout: out,
        })
        .catch(() => 'killed');
      await up;
      // "up" can be written before the backgrounded children have exec'd sleep: wait until they have.
      await until('the step processes to start', () => processesWithArg(marker).length >= 2);
      runner.child!.kill('SIGKILL');
      expect(await done).toBe('killed');
      await until('the step processes to die', () => processesWithArg(marker).length === 0);
      await until('the mounts to go', () => mountinfoMentions(rootfs).length === 0);
      const hierarchy = cpuMount();
      if (choice === 'chroot' && hierarchy !== undefined) {
        // the keeper removes the run's cpu cgroup itself once the processes are gone: strata cannot, it is dead
        const cg = cpuCgroupOf(seen.slice(0, seen.indexOf('up')), hierarchy.v2);
        expect(cg).toMatch(/^\/strata\/run-[0-9a-f]{12}$/);
        await until('the cgroup to go', () => !existsSync(join(hierarchy.mount, cg!)));
      }
    });
  }
});
