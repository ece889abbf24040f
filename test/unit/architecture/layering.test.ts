import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

/**
 * The import rules of DESIGN.md's folder table, enforced: arrows point down the table and never
 * back up. Each module lists what it may import directly; what those may import is allowed too
 * (the closure), and src/util is a leaf every module may use.
 */
const DIRECT: Record<string, string[]> = {
  grammar: [],
  'src/util': [],
  'src/image': [],
  'src/store': ['src/image'],
  'src/snapshot': ['src/image'],
  'src/registry': ['src/image', 'src/store'],
  'src/report': ['src/image', 'src/store'],
  'src/context': ['src/store'],
  'src/dockerfile': ['grammar'],
  'src/plan': ['src/dockerfile', 'src/context'],
  'src/build': ['src/plan', 'src/snapshot', 'runners', 'src/image', 'src/store', 'src/registry'],
  runners: [],
  'src/cli': ['*'],
};

function closure(mod: string, seen = new Set<string>()): Set<string> {
  for (const dep of DIRECT[mod] ?? []) {
    if (!seen.has(dep)) {
      seen.add(dep);
      closure(dep, seen);
    }
  }
  return seen;
}

function moduleOf(file: string): string | undefined {
  const rel = relative(repoRoot, file);
  return Object.keys(DIRECT).find((m) => rel === m || rel.startsWith(`${m}/`));
}

function* sourceFiles(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

const IMPORT_RE = /(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

describe('layering (DESIGN.md folder table)', () => {
  const violations: string[] = [];
  let checked = 0;
  for (const top of ['grammar', 'src', 'runners']) {
    for (const file of sourceFiles(join(repoRoot, top))) {
      const from = moduleOf(file);
      if (!from) continue;
      const allowed = closure(from);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2];
        if (!spec || !spec.startsWith('.')) continue;
        checked++;
        const to = moduleOf(resolve(dirname(file), spec));
        if (!to || to === from || to === 'src/util' || DIRECT[from]?.includes('*')) continue;
        // runners may use src types only (type-only imports), never src code.
        if (from === 'runners' && /^import\s+type\s/.test(m[0])) continue;
        if (!allowed.has(to)) violations.push(`${relative(repoRoot, file)} imports ${to} (${spec})`);
      }
    }
  }

  it('checks real imports', () => {
    expect(checked).toBeGreaterThan(0);
  });

  it('has no import that points back up the table', () => {
    expect(violations).toEqual([]);
  });
});
