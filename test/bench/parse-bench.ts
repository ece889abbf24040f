import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAst } from '../../src/dockerfile/ast.js';
import { parseDockerfile } from '../../src/dockerfile/index.js';

/**
 * npm run bench:parse: parses the real-world corpus in memory for many rounds with strata (full
 * IR, and the AST level alone) and with the dockerfile-ast package, in the same process, and
 * prints MB/s, files/s and the ratio. ROUNDS (env) sets the number of timed rounds.
 */

// This file runs compiled from dist/, so find the repository by its package.json.
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) dir = dirname(dir);
  return dir;
}
const sharedDir = process.env.STRATA_SHARED_DIR ?? resolve(findRepoRoot(), '..', 'shared');
const root = join(sharedDir, 'conformance', 'real-world');
const corpus: string[] = [];
for (const repo of readdirSync(root, { withFileTypes: true })) {
  if (!repo.isDirectory()) continue;
  for (const f of readdirSync(join(root, repo.name))) {
    if (f.endsWith('.Dockerfile')) corpus.push(readFileSync(join(root, repo.name, f), 'utf8'));
  }
}
const bytes = corpus.reduce((n, t) => n + Buffer.byteLength(t), 0);
const rounds = Number(process.env.ROUNDS ?? 30);

interface Parser {
  name: string;
  parse: (text: string) => unknown;
  times: number[];
}

const parsers: Parser[] = [
  { name: 'strata parseDockerfile (IR)', parse: (t) => parseDockerfile(t), times: [] },
  { name: 'strata parseAst (BuildKit AST)', parse: (t) => parseAst(t), times: [] },
  { name: 'dockerfile-ast DockerfileParser.parse', parse: (t) => DockerfileParser.parse(t), times: [] },
];

// Warm up, then interleave the parsers round by round so machine noise hits them alike; the
// median round is reported (and the best, which shows the speed on a quiet machine).
for (const p of parsers) for (let w = 0; w < 5; w++) for (const t of corpus) p.parse(t);
for (let r = 0; r < rounds; r++) {
  for (const p of parsers) {
    const start = process.hrtime.bigint();
    for (const t of corpus) p.parse(t);
    p.times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

console.log(`corpus: ${corpus.length} files, ${(bytes / 1e6).toFixed(2)} MB; ${rounds} rounds each (median round; best in brackets)`);
for (const p of parsers) {
  const med = median(p.times);
  const best = Math.min(...p.times);
  const mbs = (s: number) => (bytes / 1e6 / s).toFixed(1);
  console.log(`${p.name.padEnd(40)} ${mbs(med).padStart(6)} MB/s [${mbs(best)}] ${(corpus.length / med).toFixed(0).padStart(7)} files/s`);
}
const base = median(parsers[2]!.times);
console.log(`ratio strata IR / dockerfile-ast:  ${(base / median(parsers[0]!.times)).toFixed(2)}x`);
console.log(`ratio strata AST / dockerfile-ast: ${(base / median(parsers[1]!.times)).toFixed(2)}x`);
