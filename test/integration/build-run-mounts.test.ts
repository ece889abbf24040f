import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { strata, strataOk } from '../helpers/strata-cli.js';
import { files, imageConfig, imageTree, type TreeEntry } from './build-helpers.js';

// RUN --mount needs the chroot runner (root) and the CLI built by `npm run build`.
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('build-run-mounts.test.ts: RUN --mount needs root for the chroot runner; these tests are SKIPPED');
const hasAgent = spawnSync('sh', ['-c', 'command -v ssh-agent && command -v ssh-add && command -v ldd']).status === 0;
if (isRoot && !hasAgent) console.warn('build-run-mounts.test.ts: ssh-agent/ssh-add/ldd missing (openssh-client): the ssh forwarding test is SKIPPED');

let dir: string;
let root: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-mounts-'));
  root = join(dir, 'store');
  strataOk(root, ['import', busyboxRootfsTar(), 'busybox:latest']);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** newContext makes a fresh context folder with a Dockerfile and files. */
async function newContext(dockerfile: string, spec: Parameters<typeof files>[1] = {}): Promise<string> {
  const ctx = join(dir, `ctx-${n++}`);
  await mkdir(ctx);
  await files(ctx, { Dockerfile: dockerfile, ...spec });
  return ctx;
}

/** build runs `strata build` and returns the image id and the CLI's output. */
function build(ctx: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): { id: string; out: string } {
  const iid = join(ctx, '..', `${basename(ctx)}.iid`);
  const r = strata(root, ['build', '--progress', 'plain', '--iidfile', iid, ...args, ctx], { env });
  if (r.code !== 0) throw new Error(`strata build exited ${r.code}: ${r.stderr}`);
  const id = spawnSync('cat', [iid]).stdout.toString();
  return { id, out: r.stderr + r.stdout };
}

async function withStore<T>(fn: (s: ReturnType<typeof openStore>) => Promise<T>): Promise<T> {
  const s = openStore(root);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

const tree = (id: string): Promise<Map<string, TreeEntry>> => withStore((s) => imageTree(s, id));
const sha = (v: string): string => createHash('sha256').update(v).digest('hex');
const content = (t: Map<string, TreeEntry>, p: string): string | undefined => t.get(p)?.content;

/** storeContains looks for `needle` in the store's database files and in every blob, gunzipped when compressed. */
async function storeContains(needle: string): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (p === join(root, 'snapshots')) continue; // unpacked layers: checked through the image tree
        await walk(p);
        continue;
      }
      if (!e.isFile()) continue;
      let buf = await readFile(p);
      if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
      if (buf.includes(needle)) hits.push(p);
    }
  };
  await walk(root);
  return hits;
}

describe.skipIf(!isRoot)('RUN --mount (CLI, busybox, chroot runner)', () => {
  it('keeps a cache mount across builds, out of the layer, until builder prune', async () => {
    // the target comes from an ARG: mount options are expanded as BuildKit does
    const ctx = await newContext('FROM busybox\nARG X\nARG DIR=/var/cache/app\nRUN --mount=type=cache,target=$DIR echo "$X" >> /var/cache/app/log && cat /var/cache/app/log > /seen\n');
    const a = build(ctx, ['--build-arg', 'X=one']);
    expect(content(await tree(a.id), '/seen')).toBe('one\n');
    const b = build(ctx, ['--build-arg', 'X=two']);
    const t = await tree(b.id);
    expect(content(t, '/seen')).toBe('one\ntwo\n');
    // the cache directory and its mountpoint never reach a layer (busybox has no /var/cache)
    expect([...t.keys()].filter((p) => p.startsWith('/var/cache'))).toEqual([]);
    expect((await readdir(join(root, 'cache-mounts'))).length).toBeGreaterThan(0);
    expect(strataOk(root, ['builder', 'prune', '-a', '-f'])).toMatch(/Deleted build cache objects: [1-9]/);
    expect((await readdir(join(root, 'cache-mounts'))).filter((f) => !f.endsWith('.id'))).toEqual([]);
    const c = build(ctx, ['--build-arg', 'X=three']);
    expect(content(await tree(c.id), '/seen')).toBe('three\n');
  });

  it('serialises parallel stages on a sharing=locked cache, and lets sharing=shared ones meet', async () => {
    // locked: each step marks the cache busy for a while; a step that finds it busy says "overlap"
    const locked = (me: string): string =>
      `FROM busybox AS ${me}\nRUN --mount=type=cache,id=lk,target=/c,sharing=locked sh -c 'if [ -e /c/busy ]; then echo overlap; else echo alone; fi > /r; touch /c/busy; sleep 1; rm /c/busy'\n`;
    // shared: each step waits (bounded) for the other's mark: both can only meet if they run at once
    const shared = (me: string, other: string): string =>
      `FROM busybox AS ${me}\nRUN --mount=type=cache,id=sh,target=/c,sharing=shared sh -c 'touch /c/${me}; i=0; while [ ! -e /c/${other} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; [ -e /c/${other} ] && echo met > /r || echo missed > /r'\n`;
    const df = [locked('la'), locked('lb'), shared('sa', 'sb'), shared('sb', 'sa'), 'FROM busybox', 'COPY --from=la /r /la', 'COPY --from=lb /r /lb', 'COPY --from=sa /r /sa', 'COPY --from=sb /r /sb', ''].join('\n');
    const t = await tree(build(await newContext(df)).id);
    expect([content(t, '/la'), content(t, '/lb')]).toEqual(['alone\n', 'alone\n']);
    expect([content(t, '/sa'), content(t, '/sb')]).toEqual(['met\n', 'met\n']);
  });

  it('binds the context (.dockerignore applied, never escaping, rw writes discarded), a stage, and a tmpfs; binds count in the key', async () => {
    const df = [
      'FROM busybox AS s',
      'RUN echo staged > /staged.txt && mkdir /seed && echo seeded > /seed/f',
      'FROM busybox',
      'RUN --mount=type=bind,from=busybox,target=/img ls /img/bin/busybox > /img.txt',
      'RUN --mount=type=cache,id=seeded,target=/sc,from=s,source=/seed cat /sc/f > /seeded.txt',
      'WORKDIR /w',
      'RUN --mount=type=bind,source=data,target=rel cat /w/rel/keep.txt > /rel.txt',
      'RUN --mount=type=bind,source=data,target=/d ls /d > /ls.txt && cat /d/keep.txt > /keep.txt',
      "RUN --mount=type=bind,source=data,target=/d sh -c 'touch /d/x 2>/dev/null && echo writable || echo readonly' > /ro.txt",
      'RUN --mount=type=bind,source=data,target=/d,rw echo x > /d/new.txt && ls /d > /ls-rw.txt',
      'RUN --mount=type=bind,from=s,source=/staged.txt,target=/m/staged.txt cat /m/staged.txt > /from-stage.txt',
      'RUN --mount=type=bind,source=../..,target=/esc ls /esc > /esc.txt',
      "RUN --mount=type=tmpfs,target=/t,size=1m sh -c 'grep \" /t tmpfs \" /proc/mounts > /tmpfs.txt; echo x > /t/f'",
      'RUN --network=none ip -o link | wc -l > /nlinks',
      '',
    ].join('\n');
    const ctx = await newContext(df, { 'data/keep.txt': 'keep', 'data/private.key': 'KEY', '.dockerignore': 'data/*.key\n' });
    const first = build(ctx);
    const t = await tree(first.id);
    expect(content(t, '/ls.txt')).toBe('keep.txt\n');
    expect(content(t, '/keep.txt')).toBe('keep');
    expect(content(t, '/ro.txt')).toBe('readonly\n');
    expect(content(t, '/ls-rw.txt')).toBe('keep.txt\nnew.txt\n');
    await expect(stat(join(ctx, 'data/new.txt'))).rejects.toThrow();
    expect(content(t, '/from-stage.txt')).toBe('staged\n');
    expect(content(t, '/img.txt')).toBe('/img/bin/busybox\n');
    expect(content(t, '/seeded.txt')).toBe('seeded\n');
    expect(content(t, '/rel.txt')).toBe('keep');
    expect([...t.keys()].filter((p) => p.startsWith('/w/') || p === '/img' || p === '/sc')).toEqual([]);
    expect(content(t, '/esc.txt')?.split('\n')).toContain('data');
    expect(content(t, '/esc.txt')).not.toMatch(/store|ctx-/);
    expect(content(t, '/tmpfs.txt')).toMatch(/ \/t tmpfs .*size=1024k/);
    expect(content(t, '/nlinks')?.trim()).toBe('1');
    for (const p of ['/d', '/m', '/esc', '/t']) expect(t.has(p)).toBe(false);
    // unchanged: all cached; the bound file changed: the steps binding data/ run again
    expect(build(ctx).id).toBe(first.id);
    await writeFile(join(ctx, 'data/keep.txt'), 'changed');
    const third = build(ctx);
    expect(content(await tree(third.id), '/keep.txt')).toBe('changed');
    // an ignored file is no input of the key
    await writeFile(join(ctx, 'data/private.key'), 'KEY2');
    expect(build(ctx).id).toBe(third.id);
  });

  it('mounts secrets from a file and from a variable, and keeps them out of layers, history, config and cache records', async () => {
    const df = [
      'FROM busybox',
      // compared by hash: the Dockerfile (and so the history) must not hold the values either
      `RUN --mount=type=secret,id=tok [ "$(sha256sum < /run/secrets/tok | cut -c1-64)" = ${sha('S3CRETfile')} ] && stat -c %a /run/secrets/tok > /mode`,
      `RUN --mount=type=secret,id=envtok,env=TOKEN,required [ "$(printf %s "$TOKEN" | sha256sum | cut -c1-64)" = ${sha('S3CRETenv')} ] && echo ok > /env-ok`,
      'RUN --mount=type=secret,id=tok,target=/tmp/t,mode=0440 stat -c %a /tmp/t > /mode2',
      '',
    ].join('\n');
    const ctx = await newContext(df);
    const secretFile = join(dir, 'secret.txt');
    await writeFile(secretFile, 'S3CRETfile');
    const args = ['--secret', `id=tok,src=${secretFile}`, '--secret', 'id=envtok,env=MY_TOKEN'];
    const r = build(ctx, args, { MY_TOKEN: 'S3CRETenv' });
    const t = await tree(r.id);
    expect(content(t, '/mode')).toBe('400\n');
    expect(content(t, '/mode2')).toBe('440\n');
    expect(content(t, '/env-ok')).toBe('ok\n');
    expect([...t.keys()].filter((p) => p.startsWith('/run') || p === '/tmp/t')).toEqual([]);
    const cfg = await withStore((s) => imageConfig(s, r.id));
    expect(JSON.stringify(cfg)).not.toMatch(/S3CRET/);
    expect(r.out).not.toMatch(/S3CRET/);
    expect(await storeContains('S3CRETfile')).toEqual([]);
    expect(await storeContains('S3CRETenv')).toEqual([]);
    // only the id counts in the key: another value reuses the cache, as in BuildKit
    await writeFile(secretFile, 'S3CRETchanged');
    expect(build(ctx, args, { MY_TOKEN: 'S3CRETenv' }).id).toBe(r.id);
  });

  it('fails with the line when a required secret is missing', async () => {
    const ctx = await newContext('FROM busybox\nRUN --mount=type=secret,id=nope,required true\n');
    const r = strata(root, ['build', '--progress', 'plain', ctx]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Dockerfile:2.*secret nope is required/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!hasAgent)('forwards an ssh agent to $SSH_AUTH_SOCK', async () => {
    // ssh-add from the host runs in the step through its own loader and libraries, bound from the context
    const libs = spawnSync('ldd', ['/usr/bin/ssh-add']).stdout.toString().match(/\/\S+/g) ?? [];
    const ctx = await newContext(
      [
        'FROM busybox',
        "RUN --mount=type=bind,source=h,target=/h --mount=type=ssh sh -c 'echo $SSH_AUTH_SOCK > /sock; /h/ld.so --library-path /h /h/ssh-add -l > /out 2>&1; echo $? >> /out'",
        '',
      ].join('\n'),
    );
    await mkdir(join(ctx, 'h'));
    for (const l of libs) await copyFile(l, join(ctx, 'h', /ld-linux/.test(l) ? 'ld.so' : basename(l)));
    await copyFile('/usr/bin/ssh-add', join(ctx, 'h', 'ssh-add'));
    const sock = join(dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !(await stat(sock).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 50));
      const t = await tree(build(ctx, ['--ssh', `default=${sock}`]).id);
      expect(content(t, '/sock')).toBe('/run/buildkit/ssh_agent.0\n');
      // exit 1 with this message is an agent that answered (2 would be "could not connect")
      expect(content(t, '/out')).toBe('The agent has no identities.\n1\n');
      expect([...t.keys()].filter((p) => p.startsWith('/run') || p === '/h' || p.startsWith('/h/'))).toEqual([]);
    } finally {
      agent.kill();
    }
  });
});
