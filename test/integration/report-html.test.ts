import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeLayers } from '../../src/report/layer-analysis.js';
import { renderLayerReportHtml } from '../../src/report/layers-html.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { repoRoot } from '../helpers/paths.js';
import { chromiumPath, HeadlessChromium } from '../fixtures/report/chromium.js';
import { craftedLayers } from '../fixtures/report/crafted-image.js';

const chromium = chromiumPath();
if (!chromium) console.warn('\n*** report-html browser tests SKIPPED: chromium is not installed (apt-get install chromium; .ci/run does) ***\n');

const artifacts = join(repoRoot, 'test-artifacts');
const DESKTOP = { width: 1280, height: 900, mobile: false };
const PHONE = { width: 390, height: 844, mobile: true };

describe.skipIf(!chromium)('HTML layer report in headless chromium', () => {
  let browser: HeadlessChromium;
  let dir: string;
  let file: string;
  let layerCount: number;
  let wasteRows: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-report-html-'));
    mkdirSync(artifacts, { recursive: true });
    const busybox = busyboxRootfsTar();
    // the busybox root filesystem as a base, then the crafted image's layers on top
    const layers = [{ createdBy: '/bin/sh -c #(nop) ADD file:busybox-rootfs.tar in /', compressedSize: 0, open: () => createReadStream(busybox) }, ...craftedLayers().slice(1)];
    const report = await analyzeLayers(layers);
    layerCount = report.layers.length;
    wasteRows = report.inefficiencies.length;
    file = join(dir, 'layers.html');
    writeFileSync(file, renderLayerReportHtml(report, { name: 'crafted:latest', id: `sha256:${'c'.repeat(64)}` }));
    browser = new HeadlessChromium(chromium as string);
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the chart, the trees and the waste table on a desktop without errors or requests', async () => {
    const page = await browser.open(file, DESKTOP);
    const counts = await page.evaluate<Record<string, number>>(`({
      bars: document.querySelectorAll('figure.chart svg.bar').length,
      segments: document.querySelectorAll('figure.chart rect.seg').length,
      hiddenSegments: [...document.querySelectorAll('figure.chart rect.seg-hidden')].filter(r => r.getBBox().width > 0).length,
      layers: document.querySelectorAll('details.layer').length,
      trees: document.querySelectorAll('ul.tree').length,
      added: document.querySelectorAll('ul.tree li.node.added').length,
      modified: document.querySelectorAll('ul.tree li.node.modified').length,
      removed: document.querySelectorAll('ul.tree li.node.removed').length,
      wasteRows: document.querySelectorAll('table.waste tbody tr').length,
      resources: performance.getEntriesByType('resource').length,
      chartWidth: document.querySelector('figure.chart svg.bar').getBoundingClientRect().width,
    })`);
    expect(counts.bars).toBe(layerCount);
    expect(counts.segments).toBe(layerCount * 2);
    expect(counts.hiddenSegments).toBe(2); // layer 2 (/data/big) and layer 3 (/tmp) lose bytes to later layers
    expect(counts.layers).toBe(layerCount);
    expect(counts.trees).toBe(layerCount);
    expect(counts.added).toBeGreaterThan(100);
    expect(counts.modified).toBeGreaterThan(0);
    expect(counts.removed).toBe(2);
    expect(counts.wasteRows).toBe(wasteRows);
    expect(counts.resources).toBe(0);
    expect(counts.chartWidth).toBeGreaterThan(400);

    // following a bar opens its layer; "Expand all" opens every directory of that tree
    await page.evaluate(`document.querySelector('figure.chart a[href="#layer-3"]').click()`);
    await page.evaluate(`document.querySelector('#layer-3 [data-expand]').click()`);
    const opened = await page.evaluate<{ layer: boolean; closedDirs: number }>(`({
      layer: document.getElementById('layer-3').open,
      closedDirs: document.querySelectorAll('#layer-3 ul.tree details:not([open])').length,
    })`);
    expect(opened).toEqual({ layer: true, closedDirs: 0 });
    // the filter hides paths that do not match
    const shown = await page.evaluate<string>(`(() => {
      const input = document.querySelector('#layer-3 input[type=search]');
      input.value = 'cache/a'; input.dispatchEvent(new Event('input'));
      return [...document.querySelectorAll('#layer-3 li.node')].filter(li => li.offsetParent !== null).map(li => li.dataset.path).join(',');
    })()`);
    expect(shown).toBe('tmp,tmp/cache,tmp/cache/a');
    writeFileSync(join(artifacts, 'report-layers-desktop.png'), await page.screenshot(true));
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('fits a phone screen: no horizontal scrolling, the chart still drawn', async () => {
    const page = await browser.open(file, PHONE);
    const layout = await page.evaluate<{ overflow: number; bars: number; barWidth: number }>(`({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      bars: document.querySelectorAll('figure.chart svg.bar').length,
      barWidth: document.querySelector('figure.chart svg.bar').getBoundingClientRect().width,
    })`);
    expect(layout.overflow).toBeLessThanOrEqual(0);
    expect(layout.bars).toBe(layerCount);
    expect(layout.barWidth).toBeGreaterThan(250);
    writeFileSync(join(artifacts, 'report-layers-phone.png'), await page.screenshot(true));
    expect(page.problems).toEqual([]);
    await page.close();
  });
});
