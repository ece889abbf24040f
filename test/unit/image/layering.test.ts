import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

/** Layering, enforced: src/image imports only itself and util; src/store only image, util and itself. */
function imports(dir: string): { file: string; spec: string }[] {
  const out: { file: string; spec: string }[] = [];
  for (const name of readdirSync(join(repoRoot, dir), { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    const text = readFileSync(join(repoRoot, dir, name), 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'/g)) out.push({ file: name, spec: m[1]! });
  }
  return out;
}

describe('layering', () => {
  it('src/image imports nothing above it', () => {
    const bad = imports('src/image').filter((i) => i.spec.startsWith('.') && !/^\.\/|^\.\.\/util\//.test(i.spec));
    expect(bad).toEqual([]);
  });

  it('src/store imports only image and util', () => {
    const bad = imports('src/store').filter((i) => i.spec.startsWith('.') && !/^\.\/|^\.\.\/(image|util)\//.test(i.spec));
    expect(bad).toEqual([]);
  });
});
