import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheMounts, pruneCacheMounts } from '../../../src/build/cache-mounts.js';
import { parseSecretFlag, readSecret } from '../../../src/build/secrets.js';
import { parseSshFlag } from '../../../src/build/ssh-forward.js';

describe('--secret', () => {
  it('reads src/source files, env variables, explicit types and the id-named variable', () => {
    expect(parseSecretFlag('id=a,src=/f')).toEqual(['a', { kind: 'file', path: '/f' }]);
    expect(parseSecretFlag('id=a,source=/f')).toEqual(['a', { kind: 'file', path: '/f' }]);
    expect(parseSecretFlag('id=a,env=VAR')).toEqual(['a', { kind: 'env', name: 'VAR' }]);
    expect(parseSecretFlag('id=a,type=env,src=VAR')).toEqual(['a', { kind: 'env', name: 'VAR' }]);
    expect(parseSecretFlag('id=a,type=file,src=/f')).toEqual(['a', { kind: 'file', path: '/f' }]);
    expect(parseSecretFlag('id=TOKEN')).toEqual(['TOKEN', { kind: 'env', name: 'TOKEN' }]);
  });

  it('rejects bad specs with a clear error', () => {
    expect(() => parseSecretFlag('src=/f')).toThrow(/id= is required/);
    expect(() => parseSecretFlag('id=a,type=socket')).toThrow(/type must be file or env/);
    expect(() => parseSecretFlag('id=a,bogus=1')).toThrow(/unknown key bogus/);
    expect(() => parseSecretFlag('id=a,novalue')).toThrow(/is not KEY=VALUE/);
  });

  it('reads a missing file or variable as undefined', async () => {
    expect(await readSecret({ kind: 'file', path: join(tmpdir(), 'strata-no-such-secret') })).toBeUndefined();
    expect(await readSecret({ kind: 'env', name: 'STRATA_NO_SUCH_VARIABLE' })).toBeUndefined();
  });
});

describe('--ssh', () => {
  it('takes ID=SOCKET, and a lone id from SSH_AUTH_SOCK', () => {
    expect(parseSshFlag('default=/s.sock')).toEqual(['default', '/s.sock']);
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = '/agent.sock';
    try {
      expect(parseSshFlag('default')).toEqual(['default', '/agent.sock']);
      delete process.env.SSH_AUTH_SOCK;
      expect(() => parseSshFlag('default')).toThrow(/SSH_AUTH_SOCK is not set/);
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });
});

describe('CacheMounts', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-cache-mounts-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, mode: 0o750 };

  it('keeps one directory per id with the given mode, shared by concurrent users', async () => {
    const c = new CacheMounts(root);
    const one = await c.acquire('id', 'shared', owner);
    expect((await stat(one.dir)).mode & 0o777).toBe(0o750);
    await writeFile(join(one.dir, 'kept'), 'x');
    const two = await c.acquire('id', 'shared', owner);
    expect(two.dir).toBe(one.dir);
    await one.release();
    await two.release();
    // a later build (another CacheMounts on the same store) finds the files
    const again = await new CacheMounts(root).acquire('id', 'locked', owner);
    expect(await readdir(again.dir)).toEqual(['kept']);
    await again.release();
  });

  it('gives a private user a fresh directory while the shared one is held, and drops it after', async () => {
    const c = new CacheMounts(root);
    const held = await c.acquire('id', 'shared', owner);
    await writeFile(join(held.dir, 'f'), 'x');
    const priv = await c.acquire('id', 'private', owner);
    expect(priv.dir).not.toBe(held.dir);
    expect(await readdir(priv.dir)).toEqual([]);
    await priv.release();
    await expect(stat(priv.dir)).rejects.toThrow();
    await held.release();
  });

  it('hands a locked id to one user at a time, in order', async () => {
    const c = new CacheMounts(root);
    const order: string[] = [];
    const first = await c.acquire('id', 'locked', owner);
    const second = c.acquire('id', 'locked', owner).then((h) => (order.push('second'), h));
    // the second waits until the first releases; nothing else lets it through
    order.push('first-releases');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first-releases', 'second']);
  });

  it('locks a locked id between processes (separate CacheMounts on one store), taking over a dead owner\'s lock', async () => {
    const a = new CacheMounts(root);
    const b = new CacheMounts(root);
    const order: string[] = [];
    const first = await a.acquire('id', 'locked', owner);
    const second = b.acquire('id', 'locked', owner).then((h) => (order.push('second'), h));
    order.push('first-releases');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first-releases', 'second']);
    // a lock file left by a process that no longer exists does not block
    const { createHash } = await import('node:crypto');
    const name = createHash('sha256').update('dead').digest('hex').slice(0, 32);
    await writeFile(join(root, `${name}.lock`), '2147483646');
    await (await a.acquire('dead', 'locked', owner)).release();
    await expect(stat(join(root, `${name}.lock`))).rejects.toThrow();
  });

  it('prunes every cache mount, or only those unused since a time', async () => {
    const c = new CacheMounts(join(root, 'cache-mounts'));
    await (await c.acquire('a', 'shared', owner)).release();
    await (await c.acquire('b', 'shared', owner)).release();
    expect(await pruneCacheMounts(root, { until: 0 })).toBe(0);
    expect(await pruneCacheMounts(root)).toBe(2);
    expect(await readdir(join(root, 'cache-mounts'))).toEqual([]);
  });
});
