import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandWord, expandWords, ShellExpansionError } from '../../src/dockerfile/shell-lex.js';
import { conformanceDir } from '../helpers/paths.js';

// BuildKit's shell-lexer tables, run in place. A Linux engine runs the A and U lines of envVarTest.
const dir = join(conformanceDir, 'buildkit-shell');
const ENV = new Map([
  ['PWD', '/home'],
  ['SHELL', 'bash'],
  ['KOREAN', '한국어'],
  ['NULL', ''],
]);

describe('envVarTest', () => {
  const lines = readFileSync(join(dir, 'envVarTest'), 'utf8').split('\n');
  const cases = lines.filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split('|').map((f) => f.trim()));
  it('has 230 cases, 228 of them for Linux', () => {
    expect(cases).toHaveLength(230);
    expect(cases.filter(([p]) => p !== 'W')).toHaveLength(228);
  });
  for (const [platform, input, expected] of cases) {
    if (platform === 'W') continue;
    it(`${input} → ${expected}`, () => {
      if (expected === 'error') {
        expect(() => expandWord(input!, ENV)).toThrow(ShellExpansionError);
      } else {
        expect(expandWord(input!, ENV)).toBe(expected);
      }
    });
  }
});

describe('wordsTest', () => {
  const lines = readFileSync(join(dir, 'wordsTest'), 'utf8').split('\n').filter((l) => l !== '');
  const env = new Map<string, string>();
  let count = 0;
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    if (line.startsWith('ENV ')) {
      const def = line.slice(4).replace(/^ +/, '');
      const eq = def.indexOf('=');
      env.set(def.slice(0, eq), def.slice(eq + 1));
      continue;
    }
    count++;
    const bar = line.indexOf('|');
    const input = line.slice(0, bar).trim();
    const expected = line.slice(bar + 1).replace(/^ +/, '');
    const snapshot = new Map(env);
    it(`${input} → ${expected}`, () => {
      if (expected === 'error') {
        expect(() => expandWords(input, snapshot)).toThrow(ShellExpansionError);
      } else {
        expect(expandWords(input, snapshot)).toEqual(expected.split(','));
      }
    });
  }
  it('has 24 cases', () => {
    expect(count).toBe(24);
  });
});
