import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDockerfile } from '../../../src/dockerfile/format.js';
import { parseDockerfile } from '../../../src/dockerfile/index.js';
import { conformanceDir, repoRoot } from '../../helpers/paths.js';

// Print → reparse gives the same IR (positions, original text, ONBUILD's expression text,
// mount flag positions, keyword case and warnings
// aside): the IR keeps everything an instruction means, for every file of the corpus.
function meaning(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'range' || k === 'mountRanges' || k === 'original' || k === 'expression' || k === 'keyword' || k === 'warnings' || k === 'file' ? undefined : v)));
}

function files(): [string, string][] {
  const out: [string, string][] = [];
  const rw = join(conformanceDir, 'real-world');
  for (const repo of readdirSync(rw, { withFileTypes: true })) {
    if (!repo.isDirectory()) continue;
    for (const f of readdirSync(join(rw, repo.name))) if (f.endsWith('.Dockerfile')) out.push([`${repo.name}/${f}`, join(rw, repo.name, f)]);
  }
  const fx = join(repoRoot, 'test', 'fixtures', 'parse');
  for (const c of readdirSync(fx)) out.push([`fixture ${c}`, join(fx, c, 'Dockerfile')]);
  return out.sort();
}

describe('format → parse round trip', () => {
  for (const [name, path] of files()) {
    it(name, () => {
      const df = parseDockerfile(readFileSync(path, 'utf8'));
      const printed = formatDockerfile(df);
      const again = parseDockerfile(printed);
      expect(meaning(again)).toEqual(meaning(df));
      expect(formatDockerfile(again)).toBe(printed);
    });
  }
});
