import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, conformanceDir, repoRoot } from '../../helpers/paths.js';

// `strata parse` through the compiled CLI (dist/strata.mjs; `npm test` builds it first).
function strata(args: string[], input?: string) {
  const r = spawnSync(cliPath, [...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('strata parse', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'strata-parse-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a summary of stages, instructions and warnings', () => {
    const file = join(repoRoot, 'test', 'fixtures', 'parse', 'multi-stage', 'Dockerfile');
    const r = strata(['parse', '-f', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${file}: 2 stages, 8 instructions, 0 warnings\n` +
        '  global ARGs: GO\n' +
        '  stage 0 build: FROM golang:${GO}, lines 2-5, 3 instructions: WORKDIR COPY RUN\n' +
        '  stage 1: FROM scratch, lines 7-9, 2 instructions: COPY ENTRYPOINT\n',
    );
    expect(strata(['parse', '--short', '-f', file]).stdout).toBe(`${file}: 2 stages, 8 instructions, 0 warnings\n`);
  });

  it('prints warnings on stderr', () => {
    const r = strata(['parse', '-f', '-'], 'FROM a\nMAINTAINER me\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: Dockerfile:2:1: MAINTAINER instruction is deprecated in favor of using label\n');
  });

  it('--json prints the IR', () => {
    const r = strata(['parse', '--json', '-f', '-'], 'FROM alpine AS base\nRUN --mount=type=cache,target=/c make\n');
    expect(r.code).toBe(0);
    const df = JSON.parse(r.stdout);
    expect(df.stages[0].name).toBe('base');
    expect(df.stages[0].instructions[0]).toMatchObject({ kind: 'run', command: { form: 'shell', text: 'make' }, mounts: [{ type: 'cache', target: '/c' }] });
  });

  it('--dump is byte-identical to the reference dump', () => {
    const caseDir = join(conformanceDir, 'buildkit-parser', 'json');
    const r = strata(['parse', '--dump', '-f', join(caseDir, 'Dockerfile')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(caseDir, 'result'), 'utf8'));
  });

  it('reports a syntax error with location, frame and hint, and exits 1', () => {
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, 'FROM a\nRUN make\n  && make install\n');
    const r = strata(['parse', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: ${file}:3:3: unknown instruction: && (this line looks like the rest of the RUN on line 2: is a \\ missing at the end of line 2?)\n` +
        ' 3 |   && make install\n' +
        '   |   ^\n',
    );
  });

  it('reports a missing file without a stack trace', () => {
    const r = strata(['parse', '-f', join(dir, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: Dockerfile not found: ${join(dir, 'nope')}\n`);
  });

  it('rejects --json with --dump', () => {
    const r = strata(['parse', '--json', '--dump', '-f', '-'], 'FROM a\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: choose one of --json, --dump and --short\n');
  });
});
