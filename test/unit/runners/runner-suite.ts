import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, RunSpec, Runner } from '../../../runners/types.js';
import { busyboxRootfsTar } from '../../helpers/busybox.js';

/** RunnerFactory makes the runner under test; `rootfs` prepares a busybox rootfs the runner can use. */
export interface RunnerSuiteOptions {
  name: string;
  make: () => Runner | Promise<Runner>;
  /** expectedKind: what RunResult.runner must say (a list when the runner may fall back). */
  expectedKinds: RunResult['runner'][];
  /** prepareRootfs: called on a fresh busybox rootfs dir (e.g. to chown it for an unprivileged user). */
  prepareRootfs?: (dir: string) => void;
  /** skip: a reason to skip the whole suite (said loudly), or undefined. */
  skip?: string;
}

export function mountinfoMentions(path: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(path));
}

/** processesWithArg lists host pids whose command line contains `marker`. */
export function processesWithArg(marker: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.split('\0').includes(marker)) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** collect runs spec and returns the result with stdout and stderr as text. */
export async function collect(runner: Runner, spec: Omit<RunSpec, 'stdout' | 'stderr'>): Promise<RunResult & { out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const res = await runner.run({ ...spec, stdout: out, stderr: err });
  return { ...res, out: o, err: e };
}

export function runnerSuite(opts: RunnerSuiteOptions): void {
  describe.skipIf(opts.skip !== undefined)(`runner suite: ${opts.name}${opts.skip ? ` (SKIPPED: ${opts.skip})` : ''}`, () => {
    let work: string;
    let rootfs: string;
    let runner: Runner;
    const base = (): Omit<RunSpec, 'stdout' | 'stderr' | 'args'> => ({
      rootfs,
      env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'],
      cwd: '/',
      user: { uid: 0, gid: 0 },
      mounts: [],
      network: 'host',
    });

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'strata-runner-'));
      chmodSync(work, 0o755);
      rootfs = join(work, 'rootfs');
      mkdirSync(rootfs, { mode: 0o755 });
      execFileSync('tar', ['-C', rootfs, '--no-same-permissions', '-xf', busyboxRootfsTar()]);
      chmodSync(rootfs, 0o755);
      runner = await opts.make();
      opts.prepareRootfs?.(rootfs);
    });
    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('passes exactly the given environment and reports the runner', async () => {
      const r = await collect(runner, { ...base(), args: ['env'], env: ['PATH=/usr/bin:/bin', 'FOO=bar baz', 'EMPTY='] });
      expect(r.exitCode).toBe(0);
      expect(opts.expectedKinds).toContain(r.runner);
      const lines = r.out.trim().split('\n').sort();
      // busybox env prints what it was given; a shell would add PWD/SHLVL, env does not. OCI runtimes add
      // HOME from the image's /etc/passwd when it is missing, as Docker does; nothing else may appear.
      expect(lines.filter((l) => l !== 'HOME=/root')).toEqual(['EMPTY=', 'FOO=bar baz', 'PATH=/usr/bin:/bin']);
    });

    it('runs as the given uid/gid in the given cwd, creating a missing cwd', async () => {
      const r = await collect(runner, { ...base(), args: ['sh', '-c', 'id -u; id -g; pwd'], cwd: '/made/here', user: { uid: 65534, gid: 65534 } });
      expect(r.err).toBe('');
      expect(r.out.trim().split('\n')).toEqual(['65534', '65534', '/made/here']);
      expect(r.exitCode).toBe(0);
    });

    it('propagates exit codes and death by signal', async () => {
      expect((await collect(runner, { ...base(), args: ['sh', '-c', 'exit 3'] })).exitCode).toBe(3);
      expect((await collect(runner, { ...base(), args: ['false'] })).exitCode).toBe(1);
      const child = await collect(runner, { ...base(), args: ['sh', '-c', 'sh -c "kill -KILL \\$\\$"; echo $?'] });
      expect(child.out.trim()).toBe('137');
    });

    it('reports a command that does not exist as a failed run with a message, not a throw', async () => {
      const r = await collect(runner, { ...base(), args: ['/no/such/binary'] });
      expect(r.exitCode).toBeGreaterThan(0);
      expect(r.err.toLowerCase()).toContain('no such file');
    });

    it('gives a private pid namespace, a hostname, /dev and /etc files without writing them into the rootfs', async () => {
      const r = await collect(runner, {
        ...base(),
        hostname: 'box1',
        args: ['sh', '-c', 'echo $$; hostname; cat /etc/hostname; ls /dev | sort | tr "\\n" " "; echo; grep -c box1 /etc/hosts; echo x > /dev/null && head -c 4 /dev/zero | wc -c'],
      });
      expect(r.err).toBe('');
      const [pid, host, etcHost, dev, hostsHits, zeros] = r.out.trim().split('\n');
      expect(pid).toBe('1');
      expect(host).toBe('box1');
      expect(etcHost).toBe('box1');
      for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm']) expect(dev!.split(' ')).toContain(d);
      expect(hostsHits).toBe('1');
      expect(zeros!.trim()).toBe('4');
      expect(existsSync(join(rootfs, 'etc/hosts'))).toBe(false);
      expect(existsSync(join(rootfs, 'etc/hostname'))).toBe(false);
      expect(readdirSync(join(rootfs, 'dev'))).toEqual([]);
    });

    it('network none leaves only a loopback interface', async () => {
      const r = await collect(runner, { ...base(), network: 'none', args: ['sh', '-c', 'ls /sys/class/net 2>/dev/null || cat /proc/net/dev'] });
      expect(r.exitCode).toBe(0);
      const ifaces = r.out.includes('|') ? r.out.split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean) : r.out.trim().split(/\s+/);
      expect(ifaces).toEqual(['lo']);
    });

    it('mounts binds (ro and rw) and tmpfs, and removes the mountpoints it made', async () => {
      const src = join(work, 'bindsrc');
      mkdirSync(src, { recursive: true });
      chmodSync(src, 0o777);
      writeFileSync(join(src, 'in.txt'), 'hello\n');
      const r = await collect(runner, {
        ...base(),
        mounts: [
          { type: 'bind', source: src, target: '/mnt/ro', readonly: true },
          { type: 'bind', source: src, target: '/mnt/rw', readonly: false },
          { type: 'tmpfs', target: '/scratch' },
        ],
        args: ['sh', '-c', 'cat /mnt/ro/in.txt; touch /mnt/ro/x 2>/dev/null && echo ro-writable; echo w > /mnt/rw/out.txt; echo t > /scratch/t && cat /scratch/t'],
      });
      expect(r.out).toBe('hello\nt\n');
      expect(readFileSync(join(src, 'out.txt'), 'utf8')).toBe('w\n');
      expect(existsSync(join(rootfs, 'mnt'))).toBe(false);
      expect(existsSync(join(rootfs, 'scratch'))).toBe(false);
    });

    it('refuses a mount target that escapes through a symlink: it lands inside the rootfs', async () => {
      execFileSync('ln', ['-sfn', '/../../../../etc', join(rootfs, 'evil')]);
      const r = await collect(runner, { ...base(), mounts: [{ type: 'tmpfs', target: '/evil/strata-escape-test' }], args: ['true'] });
      expect(r.exitCode).toBe(0);
      expect(existsSync('/etc/strata-escape-test')).toBe(false);
      rmSync(join(rootfs, 'evil'));
    });

    it('feeds stdin from a stream', async () => {
      const input = new PassThrough();
      input.end('line one\nline two\n');
      const r = await collect(runner, { ...base(), stdin: input, args: ['wc', '-l'] });
      expect(r.out.trim()).toBe('2');
    });

    it('kills the whole process tree on abort and leaves no mounts', async () => {
      const marker = `${4_000_000 + Math.floor(Math.random() * 1_000_000)}`;
      const ac = new AbortController();
      const out = new PassThrough();
      let seen = '';
      let polling = false;
      out.on('data', (c) => {
        seen += c;
        if (polling || !seen.includes('up')) return;
        polling = true;
        // "up" can come before the backgrounded children have exec'd sleep: abort once all three run, so the
        // kill meets the whole tree, not only the shell.
        const poll = (): void => {
          if (processesWithArg(marker).length >= 3) ac.abort();
          else setTimeout(poll, 20);
        };
        poll();
      });
      const res = await runner.run({
        ...base(),
        args: ['sh', '-c', `sleep ${marker} & sleep ${marker} & (sleep ${marker}; true) & echo up; wait`],
        stdout: out,
        signal: ac.signal,
      });
      expect(res.exitCode).toBe(137);
      expect(res.signal).toBe('SIGKILL');
      expect(processesWithArg(marker)).toEqual([]);
      expect(mountinfoMentions(rootfs)).toEqual([]);
    });

    it('fails setting up with a one-line RunnerError, not a stack or a hang', async () => {
      await expect(collect(runner, { ...base(), rootfs: join(work, 'missing'), args: ['true'] })).rejects.toMatchObject({
        code: 'RUNNER_FAILED',
        message: expect.stringContaining('is not a directory'),
      });
      const file = join(work, 'not-a-dir');
      writeFileSync(file, '');
      await expect(collect(runner, { ...base(), mounts: [{ type: 'bind', source: file, target: '/bin', readonly: false }], args: ['true'] })).rejects.toMatchObject({
        code: 'RUNNER_FAILED',
        message: expect.stringContaining('/bin'),
      });
    });

    it('an abort during setup ends the run as killed, without hanging or leaving mounts', async () => {
      for (const delay of [0, 1, 5]) {
        const ac = new AbortController();
        const running = runner.run({ ...base(), args: ['sleep', '1000'], signal: ac.signal });
        setTimeout(() => ac.abort(), delay);
        const res = await running;
        expect(res.exitCode).toBe(137);
      }
      expect(mountinfoMentions(rootfs)).toEqual([]);
      expect(processesWithArg('1000').filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep'))).toEqual([]);
    });

    it('leaves nothing mounted after success or failure', async () => {
      await collect(runner, { ...base(), args: ['true'] });
      await collect(runner, { ...base(), args: ['sh', '-c', 'exit 9'] });
      expect(mountinfoMentions(rootfs)).toEqual([]);
      expect(mountinfoMentions(work)).toEqual([]);
    });
  });
}
