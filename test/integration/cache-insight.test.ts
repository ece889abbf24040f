import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { strata, strataOk } from '../helpers/strata-cli.js';
import { files } from './build-helpers.js';

// Explained cache misses (issue 7 item 1) and `strata plan` (item 2), through the compiled CLI
// against a real store with a real busybox base; RUN steps run in the real runner.

let dir = '';
let root = '';
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-insight-'));
  root = join(dir, 'store');
  strataOk(root, ['import', busyboxRootfsTar(), 'busybox:latest']);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** context makes a fresh context folder (its own Dockerfile identity) with the given files. */
async function context(entries: Record<string, string>): Promise<string> {
  const ctx = join(dir, `ctx-${++n}`);
  await files(ctx, entries);
  return ctx;
}

interface StepOutcome {
  status: 'cached' | 'built';
  reason?: string;
}

/** build runs `strata build --progress=rawjson` and returns each non-FROM step's outcome by name. */
function build(ctx: string, args: string[] = []): Map<string, StepOutcome> {
  const r = strata(root, ['build', '--progress=rawjson', ...args, ctx]);
  if (r.code !== 0) throw new Error(`build failed: ${r.stderr}`);
  const out = new Map<string, StepOutcome>();
  for (const line of r.stderr.trim().split('\n')) {
    const e = JSON.parse(line) as { type: string; status: string; name: string; reason?: string; key?: string };
    if (e.type !== 'step') continue;
    if (e.status === 'cached') out.set(e.name, { status: 'cached' });
    if (e.status === 'done' && !/\] FROM /.test(e.name)) out.set(e.name, { status: 'built', ...(e.reason ? { reason: e.reason } : {}) });
  }
  return out;
}

/** reasonOf is the reason a build's step (found by its instruction text) was rebuilt. */
function reasonOf(steps: Map<string, StepOutcome>, text: string): string | undefined {
  for (const [name, s] of steps) if (name.endsWith(`] ${text}`)) return s.status === 'built' ? s.reason : 'CACHED';
  throw new Error(`no step ${text} in ${JSON.stringify([...steps.keys()])}`);
}

interface Predicted {
  name: string;
  key: string;
  status: 'base' | 'cached' | 'build';
  reason?: string;
}

function plan(ctx: string, args: string[] = []): Predicted[] {
  return (JSON.parse(strataOk(root, ['plan', '--format', 'json', ...args, ctx])) as { steps: Predicted[] }).steps;
}

describe('explained cache misses', () => {
  it('names a first build, changed/added/removed files, and a rebuilt parent', async () => {
    const ctx = await context({ 'Dockerfile': 'FROM busybox\nCOPY . /app\nRUN ls /app > /list\n', 'src/a.ts': 'a', 'src/b.ts': 'b', 'package.json': '{}', 'old.txt': 'x' });
    const first = build(ctx);
    expect(reasonOf(first, 'COPY . /app')).toBe('first build of this step');
    expect(reasonOf(first, 'RUN ls /app > /list')).toBe('parent step 2 was rebuilt');
    expect(reasonOf(build(ctx), 'COPY . /app')).toBe('CACHED');

    await writeFile(join(ctx, 'src/a.ts'), 'a2');
    await writeFile(join(ctx, 'src/b.ts'), 'b2');
    await writeFile(join(ctx, 'package.json'), '{"v":2}');
    const changed = build(ctx);
    expect(reasonOf(changed, 'COPY . /app')).toBe('3 files changed (package.json, src/a.ts, src/b.ts)');
    expect(reasonOf(changed, 'RUN ls /app > /list')).toBe('parent step 2 was rebuilt');

    await writeFile(join(ctx, 'new.txt'), 'n');
    await rm(join(ctx, 'old.txt'));
    expect(reasonOf(build(ctx), 'COPY . /app')).toBe('1 file added (new.txt), 1 file removed (old.txt)');
  });

  it('names a changed build arg with its old and new value', async () => {
    const ctx = await context({ 'Dockerfile': 'FROM busybox\nARG VERSION=1.0\nRUN echo $VERSION > /version\n' });
    build(ctx, ['--build-arg', 'VERSION=1.2']);
    const r = build(ctx, ['--build-arg', 'VERSION=1.3']);
    expect(reasonOf(r, 'RUN echo $VERSION > /version')).toBe('ARG VERSION changed: 1.2 → 1.3');
  });

  it('names a changed ENV', async () => {
    const ctx = await context({ 'Dockerfile': 'FROM busybox\nENV PATH=/opt/bin:$PATH\nRUN echo "$PATH" > /path\n' });
    build(ctx);
    await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nENV PATH=/opt/other:$PATH\nRUN echo "$PATH" > /path\n');
    expect(reasonOf(build(ctx), 'RUN echo "$PATH" > /path')).toBe('ENV PATH changed');
  });

  it('names a base image that now resolves to another image', async () => {
    strataOk(root, ['import', busyboxRootfsTar(), 'base:latest']);
    const ctx = await context({ 'Dockerfile': 'FROM base\nCOPY a.txt /a.txt\n', 'a.txt': 'a' });
    build(ctx);
    // the same rootfs plus one file: another image under the same name
    const tar2 = join(dir, 'base2.tar');
    await copyFile(busyboxRootfsTar(), tar2);
    await files(join(dir, 'extra'), { 'etc/extra': 'x' });
    execFileSync('tar', ['-rf', tar2, '-C', join(dir, 'extra'), 'etc/extra']);
    const id = strataOk(root, ['import', tar2, 'base:latest']).trim().split('\n').at(-1)!;
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(reasonOf(build(ctx), 'COPY a.txt /a.txt')).toBe(`base image base now resolves to ${id}`);
  });

  it('names --no-cache, and keeps every reason in the build record and the closing summary', async () => {
    const ctx = await context({ 'Dockerfile': 'FROM busybox\nCOPY a.txt /a.txt\n', 'a.txt': 'no-cache a' });
    build(ctx);
    expect(reasonOf(build(ctx, ['--no-cache']), 'COPY a.txt /a.txt')).toBe('--no-cache');
    await writeFile(join(ctx, 'a.txt'), 'a2');
    const plain = strata(root, ['build', '--progress=plain', ctx]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('rebuilt [2/2] COPY a.txt /a.txt: 1 file changed (a.txt)');
    const report = JSON.parse(strataOk(root, ['report', 'build', 'last', '--format', 'json'])) as { steps: { name: string; reason?: string }[] };
    expect(report.steps.find((s) => s.name.endsWith('COPY a.txt /a.txt'))?.reason).toBe('1 file changed (a.txt)');
  });
});

/** storeState is a fingerprint of the store's files: blob names and meta.db's bytes. */
async function storeState(): Promise<string> {
  const blobs = (await readdir(join(root, 'blobs'), { recursive: true })).sort().join('\n');
  const meta = createHash('sha256').update(await readFile(join(root, 'meta.db'))).digest('hex');
  const entries = (await readdir(root)).sort().join(',');
  return `${entries}\n${meta}\n${blobs}`;
}

/** expectPlanMatchesBuild runs `strata plan`, checks it wrote nothing, then builds and compares. */
async function expectPlanMatchesBuild(ctx: string, args: string[] = []): Promise<Predicted[]> {
  const before = await storeState();
  const predicted = plan(ctx, args);
  expect(await storeState()).toBe(before);
  const built = build(ctx, args);
  const steps = predicted.filter((p) => p.status !== 'base');
  expect(steps.map((p) => p.name)).toEqual([...built.keys()]);
  for (const p of steps) {
    const b = built.get(p.name)!;
    expect({ name: p.name, status: p.status === 'cached' ? 'cached' : 'built', reason: p.reason?.replace('will be rebuilt', 'was rebuilt') }).toEqual({
      name: p.name,
      status: b.status,
      reason: b.reason,
    });
  }
  return predicted;
}

describe('strata plan', () => {
  it('predicts exactly the hits and misses of the following build, and writes nothing', async () => {
    const ctx = await context({
      'Dockerfile': 'FROM busybox\nARG V=1\nCOPY a.txt /a.txt\nRUN echo $V > /v\nCOPY b.txt /b.txt\n',
      'a.txt': 'plan a',
      'b.txt': 'plan b',
    });
    const first = await expectPlanMatchesBuild(ctx);
    expect(first.map((p) => p.status)).toEqual(['base', 'build', 'build', 'build']);

    const same = await expectPlanMatchesBuild(ctx);
    expect(same.map((p) => p.status)).toEqual(['base', 'cached', 'cached', 'cached']);
    expect(same.map((p) => p.key)).toEqual(first.map((p) => p.key));

    await writeFile(join(ctx, 'b.txt'), 'b2');
    const oneFile = await expectPlanMatchesBuild(ctx);
    expect(oneFile.map((p) => p.status)).toEqual(['base', 'cached', 'cached', 'build']);
    expect(oneFile[3]!.reason).toBe('1 file changed (b.txt)');

    const arg = await expectPlanMatchesBuild(ctx, ['--build-arg', 'V=2']);
    expect(arg.map((p) => p.status)).toEqual(['base', 'cached', 'build', 'build']);
    expect(arg.map((p) => p.reason)).toEqual([undefined, undefined, 'ARG V changed: 1 → 2', 'parent step 3 will be rebuilt']);

    const noCache = await expectPlanMatchesBuild(ctx, ['--no-cache']);
    expect(noCache.map((p) => p.reason)).toEqual([undefined, '--no-cache', '--no-cache', '--no-cache']);
  });

  it('predicts that a step two stages share is built once, as the build does', async () => {
    const ctx = await context({
      'Dockerfile': [
        'FROM busybox AS one',
        'WORKDIR /w',
        'RUN echo shared > /w/s',
        'RUN echo one > /w/n',
        'FROM busybox AS two',
        'WORKDIR /w',
        'RUN echo shared > /w/s',
        'RUN echo two > /w/n',
        'FROM busybox',
        'COPY --from=one /w /one',
        'COPY --from=two /w /two',
      ].join('\n'),
    });
    const predicted = plan(ctx);
    const byName = new Map(predicted.map((p) => [p.name, p]));
    expect(byName.get('[two 2/4] WORKDIR /w')).toMatchObject({ status: 'cached', reason: 'the same step as [one 2/4] WORKDIR /w, built once' });
    expect(byName.get('[two 3/4] RUN echo shared > /w/s')?.status).toBe('cached');
    expect(byName.get('[two 4/4] RUN echo two > /w/n')?.status).toBe('build');
    // the build takes one of each pair from the other (which stage gets there first is the scheduler's
    // business), and builds the rest, as predicted
    const built = build(ctx);
    for (const step of ['2/4] WORKDIR /w', '3/4] RUN echo shared > /w/s']) {
      expect([built.get(`[one ${step}`)?.status, built.get(`[two ${step}`)?.status].sort()).toEqual(['built', 'cached']);
    }
    for (const name of ['[one 4/4] RUN echo one > /w/n', '[two 4/4] RUN echo two > /w/n', '[stage-2 2/3] COPY --from=one /w /one']) expect(built.get(name)?.status).toBe('built');
    expect(predicted.filter((p) => p.status === 'build')).toHaveLength([...built.values()].filter((b) => b.status === 'built').length);
  });

  it('prints a readable plan with short keys', async () => {
    const ctx = await context({ 'Dockerfile': 'FROM busybox\nCOPY a.txt /never.txt\n', 'a.txt': 'never built' });
    const text = strataOk(root, ['plan', ctx]);
    expect(text).toMatch(/\[2\/2\] COPY a\.txt \/never\.txt\s+[0-9a-f]{12}\s+BUILD\s+first build of this step/);
    expect(text).toContain('plan: 2 steps, 0 cached, 1 to build');
  });
});
