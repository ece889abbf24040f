import { describe, expect, it } from 'vitest';
import { evaluateCiRules, parseByteSize, parseRatio } from '../../../src/report/ci-rules.js';
import { ReportRuleError } from '../../../src/report/errors.js';
import { formatBytes } from '../../../src/report/format.js';
import { analyzeLayers } from '../../../src/report/layer-analysis.js';
import { layerReportJson } from '../../../src/report/layers-json.js';
import { renderLayerReportHtml } from '../../../src/report/layers-html.js';
import { renderLayerReportText } from '../../../src/report/layers-text.js';
import { craftedLayers, MB } from '../../fixtures/report/crafted-image.js';

const report = await analyzeLayers(craftedLayers());
const subject = { name: 'crafted:latest', id: `sha256:${'c'.repeat(64)}` };

describe('layer report renderers', () => {
  it('JSON puts sizeBytes, wastedBytes, efficiency and layers at the top and omits file lists unless asked', () => {
    const json = layerReportJson(report, subject) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 5)).toEqual(['image', 'sizeBytes', 'wastedBytes', 'efficiency', 'diveWastedBytes']);
    expect(json.wastedBytes).toBe(100 + MB + 500);
    expect(json.diveWastedBytes).toBe(MB + 350);
    const layers = json.layers as Array<Record<string, unknown>>;
    expect(layers).toHaveLength(4);
    expect(layers[0]).not.toHaveProperty('changes');
    const withFiles = layerReportJson(report, subject, { files: true }) as { layers: Array<{ changes: unknown[] }> };
    expect(withFiles.layers[2]?.changes).toHaveLength(6);
  });

  it('text shows the totals, one row per layer and the waste table', () => {
    const text = renderLayerReportText(report, subject, { width: 100 });
    expect(text).toContain('Image: crafted:latest');
    expect(text).toMatch(/Efficiency:\s+0\.20 %/);
    expect(text).toMatch(/Wasted bytes:\s+1\.05 MB/);
    const layerRows = text.split('\n').filter((line) => /^\s+[1-4]\s+\S+ [kMG]?B\s+\d+\s+\d+\s+\d+\s+/.test(line));
    expect(layerRows).toHaveLength(4);
    expect(text).toMatch(/2\s+1\.05 MB\s+\/data\/big/);
    expect(text).toMatch(/2\s+350 B\s+\/etc\/config/);
  });

  it('HTML is one self-contained document with the chart, layers, trees and waste table', () => {
    const page = renderLayerReportHtml(report, subject);
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).not.toMatch(/<(link|img|iframe)\b|src=|https?:\/\//);
    expect(page.match(/<svg class="bar"/g)).toHaveLength(4);
    expect(page.match(/<details class="layer"/g)).toHaveLength(4);
    expect(page).toContain('<table class="waste">');
  });

  it('escapes created-by text and paths in HTML', async () => {
    const { testLayer } = await import('../../fixtures/report/layer-tar.js');
    const evil = await analyzeLayers([testLayer('RUN echo "<script>alert(1)</script>"', [{ file: '<b>x</b>', size: 1 }])]);
    const page = renderLayerReportHtml(evil, { name: '<img>' });
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<b>x</b>');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('formats sizes as docker and dive do (SI units)', () => {
    expect([0, 999, 1000, 1050, 1_048_576, 123_456_789].map(formatBytes)).toEqual(['0 B', '999 B', '1.00 kB', '1.05 kB', '1.05 MB', '123 MB']);
  });
});

describe('CI rules', () => {
  it('fails each rule past its threshold and says which and why', () => {
    const outcomes = evaluateCiRules(report, { lowestEfficiency: 0.5, highestWastedBytes: 1000, highestUserWastedPercent: 0.5 });
    expect(outcomes.map((o) => `${o.rule}:${o.status}`)).toEqual(['lowestEfficiency:fail', 'highestWastedBytes:fail', 'highestUserWastedPercent:fail']);
    expect(outcomes[0]?.message).toBe('image efficiency is too low (efficiency=0.002 < threshold=0.5)');
    expect(outcomes[1]?.message).toMatch(/^too many bytes wasted \(wasted-bytes=1048926 \(1\.05 MB\) > threshold=1000\)$/);
  });

  it('passes rules within thresholds and uses dive defaults for rules not given', () => {
    const outcomes = evaluateCiRules(report, { lowestEfficiency: 0.001, highestWastedBytes: 2 * MB, highestUserWastedPercent: 'disabled' });
    expect(outcomes.map((o) => o.status)).toEqual(['pass', 'pass', 'skip']);
    const defaults = evaluateCiRules(report, {});
    expect(defaults.map((o) => o.status)).toEqual(['fail', 'skip', 'fail']);
  });

  it('parses thresholds and refuses bad ones with the flag named', () => {
    expect(parseByteSize('--highest-wasted-bytes', '20MB')).toBe(20_000_000);
    expect(parseByteSize('--highest-wasted-bytes', '1.5 MiB')).toBe(1_572_864);
    expect(parseByteSize('--highest-wasted-bytes', '4096')).toBe(4096);
    expect(parseRatio('--lowest-efficiency', '0.95')).toBe(0.95);
    expect(parseRatio('--lowest-efficiency', 'disabled')).toBe('disabled');
    expect(() => parseByteSize('--highest-wasted-bytes', '20 parsecs')).toThrow(ReportRuleError);
    expect(() => parseRatio('--lowest-efficiency', 'high')).toThrow(/--lowest-efficiency: expected a fraction/);
  });
});
