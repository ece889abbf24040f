import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpAst, parseAst } from '../../src/dockerfile/ast.js';
import { DockerfileSyntaxError } from '../../src/dockerfile/errors.js';
import { conformanceDir } from '../helpers/paths.js';

// Upstream's parser cases: each Dockerfile must dump byte for byte as its `result`.
const positive = join(conformanceDir, 'buildkit-parser');
const negative = join(conformanceDir, 'buildkit-parser-negative');

describe('buildkit-parser dumps', () => {
  const cases = readdirSync(positive).sort();
  it('has the 33 upstream cases', () => {
    expect(cases).toHaveLength(33);
  });
  for (const c of cases) {
    it(c, () => {
      const text = readFileSync(join(positive, c, 'Dockerfile'), 'utf8');
      const expected = readFileSync(join(positive, c, 'result'), 'utf8');
      expect(dumpAst(parseAst(text))).toBe(expected);
    });
  }
});

describe('buildkit-parser-negative', () => {
  const cases = readdirSync(negative).sort();
  it('has the 4 upstream cases', () => {
    expect(cases).toHaveLength(4);
  });
  for (const c of cases) {
    it(`${c} fails with a located syntax error`, () => {
      const text = readFileSync(join(negative, c, 'Dockerfile'), 'utf8');
      expect(() => parseAst(text)).toThrow(DockerfileSyntaxError);
    });
  }
});

describe('buildkit-parser-lines', () => {
  it('gives the expected line ranges', () => {
    const dir = join(conformanceDir, 'buildkit-parser-lines', 'testfile-line');
    const ast = parseAst(readFileSync(join(dir, 'Dockerfile'), 'utf8'));
    const expected = readFileSync(join(dir, 'expected-lines'), 'utf8');
    const lines = expected.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const got: string[] = [];
    const first = ast.nodes[0]!;
    const last = ast.nodes[ast.nodes.length - 1]!;
    got.push(`root ${first.startLine} ${last.endLine}`);
    ast.nodes.forEach((n, i) => got.push(`child ${i} ${n.startLine} ${n.endLine}`));
    got.push(`warnings ${ast.warnings.length}`);
    expect(got.join('\n')).toBe(lines.join('\n'));
  });
});
