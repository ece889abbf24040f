import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';

// The package is CommonJS with `module.exports = factory` but types it as a default export, which
// NodeNext resolves to the module object; require() gives the factory itself.
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as (opts?: { ignorecase?: boolean }) => Ignore;

/**
 * IgnoreMatcher answers whether a context-relative path (`a/b.txt`, no leading slash) is
 * excluded by .dockerignore. Docker's rules (moby/patternmatcher): patterns are cleaned and
 * anchored at the context root (a leading `/` is the same as none), `*` stays inside one path
 * segment, `**` spans any number of segments, the last matching line wins so `!` re-includes,
 * a pattern that matches a directory excludes everything below it, and `#` starts a comment.
 * @balena/dockerignore is a port of that Go code; test/unit/context/ignore.test.ts pins the cases.
 */
export interface IgnoreMatcher {
  ignores(relPath: string): boolean;
  /** hasExceptions is true when a `!` line exists: an ignored directory must still be walked. */
  readonly hasExceptions: boolean;
  /** patterns as read, for the cache key of COPY steps (a changed ignore file changes sources). */
  readonly patterns: readonly string[];
}

/** parseIgnoreFile splits a .dockerignore text into patterns (comments and blank lines dropped). */
export function parseIgnoreFile(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    // Docker trims surrounding space and drops lines whose first character is '#'.
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(line);
  }
  return out;
}

/** ignoreMatcher builds a matcher from patterns. */
export function ignoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const ig = ignore().add([...patterns]);
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  return {
    hasExceptions,
    patterns,
    ignores(relPath: string): boolean {
      if (relPath === '' || relPath === '.') return false;
      return ig.ignores(relPath);
    },
  };
}

/** noIgnore matches nothing (a context without .dockerignore, or a stage's filesystem). */
export const noIgnore: IgnoreMatcher = { hasExceptions: false, patterns: [], ignores: () => false };

/**
 * loadIgnoreFile reads the ignore rules of a build: `<Dockerfile-name>.dockerignore` beside the
 * Dockerfile wins over `<context>/.dockerignore` (BuildKit's dockerui rule). Returns the path
 * used, or undefined.
 */
export async function loadIgnoreFile(
  contextDir: string | undefined,
  dockerfilePath: string | undefined,
): Promise<{ matcher: IgnoreMatcher; file?: string }> {
  const candidates: string[] = [];
  if (dockerfilePath) candidates.push(join(dirname(dockerfilePath), `${basename(dockerfilePath)}.dockerignore`));
  if (contextDir) candidates.push(join(contextDir, '.dockerignore'));
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw err;
    }
    return { matcher: ignoreMatcher(parseIgnoreFile(text)), file };
  }
  return { matcher: noIgnore };
}
