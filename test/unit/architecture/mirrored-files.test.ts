import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

/**
 * Files kept on both sides of an import rule: runners/ imports nothing of src/ and src/snapshot imports
 * nothing of runners/, so the overlay option helper lives in both. This keeps the copies from drifting.
 */
const MIRRORED: [string, string][] = [['runners/common/overlay-options.ts', 'src/snapshot/overlay-options.ts']];

function code(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('//'))
    .join('\n')
    .trim();
}

describe('mirrored files', () => {
  for (const [a, b] of MIRRORED) {
    it(`${a} and ${b} hold the same code`, () => {
      expect(code(b)).toBe(code(a));
    });
  }
});
