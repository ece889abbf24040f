import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSnapshotter } from '../../src/snapshot/select.js';
import { openStore } from '../../src/store/store.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { strata, strataOk, strataSpawn } from '../helpers/strata-cli.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('containers-cleanup.test.ts: RUN needs root for the chroot runner; these tests are SKIPPED');

/**
 * A build or run that fails, is stopped with SIGINT/SIGTERM, or whose strata is SIGKILLed leaves no
 * mount, no process of the step, and a store the next build uses (leftover working snapshots swept).
 */
let work: string;
let root: string;
let ctx: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'strata-cleanup-'));
  root = join(work, 'root');
  ctx = join(work, 'ctx');
  mkdirSync(ctx);
  strataOk(root, ['import', busyboxRootfsTar(), 'busybox']);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
// A failed assertion must not leave a spawned strata running (it would hold the store and its step).
const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const c of spawned.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGINT');
});
const spawnCli = (args: string[]): ChildProcess => {
  const c = strataSpawn(root, args);
  spawned.push(c);
  return c;
};

function dockerfile(text: string): void {
  writeFileSync(join(ctx, 'Dockerfile'), text);
}

/** A RUN step that says it started, then sleeps with a duration no other process uses (its marker). */
// The output is computed ($((1+1))) so that the step's own title line never matches it.
const sleeper = (n: number) => `FROM busybox\nRUN echo STEP-$((1+1))-STARTED; sleep ${n}; echo never\n`;

function mountsOfStore(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(root));
}

function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker)) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** untilNoProcesses waits for a condition the kernel completes asynchronously (a parent-death signal's chain). */
async function untilNoProcesses(marker: string): Promise<number[]> {
  for (let i = 0; i < 400; i++) {
    const left = processesWith(marker);
    if (left.length === 0) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
  return processesWith(marker);
}

async function workingSnapshots(): Promise<string[]> {
  const store = openStore(root);
  try {
    const sn = createSnapshotter('auto', store.snapshotsDir);
    return (await sn.list()).filter((s) => s.kind !== 'committed').map((s) => s.key);
  } finally {
    store.close();
  }
}

function untilOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const on = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) resolve();
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing ${text}: ${seen}`)));
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
}

/** nextBuildWorks builds again on the same store: it must succeed and leave no working snapshot. */
async function nextBuildWorks(): Promise<void> {
  dockerfile('FROM busybox\nRUN echo after > /after\n');
  strataOk(root, ['build', '--progress', 'plain', '-t', 'after', ctx]);
  expect(strataOk(root, ['run', '--rm', 'after', 'cat', '/after'])).toBe('after\n');
  expect(await workingSnapshots()).toEqual([]);
  expect(mountsOfStore()).toEqual([]);
}

describe.skipIf(!isRoot)('cleanup after builds and runs', () => {
  it('a failed RUN (exit 3) leaves no mount, process or working snapshot', async () => {
    dockerfile('FROM busybox\nRUN echo failing; exit 3\n');
    const r = strata(root, ['build', '--progress', 'plain', ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RUN exited with code 3');
    expect(mountsOfStore()).toEqual([]);
    expect(await workingSnapshots()).toEqual([]);
    await nextBuildWorks();
  });

  it('SIGINT during a RUN step stops its process tree, unmounts and removes the working snapshot', async () => {
    dockerfile(sleeper(987661));
    const child = spawnCli(['build', '--progress', 'plain', ctx]);
    const exited = exitOf(child);
    await untilOutput(child, 'STEP-2-STARTED');
    expect(processesWith('987661').length).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 130, signal: null });
    // SIGKILL to the step's pid namespace init is delivered before the runner settles; on a busy
    // machine the killed processes may take a moment to be scheduled out (bounded wait)
    expect(await untilNoProcesses('987661')).toEqual([]);
    expect(mountsOfStore()).toEqual([]);
    expect(await workingSnapshots()).toEqual([]);
    await nextBuildWorks();
  });

  it('SIGKILL of strata mid-RUN: the step\'s processes die with it, no mount stays, the next build sweeps', async () => {
    dockerfile(sleeper(987662));
    const child = spawnCli(['build', '--progress', 'plain', ctx]);
    const exited = exitOf(child);
    await untilOutput(child, 'STEP-2-STARTED');
    child.kill('SIGKILL');
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });
    // parent-death signal → keeper → pid namespace init: asynchronous, so wait for it (bounded)
    expect(await untilNoProcesses('987662')).toEqual([]);
    expect(mountsOfStore()).toEqual([]);
    expect((await workingSnapshots()).some((k) => k.startsWith('run-'))).toBe(true);
    await nextBuildWorks();
  });

  it('SIGTERM stops `strata run`: the container exits, its processes and mounts are gone, --rm removes it', async () => {
    const child = spawnCli(['run', '--rm', '--name', 'stopped', 'busybox', 'sh', '-c', 'echo RUN-$((1+1))-STARTED; sleep 987663; echo never']);
    const exited = exitOf(child);
    await untilOutput(child, 'RUN-2-STARTED');
    child.kill('SIGTERM');
    const { code } = await exited;
    expect(code).toBeGreaterThan(128);
    expect(await untilNoProcesses('987663')).toEqual([]);
    expect(mountsOfStore()).toEqual([]);
    expect(strataOk(root, ['ps', '-aq'])).toBe('');
    expect(await workingSnapshots()).toEqual([]);
  });
});
