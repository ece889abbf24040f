import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { files, run, sandbox, statuses, type Sandbox } from './build-helpers.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await sandbox();
  await files(sb.ctx, {
    'src/a.ts': 'a',
    'src/b.ts': 'b',
    'etc/app.conf': 'x=1',
    'notes.log': 'ignored',
    '.dockerignore': '*.log\n',
  });
});
afterEach(async () => {
  await sb.close();
});

const DF = ['FROM scratch', 'COPY src/ /app/src/', 'WORKDIR /app', 'COPY . /all/', 'COPY etc/app.conf /etc/app.conf'].join('\n');

describe('build cache', () => {
  it('hits every step on a rebuild with nothing changed, and gives the same image', async () => {
    const first = await run(sb, DF);
    expect(Object.values(statuses(first))).toEqual(['built', 'built', 'built', 'built']);
    const again = await run(sb, DF);
    expect(statuses(again)).toEqual({ 'COPY src/ /app/src/': 'cached', 'WORKDIR /app': 'cached', 'COPY . /all/': 'cached', 'COPY etc/app.conf /etc/app.conf': 'cached' });
    expect(again.imageId).toBe(first.imageId);
    expect(again.events.filter((e) => e.type === 'step' && e.status === 'cached')).toHaveLength(4);
  });

  it('still hits when only mtimes changed', async () => {
    await run(sb, DF);
    for (const f of ['src/a.ts', 'src/b.ts', 'etc/app.conf', 'Dockerfile']) await utimes(join(sb.ctx, f), new Date(5_000_000), new Date(5_000_000));
    const r = await run(sb, DF);
    expect(Object.values(statuses(r)).every((s) => s === 'cached')).toBe(true);
  });

  it('misses only the steps that read a changed file', async () => {
    await run(sb, DF);
    await writeFile(join(sb.ctx, 'etc/app.conf'), 'x=2');
    const r = await run(sb, DF);
    // the last COPY and the `COPY .` (which holds etc/ too) read it; nothing else does
    expect(statuses(r)).toEqual({ 'COPY src/ /app/src/': 'cached', 'WORKDIR /app': 'cached', 'COPY . /all/': 'built', 'COPY etc/app.conf /etc/app.conf': 'built' });
    const last = r.steps.find((s) => s.name.includes('COPY etc/app.conf'))!;
    expect(last.reason).toBe('1 file changed (etc/app.conf); parent step 4 was rebuilt');
  });

  it('misses only the last step when the file only it copies changes', async () => {
    const df = ['FROM scratch', 'COPY src/ /app/src/', 'COPY etc/app.conf /etc/app.conf'].join('\n');
    await run(sb, df);
    await writeFile(join(sb.ctx, 'etc/app.conf'), 'x=3');
    expect(statuses(await run(sb, df))).toEqual({ 'COPY src/ /app/src/': 'cached', 'COPY etc/app.conf /etc/app.conf': 'built' });
  });

  it('hits when an ignored file changes', async () => {
    await run(sb, DF);
    await writeFile(join(sb.ctx, 'notes.log'), 'changed');
    const r = await run(sb, DF);
    expect(Object.values(statuses(r)).every((s) => s === 'cached')).toBe(true);
  });

  it('--no-cache and --no-cache-filter rebuild what they name', async () => {
    const df = ['FROM scratch AS base', 'COPY src/ /src/', 'FROM base AS final', 'COPY etc/ /etc/'].join('\n');
    await run(sb, df);
    const all = await run(sb, df, { noCache: true });
    expect(all.steps.filter((s) => s.status === 'built').map((s) => s.reason)).toEqual(['--no-cache', '--no-cache']);
    const filtered = await run(sb, df, { noCacheFilter: ['final'] });
    expect(statuses(filtered)).toEqual({ 'COPY src/ /src/': 'cached', 'COPY etc/ /etc/': 'built' });
  });

  it('records each build with its steps in the store', async () => {
    const r = await run(sb, DF);
    const rec = sb.store.getBuildRecord<{ status: string; imageId: string; steps: { status: string; startedAt: number; parts?: Record<string, number> }[] }>(r.buildId);
    expect(rec?.record.status).toBe('done');
    expect(rec?.record.steps.every((s) => typeof s.startedAt === 'number' && s.startedAt >= rec.started)).toBe(true);
    expect(rec?.record.steps.at(-1)?.parts).toMatchObject({ cacheLookup: expect.any(Number) as unknown as number, compression: expect.any(Number) as unknown as number });
    expect(rec?.record.imageId).toBe(r.imageId);
    expect(rec?.record.steps).toHaveLength(5);
    const cache = sb.store.getCacheRecord<{ inputs: { instruction: string; sources: Record<string, string> } }>(r.steps[4]!.key);
    expect(cache?.inputs.inputs.instruction).toBe('COPY etc/app.conf /etc/app.conf');
    expect(Object.keys(cache?.inputs.inputs.sources ?? {})).toEqual(['etc/app.conf']);
  });
});

describe('reproducibility', () => {
  it('two builds with SOURCE_DATE_EPOCH in two empty stores give the same image digest', async () => {
    const df = ['FROM scratch', 'COPY src/ /app/src/', 'WORKDIR /app/data', 'COPY <<EOF /app/note', 'hello', 'EOF', 'ENV A=1', 'CMD ["x"]'].join('\n');
    const a = await run(sb, df, { buildArgs: { SOURCE_DATE_EPOCH: '1700000000' } });
    const other = openStore(join(sb.dir, 'store2'));
    try {
      await writeFile(join(sb.ctx, 'Dockerfile'), df);
      const { build } = await import('../../src/build/build.js');
      const b = await build({ store: other, context: sb.ctx, buildArgs: { SOURCE_DATE_EPOCH: '1700000000' } });
      expect(b.imageId).toBe(a.imageId);
      expect(b.manifestDigest).toBe(a.manifestDigest);
      expect(b.config.created).toBe('2023-11-14T22:13:20.000Z');
    } finally {
      other.close();
    }
  });
});
