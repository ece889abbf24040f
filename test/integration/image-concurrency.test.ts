import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStoreIntegrity } from '../helpers/store-check.js';
import { cliPath } from '../helpers/paths.js';
import { strataOk } from '../helpers/strata-cli.js';
import { tarBuffer } from '../helpers/tar.js';

/**
 * Concurrency: several processes import, tag and remove images in one store at the same time (each
 * rmi also runs GC under the exclusive lock). No tag is lost, nothing is corrupted.
 */
const WORKERS = 4;
const ROUNDS = 3;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'strata-conc-'));
  for (let w = 0; w < WORKERS; w++) {
    for (let r = 0; r < ROUNDS; r++) {
      writeFileSync(join(work, `w${w}-${r}.tar`), await tarBuffer({ [`w${w}/r${r}`]: `worker ${w} round ${r}`, 'shared/file': 'same in every image' }));
    }
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function worker(root: string, w: number): Promise<{ code: number | null; log: string }> {
  const s = `${cliPath} --root ${root}`;
  const lines = ['set -e'];
  for (let r = 0; r < ROUNDS; r++) {
    lines.push(`${s} import ${join(work, `w${w}-${r}.tar`)} w${w}:r${r}`);
    lines.push(`${s} tag w${w}:r${r} keep/w${w}:r${r}`);
    if (r > 0) lines.push(`${s} rmi w${w}:r${r - 1}`);
    lines.push(`${s} images -q > /dev/null`);
  }
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', lines.join('\n')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('exit', (code) => resolve({ code, log }));
  });
}

describe('concurrency', () => {
  it('parallel imports, tags and removals never lose a tag nor corrupt the store', async () => {
    const root = join(work, 'store');
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(root, w)));
    for (const r of results) expect(r.code, r.log).toBe(0);
    const tags = strataOk(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter(Boolean).sort();
    const expected: string[] = [];
    for (let w = 0; w < WORKERS; w++) {
      expected.push(`w${w}:r${ROUNDS - 1}`);
      for (let r = 0; r < ROUNDS; r++) expected.push(`keep/w${w}:r${r}`);
    }
    expect(tags).toEqual(expected.sort());
    const state = await checkStoreIntegrity(root);
    expect(state.images).toBe(WORKERS * ROUNDS);
  });
});
