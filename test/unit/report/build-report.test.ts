import { describe, expect, it } from 'vitest';
import { buildReportFromRecord, BuildRecordError } from '../../../src/report/build-model.js';
import { renderBuildReportHtml, renderBuildReportText } from '../../../src/report/build-render.js';
import { renderTextTree } from '../../../src/report/text-tree.js';

const step = (id: string, name: string, stage: string, status: string, durationMs: number, extra: Record<string, unknown> = {}) => ({ id, name, stage, status, durationMs, key: `sha256:${id}`, ...extra });

const record = {
  id: 'b1',
  started: 1_000_000,
  finished: 1_001_000,
  record: {
    status: 'done',
    file: 'Dockerfile',
    platform: 'linux/amd64',
    imageId: 'sha256:img',
    tags: ['app:1'],
    durationMs: 1000,
    steps: [
      step('0/0', '[build 1/2] FROM busybox', 'build', 'base', 10),
      step('0/1', '[build 2/2] RUN make', 'build', 'built', 500, { reason: 'ARG VERSION changed: 1.2 → 1.3', layer: { digest: 'sha256:l1', diffID: 'sha256:d1', size: 2048 } }),
      step('1/0', '[docs 1/2] FROM scratch', 'docs', 'base', 0),
      step('1/1', '[docs 2/2] COPY docs /docs', 'docs', 'cached', 20, { layer: { digest: 'sha256:l2', diffID: 'sha256:d2', size: 512 } }),
      step('2/0', '[stage-2 1/3] FROM build', 'stage-2', 'base', 5),
      step('2/1', '[stage-2 2/3] COPY --from=docs /docs /docs', 'stage-2', 'built', 100, { reason: 'parent step 4 was rebuilt', layer: { digest: 'sha256:l3', diffID: 'sha256:d3', size: 100 } }),
    ],
  },
};

describe('build reports', () => {
  it('estimates start times from durations and stage links when the record has none', () => {
    const report = buildReportFromRecord(record);
    expect(report.timesEstimated).toBe(true);
    expect(report.steps.map((s) => [s.name.slice(1, s.name.indexOf(']')), s.startMs])).toEqual([
      ['build 1/2', 0],
      ['build 2/2', 10],
      ['docs 1/2', 0], // independent of build: runs in parallel from the start
      ['docs 2/2', 0],
      ['stage-2 1/3', 510], // FROM build: after build's last step
      ['stage-2 2/3', 515], // COPY --from=docs: after docs and after its own previous step
    ]);
    expect(report.counts).toEqual({ steps: 6, cached: 1, built: 2, failed: 0 });
  });

  it('uses recorded start times and duration parts when the builder records them', () => {
    const timed = structuredClone(record);
    timed.record.steps = timed.record.steps.map((s, i) => ({ ...s, startedAt: 1_000_000 + i * 100 }));
    (timed.record.steps[1] as Record<string, unknown>).parts = { cacheLookup: 3, run: 400, diff: 50, compression: 40, export: 7, bogus: 1 };
    const report = buildReportFromRecord(timed);
    expect(report.timesEstimated).toBe(false);
    expect(report.steps.map((s) => s.startMs)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(report.steps[1]?.parts).toEqual({ cacheLookup: 3, run: 400, diff: 50, compression: 40, export: 7 });
    const text = renderBuildReportText(report);
    expect(text).toContain('[build 2/2] RUN make: cache lookup 3ms, RUN 400ms, diff 50ms, compression 40ms, export 7ms');
    const page = renderBuildReportHtml(report);
    expect(page.match(/class="g-piece part-/g)).toHaveLength(5);
    expect(page).not.toContain('estimated');
  });

  it('prints each step with its status, reason, time and layer size', () => {
    const text = renderBuildReportText(buildReportFromRecord(record), { width: 120 });
    expect(text).toContain('Steps:       6 (1 cached, 2 built) in 1.0s');
    expect(text).toMatch(/BUILT\s+500ms\s+2\.05 kB\s+\[build 2\/2\] RUN make\s+ARG VERSION changed: 1\.2 → 1\.3/);
    expect(text).toMatch(/CACHED\s+20ms\s+512 B\s+\[docs 2\/2\] COPY docs \/docs\s+cache hit/);
  });

  it('draws one timeline bar per step, grouped by stage', () => {
    const page = renderBuildReportHtml(buildReportFromRecord(record));
    expect(page.match(/class="g-bar /g)).toHaveLength(6);
    expect(page.match(/class="g-head"/g)).toHaveLength(3);
    expect(page).toContain('ARG VERSION changed: 1.2 → 1.3');
  });

  it('refuses a record without steps or with an unknown status, naming the build', () => {
    expect(() => buildReportFromRecord({ id: 'x', started: 0, record: { status: 'done' } })).toThrow(BuildRecordError);
    expect(() => buildReportFromRecord({ id: 'x', started: 0, record: { steps: [{ status: 'weird' }] } })).toThrow('build record x: step 1 has an unknown status "weird"');
  });

  it('renders nested values as a text tree', () => {
    expect(renderTextTree('key', { a: 1, b: { c: 'x', d: [] }, e: ['p', 'q'] })).toBe(
      ['key', '├─ a: 1', '├─ b', '│  ├─ c: x', '│  └─ d: (none)', '└─ e', '   ├─ [0]: p', '   └─ [1]: q', ''].join('\n'),
    );
  });
});
