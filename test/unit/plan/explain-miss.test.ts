import { describe, expect, it } from 'vitest';
import { cacheKey, type CacheKeyInputs, type CacheKeyRecord } from '../../../src/plan/cache-key.js';
import { diffInputs, missExplainer, originOf, tagPlan } from '../../../src/plan/explain-miss.js';
import type { Plan, PlannedStage, PlannedStep } from '../../../src/plan/types.js';

/** record makes a cache key record of one step from its inputs (defaults: a COPY of nothing). */
function record(over: Partial<CacheKeyInputs>, files: Record<string, Record<string, string>> = {}, index = 1): CacheKeyRecord {
  const inputs: CacheKeyInputs = { v: 1, parent: null, instruction: 'COPY . /app', op: {}, env: [], args: {}, sources: {}, platform: 'linux/amd64', ...over };
  return { key: cacheKey(inputs), inputs, detail: { stage: 'stage-0', index, line: index + 1, files } };
}

function step(rec: CacheKeyRecord, position: number, kind: 'from' | 'copy', noCache = false): PlannedStep {
  return { id: `0/${position}`, stage: 0, position, name: `[${position + 1}/3] ${rec.inputs.instruction}`, text: rec.inputs.instruction, line: 1, column: 1, key: rec.key, record: rec, op: { kind } as PlannedStep['op'], noCache, historyIndex: 0 };
}

function planOf(steps: PlannedStep[]): Plan {
  const stage = { index: 0, name: 'stage-0', base: { kind: 'scratch' }, deps: [], steps, config: {}, history: [], baseHistoryLength: 0, finalKey: steps.at(-1)!.key } as unknown as PlannedStage;
  return { stages: [stage], target: 0, platform: { os: 'linux', architecture: 'amd64' }, unusedBuildArgs: [] };
}

const from = record({ instruction: 'FROM scratch', base: { ref: 'scratch', digest: 'scratch' } }, {}, 0);

describe('diffInputs', () => {
  it('names changed, added and removed files, at most five by name', () => {
    const was = record({ sources: { '.': 'sha256:1' } }, { '.': { a: '1', b: '1', c: '1', d: '1', e: '1', f: '1', gone: '1' } });
    const now = record({ sources: { '.': 'sha256:2' } }, { '.': { a: '2', b: '2', c: '2', d: '2', e: '2', f: '2', new: '1' } });
    expect(diffInputs(was, now)).toEqual(['6 files changed (a, b, c, d, e, … 1 more), 1 file added (new), 1 file removed (gone)']);
  });

  it('names build args, ENV (not counting ARGs seen in the environment), WORKDIR and USER', () => {
    const was = record({ instruction: 'RUN x', args: { V: '1' }, env: ['PATH=/bin', 'V=1', 'A=1'], op: { workdir: '/a', user: '' } });
    const now = record({ instruction: 'RUN x', args: { V: '2', NEW: 'n' }, env: ['PATH=/usr/bin', 'V=2', 'A=1', 'NEW=n'], op: { workdir: '/b', user: 'app' } });
    expect(diffInputs(was, now)).toEqual(['ARG NEW set: n', 'ARG V changed: 1 → 2', 'ENV PATH changed', 'USER changed: (default) → app', 'WORKDIR changed: /a → /b']);
  });

  it('names a changed heredoc and a .dockerignore change', () => {
    const was = record({ sources: { '<<EOF': 'sha256:1' }, op: { ignore: [] } });
    const now = record({ sources: { '<<EOF': 'sha256:2' }, op: { ignore: ['*.log'] } });
    expect(diffInputs(was, now)).toEqual(['heredoc <<EOF changed', '.dockerignore changed']);
  });
});

describe('missExplainer', () => {
  it('says first build, then names the rebuilt parent, in the past or future tense', () => {
    const a = record({ parent: from.key, instruction: 'COPY a /a' }, {}, 1);
    const b = record({ parent: a.key, instruction: 'COPY b /b' }, {}, 2);
    const plan = planOf([step(from, 0, 'from'), step(a, 1, 'copy'), step(b, 2, 'copy')]);
    const none = { records: () => [], hasRecord: () => false };
    const past = missExplainer(plan, none);
    expect(past.explain(plan.stages[0]!.steps[1]!)).toBe('first build of this step');
    expect(past.explain(plan.stages[0]!.steps[2]!)).toBe('parent step 2 was rebuilt');
    const future = missExplainer(plan, none, 'future');
    future.explain(plan.stages[0]!.steps[1]!);
    expect(future.explain(plan.stages[0]!.steps[2]!)).toBe('parent step 2 will be rebuilt');
  });

  it('says --no-cache, and that a record whose layer was collected was pruned', () => {
    const a = record({ parent: from.key, instruction: 'COPY a /a' });
    const plan = planOf([step(from, 0, 'from'), step(a, 1, 'copy', true)]);
    expect(missExplainer(plan, { records: () => [], hasRecord: () => true }).explain(plan.stages[0]!.steps[1]!)).toBe('--no-cache');
    plan.stages[0]!.steps[1]!.noCache = false;
    expect(missExplainer(plan, { records: () => [], hasRecord: () => true }).explain(plan.stages[0]!.steps[1]!)).toBe('its cached layer was removed (pruned)');
  });

  it('prefers the same Dockerfile, stage and position with the same parent, and names the base that moved', () => {
    const oldFrom = record({ instruction: 'FROM busybox', base: { ref: 'busybox', digest: 'sha256:old' } }, {}, 0);
    const newFrom = record({ instruction: 'FROM busybox', base: { ref: 'busybox', digest: 'sha256:new' } }, {}, 0);
    const old = record({ parent: oldFrom.key, instruction: 'COPY a /a', sources: { a: 'sha256:x' } });
    old.detail.origin = originOf('/ctx', 'Dockerfile');
    old.detail.base = oldFrom.inputs.base!;
    const now = record({ parent: newFrom.key, instruction: 'COPY a /a', sources: { a: 'sha256:x' } });
    const plan = planOf([step(newFrom, 0, 'from'), step(now, 1, 'copy')]);
    tagPlan(plan, originOf('/ctx', 'Dockerfile'));
    const explainer = missExplainer(plan, { records: () => [old], hasRecord: () => false });
    expect(explainer.explain(plan.stages[0]!.steps[1]!)).toBe('base image busybox now resolves to sha256:new');
  });
});
