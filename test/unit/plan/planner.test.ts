import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryChecksumCache, noIgnore } from '../../../src/context/index.js';
import { parseDockerfile } from '../../../src/dockerfile/index.js';
import type { ImageConfig } from '../../../src/image/oci.js';
import { planBuild, type Plan, type PlanRequest } from '../../../src/plan/index.js';

let ctx = '';
beforeAll(async () => {
  ctx = await mkdtemp(join(tmpdir(), 'strata-plan-'));
  await writeFile(join(ctx, 'a.txt'), 'a');
});
afterAll(async () => {
  await rm(ctx, { recursive: true, force: true });
});

const baseConfig: ImageConfig = { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin', 'HOME=/root'], User: 'daemon', WorkingDir: '/home' }, rootfs: { type: 'layers', diff_ids: [] } };

async function plan(src: string, over: Partial<PlanRequest> = {}): Promise<Plan> {
  return planBuild({
    dockerfile: parseDockerfile(src, { file: 'Dockerfile' }),
    source: src,
    file: 'Dockerfile',
    buildArgs: {},
    platform: { os: 'linux', architecture: 'amd64' },
    resolver: { resolve: async (ref) => ({ ref, id: `sha256:${'1'.repeat(64)}` as never, config: baseConfig }) },
    context: { root: ctx, ignore: noIgnore, cache: memoryChecksumCache() },
    ...over,
  });
}

describe('ARG and ENV scoping (BuildKit rules)', () => {
  it('uses global ARGs in FROM, needs re-declaration inside a stage, lets --build-arg win', async () => {
    const src = 'ARG TAG=1\nARG UNUSED_IN_STAGE=x\nFROM base:${TAG}\nARG TAG\nENV T=${TAG} U=${UNUSED_IN_STAGE:-unset}\n';
    const p = await plan(src);
    expect(p.stages[0]!.steps[0]!.text).toBe('FROM docker.io/library/base:1');
    expect(p.stages[0]!.config.config?.Env).toEqual(['PATH=/bin', 'HOME=/root', 'T=1', 'U=unset']);
    const q = await plan(src, { buildArgs: { TAG: '2', NOPE: 'x' } });
    expect(q.stages[0]!.config.config?.Env).toContain('T=2');
    expect(q.unusedBuildArgs).toEqual(['NOPE']);
  });

  it('keeps ARGs out of the config but in RUN env and history, with ENV winning in RUN', async () => {
    const p = await plan('FROM base\nARG A=1\nARG B\nENV B=env\nRUN echo hi\n', { buildArgs: { B: 'arg' } });
    const st = p.stages[0]!;
    expect(st.config.config?.Env).toEqual(['PATH=/bin', 'HOME=/root', 'B=env']);
    const run = st.steps[1]!;
    expect(run.op.kind === 'run' && run.op.env).toEqual(['PATH=/bin', 'HOME=/root', 'B=env', 'A=1']);
    expect(run.op.kind === 'run' && run.op.user).toBe('daemon');
    expect(run.op.kind === 'run' && run.op.workdir).toBe('/home');
    expect(st.history.at(-1)?.created_by).toBe('RUN |2 A=1 B=env /bin/sh -c echo hi # buildkit');
  });

  it('offers the automatic platform args to FROM and to stages that declare them', async () => {
    const p = await plan('FROM base-${TARGETARCH}\nARG TARGETPLATFORM\nENV P=${TARGETPLATFORM} Q=${TARGETOS:-undeclared}\n');
    expect(p.stages[0]!.steps[0]!.text).toBe('FROM docker.io/library/base-amd64:latest');
    expect(p.stages[0]!.config.config?.Env).toContain('P=linux/amd64');
    expect(p.stages[0]!.config.config?.Env).toContain('Q=undeclared');
  });
});

describe('stage graph', () => {
  it('plans only the stages the target needs, in order, with their dependencies', async () => {
    const src = 'FROM scratch AS a\nFROM scratch AS b\nFROM scratch AS c\nCOPY --from=a / /\nFROM c AS d\n';
    const p = await plan(src, { target: 'd' });
    expect(p.stages.map((s) => s.name)).toEqual(['a', 'c', 'd']);
    expect(p.stages.find((s) => s.name === 'd')!.deps).toEqual([2]);
    expect(p.stages.find((s) => s.name === 'c')!.deps).toEqual([0]);
  });
  it('rejects an unknown target and a foreign FROM --platform', async () => {
    await expect(plan('FROM scratch AS a\n', { target: 'zzz' })).rejects.toMatchObject({ code: 'UNKNOWN_TARGET' });
    await expect(plan('FROM --platform=linux/s390x scratch\n')).rejects.toMatchObject({ code: 'PLATFORM_UNSUPPORTED' });
  });
});

describe('cache keys', () => {
  it('are stable, chain through the parent, and change with what decides the result', async () => {
    const src = 'FROM base\nCOPY a.txt /a\nENV X=1\nCOPY a.txt /b\n';
    const one = await plan(src);
    const two = await plan(src);
    expect(two.stages[0]!.steps.map((s) => s.key)).toEqual(one.stages[0]!.steps.map((s) => s.key));
    const copyB = one.stages[0]!.steps[2]!;
    expect(copyB.record.inputs.parent).toBe(one.stages[0]!.steps[1]!.key);
    expect(copyB.record.inputs.sources).toEqual({ 'a.txt': expect.stringMatching(/^sha256:/) as unknown as string });
    await writeFile(join(ctx, 'a.txt'), 'changed');
    const three = await plan(src);
    expect(three.stages[0]!.steps[0]!.key).toBe(one.stages[0]!.steps[0]!.key);
    expect(three.stages[0]!.steps[1]!.key).not.toBe(one.stages[0]!.steps[1]!.key);
    await writeFile(join(ctx, 'a.txt'), 'a');
    // ENV does not change a COPY's key (COPY sees no env), but it changes a RUN's.
    const envA = await plan('FROM base\nENV X=1\nCOPY a.txt /a\nRUN true\n');
    const envB = await plan('FROM base\nENV X=2\nCOPY a.txt /a\nRUN true\n');
    expect(envB.stages[0]!.steps[1]!.key).toBe(envA.stages[0]!.steps[1]!.key);
    expect(envB.stages[0]!.steps[2]!.key).not.toBe(envA.stages[0]!.steps[2]!.key);
    expect(envB.stages[0]!.steps[2]!.record.inputs.env).toContain('X=2');
  });
});
