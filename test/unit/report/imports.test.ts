import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

/** report may import image, store and util (DESIGN.md's table); never the builder, the planner or the CLI. */
const ALLOWED = ['src/report/', 'src/image/', 'src/store/', 'src/util/'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('src/report layering', () => {
  it('imports only image, store, util and packages', () => {
    const offenders: string[] = [];
    for (const file of files(join(repoRoot, 'src', 'report'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(repoRoot, resolve(file, '..', match[1] as string));
        if (!ALLOWED.some((prefix) => target.startsWith(prefix))) offenders.push(`${relative(repoRoot, file)} → ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
