import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpAst, parseAst } from '../../src/dockerfile/ast.js';
import { parseDockerfile } from '../../src/dockerfile/index.js';
import { conformanceDir } from '../helpers/paths.js';

// 224 real Dockerfiles: each must parse, dump exactly as the reference parser did, and build an IR.
const root = join(conformanceDir, 'real-world');

function files(): string[] {
  const out: string[] = [];
  for (const repo of readdirSync(root, { withFileTypes: true })) {
    if (!repo.isDirectory()) continue;
    for (const f of readdirSync(join(root, repo.name))) {
      if (f.endsWith('.Dockerfile')) out.push(join(repo.name, f));
    }
  }
  return out.sort();
}

describe('real-world corpus', () => {
  const all = files();
  it('has 224 files', () => {
    expect(all).toHaveLength(224);
  });
  for (const f of all) {
    it(f, () => {
      const text = readFileSync(join(root, f), 'utf8');
      const expected = readFileSync(join(root, f.replace(/\.Dockerfile$/, '.result')), 'utf8');
      const ast = parseAst(text, { file: f });
      expect(dumpAst(ast)).toBe(expected);
      expect(ast.warnings).toEqual([]);
      const df = parseDockerfile(text, { file: f });
      expect(df.stages.length).toBeGreaterThan(0);
      // Every range lies in the file, starts before it ends, and instructions come in order.
      const source = text.split('\n');
      let last = 0;
      for (const ins of [...df.metaArgs, ...df.stages.flatMap((s) => [s.from, ...s.instructions])]) {
        const { start, end } = ins.range;
        expect(start.line).toBeGreaterThan(last);
        expect(start.line <= end.line && end.line <= source.length && start.column >= 1).toBe(true);
        expect(source[start.line - 1]!.slice(start.column - 1).toLowerCase().startsWith(ins.keyword.toLowerCase())).toBe(true);
        last = end.line;
      }
    });
  }
});
