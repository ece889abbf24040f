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

interface Result {
  name: string;
  seconds: number;
}

function measure(name: string, parse: (text: string) => unknown): Result {
  for (let w = 0; w < 5; w++) for (const t of corpus) parse(t);
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const t of corpus) parse(t);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, seconds };
}

const results = [
  measure('strata parseDockerfile (IR)', (t) => parseDockerfile(t)),
  measure('strata parseAst (BuildKit AST)', (t) => parseAst(t)),
  measure('dockerfile-ast DockerfileParser.parse', (t) => DockerfileParser.parse(t)),
];

console.log(`corpus: ${corpus.length} files, ${(bytes / 1e6).toFixed(2)} MB; ${rounds} rounds each`);
for (const r of results) {
  const mbs = (bytes * rounds) / 1e6 / r.seconds;
  const fps = (corpus.length * rounds) / r.seconds;
  console.log(`${r.name.padEnd(40)} ${mbs.toFixed(1).padStart(7)} MB/s ${fps.toFixed(0).padStart(8)} files/s`);
}
const base = results[2]!.seconds;
console.log(`ratio strata IR / dockerfile-ast:  ${(base / results[0]!.seconds).toFixed(2)}x`);
console.log(`ratio strata AST / dockerfile-ast: ${(base / results[1]!.seconds).toFixed(2)}x`);
