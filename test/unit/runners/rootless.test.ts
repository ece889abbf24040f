import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RootlessRunner } from '../../../runners/rootless/rootless-runner.js';
import { busyboxRootfsTar } from '../../helpers/busybox.js';
import { compileRunners, ensureTestUser, RemoteRunner } from './remote-runner.js';
import { collect, runnerSuite } from './runner-suite.js';

const skip = process.getuid?.() !== 0 ? 'creating the unprivileged test user needs root' : undefined;
if (skip) console.warn(`rootless runner suite skipped: ${skip}`);

let compiled: string | undefined;
let ids = { uid: 0, gid: 0 };

runnerSuite({
  name: 'rootless (as an unprivileged user with subuid ranges)',
  make: () => {
    ids = ensureTestUser('strata-rootless');
    compiled = compileRunners();
    return new RemoteRunner(compiled, ids.uid, ids.gid);
  },
  // The user unpacked its rootfs: its files belong to the user, who is root inside.
  prepareRootfs: (dir) => execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]),
  expectedKinds: ['rootless'],
  skip,
});

afterAll(() => {
  if (compiled) rmSync(compiled, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)('rootless runner specifics', () => {
  let work: string;
  let rootfs: string;
  let runner: RemoteRunner;
  let user = { uid: 0, gid: 0 };
  beforeAll(() => {
    user = ensureTestUser('strata-rootless');
    runner = new RemoteRunner(compileRunners(), user.uid, user.gid);
    work = mkdtempSync(join(tmpdir(), 'strata-rootless-'));
    chmodSync(work, 0o755);
    rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    execFileSync('tar', ['-C', rootfs, '-xf', busyboxRootfsTar()]);
    chmodSync(rootfs, 0o755);
    execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, rootfs]);
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('chowns files to several ids inside, landing on the subordinate ids outside', async () => {
    const r = await collect(runner, {
      rootfs,
      args: ['sh', '-c', 'touch /a /b /c; chown 1:1 /a; chown 1000:2000 /b; chown 65534:65534 /c; ls -ln /a /b /c | while read m l u g rest; do echo "$u:$g"; done'],
      env: ['PATH=/bin:/usr/bin'],
      cwd: '/',
      user: { uid: 0, gid: 0 },
      mounts: [],
      network: 'none',
    });
    expect(r.err).toBe('');
    expect(r.out.trim().split('\n')).toEqual(['1:1', '1000:2000', '65534:65534']);
    const subuid = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith('strata-rootless:'))!.split(':');
    const start = Number(subuid[1]);
    expect(statSync(join(rootfs, 'a')).uid).toBe(start);
    expect(statSync(join(rootfs, 'b')).uid).toBe(start + 999);
    expect(statSync(join(rootfs, 'c')).uid).toBe(start + 65533);
  });

  it('names what is missing when the user has no subordinate ids', async () => {
    const bare = new RootlessRunner({ subuidFile: join(work, 'none'), subgidFile: join(work, 'none') });
    await expect(bare.enterArgs({ user: { uid: 1000, gid: 1000 } })).rejects.toMatchObject({
      code: 'RUNNER_UNAVAILABLE',
      message: expect.stringContaining(`no subordinate uids for`),
    });
    // Root alone needs no subordinate ids.
    expect(await bare.enterArgs({ user: { uid: 0, gid: 0 } })).toContain('--map-root-user');
  });
});
