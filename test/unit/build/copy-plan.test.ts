import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noIgnore } from '../../../src/context/index.js';
import { planCopy, type CopySpec } from '../../../src/build/copy-plan.js';
import { dirView, emptyView } from '../../../src/build/fs-view.js';
import { LayerIndex } from '../../../src/build/layer-index-view.js';

let ctx = '';
beforeAll(async () => {
  ctx = await mkdtemp(join(tmpdir(), 'strata-copyplan-'));
  await mkdir(join(ctx, 'dir/sub'), { recursive: true });
  await writeFile(join(ctx, 'dir/a'), 'a');
  await writeFile(join(ctx, 'dir/sub/b'), 'b');
  await writeFile(join(ctx, 'file'), 'f');
  await symlink('file', join(ctx, 'link-to-file'));
});
afterAll(async () => {
  await rm(ctx, { recursive: true, force: true });
});

const spec = (over: Partial<CopySpec>): CopySpec => ({ sources: [], dest: '/', workdir: '/', parents: false, exclude: [], link: false, preserveOwner: false, now: 100, ...over });

/** parentWith is a parent filesystem where /bin is a symlink to usr/bin and /srv is owned by 5:6. */
function parentWith() {
  const idx = new LayerIndex();
  idx.addCompact({ entries: [['usr', 'dir', 0o755, 0, 0], ['usr/bin', 'dir', 0o755, 0, 0], ['bin', 'symlink', 0o777, 0, 0, 'usr/bin'], ['srv', 'dir', 0o750, 5, 6]], whiteouts: [], opaque: [], files: {} });
  return idx.view();
}

describe('planCopy (Docker path rules)', () => {
  it('copies a file to a name, or into a directory given with a trailing slash', async () => {
    const a = await planCopy(spec({ sources: [{ kind: 'path', path: 'file' }], dest: '/x/y' }), dirView(ctx), noIgnore, emptyView);
    expect(a.entries.map((e) => e.path).sort()).toEqual(['x', 'x/y']);
    const b = await planCopy(spec({ sources: [{ kind: 'path', path: 'file' }], dest: '/x/y/' }), dirView(ctx), noIgnore, emptyView);
    expect(b.entries.map((e) => e.path).sort()).toEqual(['x', 'x/y', 'x/y/file']);
  });

  it('follows a symlinked source but keeps its name; copies directory contents, not the directory', async () => {
    const a = await planCopy(spec({ sources: [{ kind: 'path', path: 'link-to-file' }], dest: '/d/' }), dirView(ctx), noIgnore, emptyView);
    expect(a.entries.find((e) => e.path === 'd/link-to-file')).toMatchObject({ type: 'file', size: 1 });
    const b = await planCopy(spec({ sources: [{ kind: 'path', path: 'dir' }], dest: '/d' }), dirView(ctx), noIgnore, emptyView);
    expect(b.entries.map((e) => e.path).sort()).toEqual(['d', 'd/a', 'd/sub', 'd/sub/b']);
  });

  it('resolves the destination through the parent\'s symlinks and keeps existing parents\' metadata', async () => {
    const parent = parentWith();
    const a = await planCopy(spec({ sources: [{ kind: 'path', path: 'file' }], dest: '/bin/' }), dirView(ctx), noIgnore, parent);
    expect(a.entries.map((e) => e.path).sort()).toEqual(['usr', 'usr/bin', 'usr/bin/file']);
    // an existing directory is a directory destination even without a trailing slash
    const b = await planCopy(spec({ sources: [{ kind: 'path', path: 'file' }], dest: '/srv', owner: { uid: 9, gid: 9 } }), dirView(ctx), noIgnore, parent);
    expect(b.entries.find((e) => e.path === 'srv')).toMatchObject({ mode: 0o750, uid: 5, gid: 6 });
    expect(b.entries.find((e) => e.path === 'srv/file')).toMatchObject({ uid: 9, gid: 9 });
    // missing parents are created 0755 and owned by --chown's owner
    const c = await planCopy(spec({ sources: [{ kind: 'path', path: 'file' }], dest: '/new/deep/', owner: { uid: 9, gid: 8 } }), dirView(ctx), noIgnore, parent);
    expect(c.entries.find((e) => e.path === 'new')).toMatchObject({ mode: 0o755, uid: 9, gid: 8 });
  });

  it('refuses several sources into a file destination and reports a missing source', async () => {
    await expect(planCopy(spec({ sources: [{ kind: 'path', path: 'file' }, { kind: 'path', path: 'dir/a' }], dest: '/one' }), dirView(ctx), noIgnore, emptyView)).rejects.toMatchObject({ code: 'COPY_INVALID' });
    await expect(planCopy(spec({ sources: [{ kind: 'path', path: 'nope' }], dest: '/x' }), dirView(ctx), noIgnore, emptyView)).rejects.toMatchObject({ code: 'COPY_SOURCE_NOT_FOUND' });
    // a wildcard that matches nothing is not an error
    const w = await planCopy(spec({ sources: [{ kind: 'path', path: '*.none' }], dest: '/x/' }), dirView(ctx), noIgnore, emptyView);
    expect(w.entries).toEqual([]);
  });
});
