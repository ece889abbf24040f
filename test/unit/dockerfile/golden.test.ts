import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../../src/dockerfile/index.js';
import { repoRoot } from '../../helpers/paths.js';

// Golden IR tests: test/fixtures/parse/<case>/Dockerfile parses to expected.json. A new case is
// a new folder; write (or rewrite) its expected.json with UPDATE_GOLDEN=1 and review the diff.
const fixtures = join(repoRoot, 'test', 'fixtures', 'parse');
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden IR', () => {
  for (const name of readdirSync(fixtures).sort()) {
    it(name, () => {
      const dir = join(fixtures, name);
      const df = parseDockerfile(readFileSync(join(dir, 'Dockerfile'), 'utf8'), { file: 'Dockerfile' });
      const actual = `${JSON.stringify(df, null, 2)}\n`;
      const expectedPath = join(dir, 'expected.json');
      if (update) writeFileSync(expectedPath, actual);
      expect(existsSync(expectedPath), `${expectedPath} is missing: run UPDATE_GOLDEN=1 npx vitest run test/unit/dockerfile/golden.test.ts`).toBe(true);
      expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
    });
  }
});
