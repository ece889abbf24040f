import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { strata, strataOk } from '../helpers/strata-cli.js';
import { chromiumPath, HeadlessChromium } from '../fixtures/report/chromium.js';

/** Two independent stages (one, two) feed a final stage: the timeline must show one and two side by side. */
const DOCKERFILE = `FROM scratch AS one
COPY src /src
COPY b.txt /b.txt

FROM scratch AS two
COPY b.txt /two.txt

FROM scratch
COPY --from=one /src /one
COPY --from=two /two.txt /two.txt
ENV A=1
`;

interface BuildJson {
  id: string;
  status: string;
  imageId: string;
  counts: { steps: number; cached: number; built: number; failed: number };
  timesEstimated: boolean;
  steps: Array<{ name: string; stage: string; status: string; reason?: string; startMs: number; durationMs: number; layerSize?: number; key?: string }>;
}

const chromium = chromiumPath();
if (!chromium) console.warn('\n*** report build timeline browser test SKIPPED: chromium is not installed (.ci/run installs it) ***\n');

describe('strata report build and strata cache', () => {
  let dir: string;
  let store: string;
  let context: string;
  let first: BuildJson;
  let second: BuildJson;
  let third: BuildJson;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-report-build-'));
    store = join(dir, 'store');
    context = join(dir, 'ctx');
    mkdirSync(join(context, 'src'), { recursive: true });
    writeFileSync(join(context, 'src', 'a.txt'), 'a\n');
    writeFileSync(join(context, 'b.txt'), 'b\n');
    writeFileSync(join(context, 'Dockerfile'), DOCKERFILE);
    const report = (): BuildJson => JSON.parse(strataOk(store, ['report', 'build', 'last', '--format', 'json'])) as BuildJson;
    strataOk(store, ['build', '-q', '-t', 'app:1', context]);
    first = report();
    strataOk(store, ['build', '-q', '-t', 'app:1', context]);
    second = report();
    writeFileSync(join(context, 'src', 'a.txt'), 'changed\n');
    strataOk(store, ['build', '-q', '-t', 'app:1', context]);
    third = report();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each step of the last build with its cache status, time and layer size', () => {
    expect(first.status).toBe('done');
    expect(first.counts).toEqual({ steps: first.steps.length, cached: 0, built: 5, failed: 0 });
    // FROM steps are 'base'; the five COPY steps are built (ENV makes no layer and may not be listed)
    expect(first.steps.filter((s) => s.name.includes('COPY')).map((s) => s.status)).toEqual(['built', 'built', 'built', 'built', 'built']);
    expect(first.steps.filter((s) => s.name.includes('FROM')).map((s) => s.status)).toEqual(['base', 'base', 'base']);
    for (const step of first.steps.filter((s) => s.status === 'built')) {
      expect(step.reason).toBeTruthy();
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
      expect(step.layerSize).toBeGreaterThan(0);
    }
    // a rebuild with nothing changed: every step CACHED, reported as such
    expect(second.counts.built).toBe(0);
    expect(second.counts.cached).toBe(first.counts.built);
    expect(second.imageId).toBe(first.imageId);
    // one source file changed: the steps that copy it rebuild
    expect(third.steps.find((s) => s.name.includes('COPY src /src'))?.status).toBe('built');
    expect(third.steps.find((s) => s.name.includes('COPY b.txt /two.txt'))?.status).toBe('cached');
    expect(third.id).not.toBe(second.id);
  });

  it('lays steps out in time: a stage starts after the stages it copies from, independent stages start together', () => {
    const step = (text: string): BuildJson['steps'][number] => first.steps.find((s) => s.name.includes(text)) as BuildJson['steps'][number];
    const endOf = (stage: string): number => Math.max(...first.steps.filter((s) => s.stage === stage).map((s) => s.startMs + s.durationMs));
    if (first.timesEstimated) {
      expect(step('[two 1/2]').startMs).toBe(0);
      expect(step('[one 1/3]').startMs).toBe(0);
    }
    expect(step('COPY --from=one').startMs).toBeGreaterThanOrEqual(endOf('one'));
    expect(step('COPY --from=two').startMs).toBeGreaterThanOrEqual(endOf('two'));
  });

  it('selects a build by ID prefix and prints a text table', () => {
    const text = strataOk(store, ['report', 'build', first.id.slice(0, 8)]);
    expect(text).toContain(`Build:       ${first.id} (done)`);
    expect(text).toMatch(/BUILT\s+\S+\s+\S+ B\s+\[one 2\/3\] COPY src \/src/);
    const cached = strataOk(store, ['report', 'build', second.id]);
    expect(cached).toMatch(/CACHED\s+\S+\s+\S+ B\s+\[one 2\/3\] COPY src \/src\s+cache hit/);
    const missing = strata(store, ['report', 'build', 'ffffffffffff']);
    expect(missing).toMatchObject({ code: 1, stderr: 'error: No such build: ffffffffffff\n' });
  });

  it('cache ls lists every record; cache why shows a key\'s inputs as a tree, for a key or an image', () => {
    const rows = strataOk(store, ['cache', 'ls', '--format', 'json'])
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; stage: string; step: string; sizeBytes: number });
    const copySrc = third.steps.find((s) => s.name.includes('COPY src /src'));
    expect(rows.some((row) => row.key === copySrc?.key && row.stage === 'one' && row.step === 'COPY src /src')).toBe(true);
    expect(rows.every((row) => row.sizeBytes > 0)).toBe(true);
    expect(strataOk(store, ['cache', 'ls'])).toMatch(/^CACHE KEY\s+STAGE\s+SIZE\s+LAST USED\s+STEP\n/);

    const why = strataOk(store, ['cache', 'why', (copySrc?.key ?? '').slice('sha256:'.length, 'sha256:'.length + 16)]);
    expect(why.split('\n')[0]).toBe(`${copySrc?.key}  COPY src /src (stage one, line 2)`);
    expect(why).toContain('├─ instruction: COPY src /src');
    expect(why).toMatch(/└─ src\/a\.txt: sha256:[0-9a-f]{64}/);

    const image = strataOk(store, ['cache', 'why', 'app:1']);
    expect(image.split('\n')[0]).toBe(`Image ${third.imageId}, built by build ${third.id}`);
    expect(image.match(/^sha256:[0-9a-f]{64} {2}/gm)).toHaveLength(third.counts.built + third.counts.cached);
    expect(strata(store, ['cache', 'why', 'nothing:here'])).toMatchObject({ code: 1, stderr: 'error: No cache record or image matches nothing:here\n' });
  });

  it.skipIf(!chromium)('the HTML build report draws the timeline and the steps table in chromium without errors', async () => {
    const file = join(dir, 'build.html');
    strataOk(store, ['report', 'build', first.id, '-o', file]);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    const browser = new HeadlessChromium(chromium as string);
    try {
      const page = await browser.open(file, { width: 1280, height: 900, mobile: false });
      const seen = await page.evaluate<{ bars: number; groups: string[]; rows: number; parallel: boolean; resources: number }>(`(() => {
        const bars = [...document.querySelectorAll('.gantt .g-bar')];
        const box = (text) => { const row = [...document.querySelectorAll('.gantt .g-row')].find(r => r.textContent.includes(text)); return row.querySelector('.g-bar').getBoundingClientRect(); };
        const one = box('[one 2/3]'), two = box('[two 2/2]');
        return {
          bars: bars.length,
          groups: [...document.querySelectorAll('.gantt .g-head')].map(h => h.textContent),
          rows: document.querySelectorAll('table.steps tbody tr').length,
          parallel: one.left < two.right && two.left < one.right,
          resources: performance.getEntriesByType('resource').length,
        };
      })()`);
      expect(seen.bars).toBe(first.steps.length);
      expect(seen.groups).toEqual(['one', 'two', 'stage-2']);
      expect(seen.rows).toBe(first.steps.length);
      expect(seen.parallel).toBe(true);
      expect(seen.resources).toBe(0);
      mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
      writeFileSync(join(repoRoot, 'test-artifacts', 'report-build-desktop.png'), await page.screenshot(true));
      expect(page.problems).toEqual([]);
      await page.close();
      const phone = await browser.open(file, { width: 390, height: 844, mobile: true });
      expect(await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
      writeFileSync(join(repoRoot, 'test-artifacts', 'report-build-phone.png'), await phone.screenshot(true));
      expect(phone.problems).toEqual([]);
      await phone.close();
    } finally {
      await browser.close();
    }
  });
});

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('\n*** report of a built busybox image SKIPPED: RUN needs root (the chroot runner) ***\n');

describe.skipIf(!isRoot)('strata report layers on an image strata built', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-report-built-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows what the RUN and COPY layers of examples/busybox-app added, paired with their history', async () => {
    const { busyboxRootfsTar } = await import('../helpers/busybox.js');
    const store = join(dir, 'store');
    strataOk(store, ['import', busyboxRootfsTar(), 'busybox:latest']);
    strataOk(store, ['build', '-q', '-t', 'app:1', join(repoRoot, 'examples', 'busybox-app')]);
    const json = JSON.parse(strataOk(store, ['report', 'layers', 'app:1', '--format', 'json', '--files'])) as {
      wastedBytes: number;
      efficiency: number;
      layers: Array<{ createdBy: string; filesAdded: number; changes: Array<{ path: string; change: string }> }>;
    };
    const run = json.layers.find((layer) => layer.createdBy.startsWith('RUN '));
    const copy = json.layers.find((layer) => layer.createdBy.startsWith('COPY app.sh'));
    expect(run?.changes.filter((c) => c.change === 'added').map((c) => c.path)).toEqual(expect.arrayContaining(['app/greeting.txt', 'app/data/built-year']));
    expect(copy?.changes.filter((c) => c.change === 'added').map((c) => c.path)).toEqual(['app/app.sh']);
    expect(json.layers[0]?.filesAdded).toBeGreaterThan(100);
    expect(json.wastedBytes).toBe(0);
    expect(json.efficiency).toBe(1);
  });
});
