import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpAst, parseAst, parseDockerfile } from '../../../src/dockerfile/index.js';
import { StrataError } from '../../../src/util/errors.js';
import { conformanceDir } from '../../helpers/paths.js';

// Seeded random mutations of real Dockerfiles: each one parses or fails with a StrataError,
// never with any other exception. The seed makes a failure reproducible.
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 6000);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '\\', '`', '\n', '\r\n', ' ', '\t', '"', "'", '[', ']', '{', '}', ',', '=', '--', '-', '#', '$', '${', ':-', '<<', '<<-', '<<EOF',
  'EOF', '\n\\\n', '&&', 'fi', 'RUN ', 'COPY ', 'FROM ', 'ONBUILD ', 'HEALTHCHECK ', 'ENV ', 'ARG ', '--mount=', 'type=cache', ',target=',
  '--from=', '--chmod=', '\u00a0', '한', '\u0000', '["a", 1]', '[]', '# escape=`\n', '# syntax=x\n', 'AS ', 'CMD ',
];

function corpus(): string[] {
  const root = join(conformanceDir, 'real-world');
  const out: string[] = [];
  for (const repo of readdirSync(root, { withFileTypes: true })) {
    if (!repo.isDirectory()) continue;
    for (const f of readdirSync(join(root, repo.name))) {
      if (f.endsWith('.Dockerfile')) out.push(readFileSync(join(root, repo.name, f), 'utf8'));
    }
  }
  return out.sort();
}

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const op = rnd();
    if (op < 0.35) {
      s = s.slice(0, at) + PIECES[Math.floor(rnd() * PIECES.length)]! + s.slice(at);
    } else if (op < 0.6) {
      s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 20));
    } else if (op < 0.8) {
      const from = Math.floor(rnd() * s.length);
      s = s.slice(0, at) + s.slice(from, from + Math.floor(rnd() * 40)) + s.slice(at);
    } else {
      s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 128)) + s.slice(at + 1);
    }
  }
  return s;
}

describe('fuzz', () => {
  it(`${ROUNDS} seeded mutations never crash the parser (seed ${SEED})`, () => {
    const files = corpus();
    const rnd = mulberry32(SEED);
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const text = mutate(files[Math.floor(rnd() * files.length)]!, rnd);
      try {
        dumpAst(parseAst(text));
        parseDockerfile(text);
        parsed++;
      } catch (err) {
        if (!(err instanceof StrataError)) {
          throw new Error(`mutation ${i} (seed ${SEED}) threw ${String(err)}:\n${text.slice(0, 2000)}`);
        }
        expect(err.code).toMatch(/^DOCKERFILE_/);
        rejected++;
      }
    }
    // Both outcomes must occur, or the mutations are not exercising anything.
    expect(parsed).toBeGreaterThan(ROUNDS / 10);
    expect(rejected).toBeGreaterThan(ROUNDS / 20);
  });
});
