import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ignoreMatcher, loadIgnoreFile, parseIgnoreFile } from '../../../src/context/index.js';

describe('.dockerignore rules (Docker patternmatcher semantics)', () => {
  const m = ignoreMatcher(
    parseIgnoreFile(
      ['# a comment', '', 'node_modules', '**/*.swp', '**/*.log', '!src/audit.log', 'docs/*.md', '!docs/LICENSE.md', '/abs', 'secrets/', 'x', '!x/keep', ' spaced '].join('\n'),
    ),
  );
  it.each([
    ['node_modules', true],
    ['node_modules/a/b', true], // a matched directory excludes everything below it
    ['a/node_modules', false], // patterns are anchored at the root, unlike .gitignore
    ['top.swp', true], // ** matches zero directories
    ['src/deep/x.swp', true],
    ['src/a.log', true],
    ['src/audit.log', false], // the last matching line wins: ! re-includes
    ['docs/README.md', true],
    ['docs/sub/README.md', false], // * stays within one segment
    ['docs/LICENSE.md', false],
    ['abs/y', true], // a leading / is the same as none
    ['secrets/key', true],
    ['x/other', true],
    ['x/keep', false],
    ['spaced', true], // surrounding spaces are trimmed
    ['# a comment', false],
  ])('%s → ignored=%s', (p, want) => {
    expect(m.ignores(p)).toBe(want);
  });
  it('knows when exceptions exist', () => {
    expect(m.hasExceptions).toBe(true);
    expect(ignoreMatcher(['a']).hasExceptions).toBe(false);
  });
});

describe('loadIgnoreFile', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('prefers <Dockerfile>.dockerignore beside the Dockerfile over the context one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-ign-'));
    await mkdir(join(dir, 'ctx'));
    await mkdir(join(dir, 'df'));
    await writeFile(join(dir, 'ctx', '.dockerignore'), 'a\n');
    await writeFile(join(dir, 'df', 'app.Dockerfile'), 'FROM scratch\n');
    await writeFile(join(dir, 'df', 'app.Dockerfile.dockerignore'), 'b\n');
    const specific = await loadIgnoreFile(join(dir, 'ctx'), join(dir, 'df', 'app.Dockerfile'));
    expect(specific.matcher.ignores('b')).toBe(true);
    expect(specific.matcher.ignores('a')).toBe(false);
    const generic = await loadIgnoreFile(join(dir, 'ctx'), join(dir, 'ctx', 'Dockerfile'));
    expect(generic.matcher.ignores('a')).toBe(true);
  });
});
