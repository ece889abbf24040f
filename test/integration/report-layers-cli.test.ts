import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strata } from '../helpers/strata-cli.js';
import { craftedLayers, MB } from '../fixtures/report/crafted-image.js';
import { storeImage } from '../fixtures/report/store-image.js';

/** The crafted image's figures as worked out by hand in test/unit/report/layer-analysis.test.ts. */
const EFFICIENCY = (1000 + 100 + 0 + 300 + 200 + 500) / (1000 + 350 + MB + 300 + 200 + 500);
/** WASTED: bytes overwritten (/etc/config 100) or removed (/data/big 1 MiB, /tmp 500) by later layers. */
const WASTED = 100 + MB + 500;
const DIVE_WASTED = MB + 350;
const USER_WASTED = DIVE_WASTED / (MB + 250 + 500);

describe('strata report layers', () => {
  let root: string;
  let imageId: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'strata-report-cli-'));
    imageId = await storeImage(join(root, 'store'), 'crafted:latest', craftedLayers());
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prints the JSON report of a stored image with the hand-computed figures', () => {
    const r = strata(join(root, 'store'), ['report', 'layers', 'crafted:latest', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      image: { name: string; id: string };
      sizeBytes: number;
      wastedBytes: number;
      diveWastedBytes: number;
      efficiency: number;
      userWastedPercent: number;
      layers: Array<{ createdBy: string; digest: string; compressedSize: number; filesRemoved: number }>;
    };
    expect(json.image).toMatchObject({ name: 'crafted:latest', id: imageId });
    expect(json.efficiency).toBe(EFFICIENCY);
    expect(json.wastedBytes).toBe(WASTED);
    expect(json.diveWastedBytes).toBe(DIVE_WASTED);
    expect(json.userWastedPercent).toBe(USER_WASTED);
    expect(json.sizeBytes).toBe(1100 + MB + 250 + 500);
    // history is paired with layers skipping the empty_layer ENV entry
    expect(json.layers.map((l) => l.createdBy)).toEqual(craftedLayers().map((l) => l.createdBy));
    expect(json.layers.every((l) => l.digest.startsWith('sha256:') && l.compressedSize > 0)).toBe(true);
    expect(json.layers.map((l) => l.filesRemoved)).toEqual([0, 0, 1, 2]);
  });

  it('finds the image by short ID and prints a text table by default', () => {
    const r = strata(join(root, 'store'), ['report', 'layers', imageId.slice('sha256:'.length, 'sha256:'.length + 12)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Efficiency:\s+0\.20 %/);
    expect(r.stdout).toMatch(/\n\s+2\s+1\.05 MB\s+1\s+1\s+0\s+RUN \/bin\/sh -c head/);
  });

  it('writes a self-contained HTML file with -o (format taken from the .html name)', () => {
    const file = join(root, 'report.html');
    const r = strata(join(root, 'store'), ['report', 'layers', 'crafted:latest', '-o', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const page = readFileSync(file, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page.match(/<details class="layer"/g)).toHaveLength(4);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--ci exits 1 and names each rule that failed', () => {
    const r = strata(join(root, 'store'), ['report', 'layers', 'crafted:latest', '--ci', '--highest-wasted-bytes', '1MB', '--highest-user-wasted-percent', 'disabled']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL: lowestEfficiency: image efficiency is too low (efficiency=0.002 < threshold=0.9)');
    expect(r.stdout).toContain('FAIL: highestWastedBytes: too many bytes wasted (wasted-bytes=1048926 (1.05 MB) > threshold=1000000)');
    expect(r.stdout).toContain('SKIP: highestUserWastedPercent: rule disabled');
    expect(r.stdout).toContain('Result: FAIL (2 of 3 rules failed)');
  });

  it('--ci passes (exit 0) within thresholds; in JSON the verdict is part of the document', () => {
    const r = strata(join(root, 'store'), [
      'report', 'layers', 'crafted:latest', '--format', 'json',
      '--lowest-efficiency', '0.001', '--highest-wasted-bytes', '2MB', '--highest-user-wasted-percent', '1',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { ci: { passed: boolean; rules: Array<{ status: string }> } };
    expect(json.ci.passed).toBe(true);
    expect(json.ci.rules.map((rule) => rule.status)).toEqual(['pass', 'pass', 'pass']);
    expect(r.stderr).toContain('Result: PASS');
  });

  it('refuses an unknown image, a bad threshold and a bad format with one line each', () => {
    const missing = strata(join(root, 'store'), ['report', 'layers', 'nothing:here']);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'error: No such image: nothing:here\n' });
    const threshold = strata(join(root, 'store'), ['report', 'layers', 'crafted:latest', '--highest-wasted-bytes', 'lots']);
    expect(threshold.code).toBe(1);
    expect(threshold.stderr).toBe('error: --highest-wasted-bytes: expected a size such as 20MB, 1.5GiB or 4096, got "lots"\n');
    const format = strata(join(root, 'store'), ['report', 'layers', 'crafted:latest', '--format', 'pdf']);
    expect(format).toMatchObject({ code: 1, stderr: 'error: --format: expected text, json or html, got "pdf"\n' });
    expect(existsSync(join(root, 'store', 'meta.db'))).toBe(true);
  });
});
