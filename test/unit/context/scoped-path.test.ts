import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanRel, resolveInRoot } from '../../../src/context/index.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-scope-'));
  await mkdir(join(dir, 'real/inner'), { recursive: true });
  await symlink('/real', join(dir, 'abs'));
  await symlink('../../../../etc', join(dir, 'real/up'));
  await symlink('inner', join(dir, 'real/rel'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveInRoot', () => {
  it('resolves absolute and climbing links inside the root', async () => {
    expect(await resolveInRoot(dir, 'abs/inner')).toBe('real/inner');
    expect(await resolveInRoot(dir, 'real/up/passwd')).toBe('etc/passwd');
    expect(await resolveInRoot(dir, 'real/rel')).toBe('real/inner');
    expect(await resolveInRoot(dir, 'real/rel', false)).toBe('real/rel');
    expect(await resolveInRoot(dir, '../../x')).toBe('x');
  });
  it('cleans paths like a chroot', () => {
    expect(cleanRel('/a/./b/../c/')).toBe('a/c');
    expect(cleanRel('../..')).toBe('');
  });
});
