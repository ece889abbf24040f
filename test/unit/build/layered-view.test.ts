import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirView, type FsView } from '../../../src/build/fs-view.js';
import { layeredView } from '../../../src/build/layered-view.js';

const digestOf = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);

/** walk lists every path of a view with what a COPY reads of it: type, mode, owner, size, link target, content. */
async function walk(view: FsView): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    for (const name of await view.readdir(rel)) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const st = (await view.lstat(p))!;
      let what = `${p} ${st.type} ${st.mode.toString(8)} ${st.uid}:${st.gid}`;
      if (st.type === 'file') {
        const c = view.content(p);
        what += ` ${st.size} ${c.kind === 'file' ? digestOf(c.abs) : ''}`;
      }
      if (st.type === 'symlink') what += ` -> ${await view.readlink(p)}`;
      out.push(what);
      if (st.type === 'dir') await visit(p);
    }
  };
  await visit('');
  return out;
}

/**
 * The layered reader must show exactly what the kernel's overlayfs shows for the same layers: the
 * layers here are made as overlay keeps them (whiteouts as 0:0 character devices, opaque directories
 * marked with trusted.overlay.opaque), mounted, and both views are walked. Needs root (mount, mknod).
 */
describe('layeredView reads overlay layers as the mounted overlay shows them', () => {
  let dir: string;
  let mnt: string;
  const layers: { dir: string; opaque: Set<string> }[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-layered-'));
    const mk = (name: string): string => {
      const d = join(dir, name);
      mkdirSync(d);
      return d;
    };
    const file = (path: string, body: string, mode = 0o644): void => writeFileSync(path, body, { mode });
    const whiteout = (path: string): void => void execFileSync('mknod', [path, 'c', '0', '0']);
    const opaque = (path: string): void => void execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path]);
    // bottom: a tree with files, a directory later made opaque, one later replaced by a file, a hardlink pair
    const l0 = mk('l0');
    for (const d of ['etc', 'app', 'app/old', 'app/gone', 'data', 'data/keep', 'swap']) mkdirSync(join(l0, d));
    file(join(l0, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    file(join(l0, 'app/old/a.txt'), 'old a');
    file(join(l0, 'app/old/b.txt'), 'old b');
    file(join(l0, 'app/gone/x'), 'x');
    file(join(l0, 'app/main.js'), 'v1');
    file(join(l0, 'data/keep/k'), 'kept');
    file(join(l0, 'swap/inner'), 'under a dir that becomes a file');
    file(join(l0, 'will-be-dir'), 'a file that becomes a dir');
    file(join(l0, 'deleted.txt'), 'deleted above');
    linkSync(join(l0, 'app/main.js'), join(l0, 'app/main-link.js'));
    // middle: deletes, replaces a dir by a file and a file by a dir, makes app/old opaque with new content
    const l1 = mk('l1');
    for (const d of ['app', 'app/old', 'will-be-dir', 'data']) mkdirSync(join(l1, d));
    opaque(join(l1, 'app/old'));
    file(join(l1, 'app/old/c.txt'), 'new c');
    whiteout(join(l1, 'app/gone'));
    whiteout(join(l1, 'deleted.txt'));
    file(join(l1, 'swap'), 'now a file', 0o600);
    file(join(l1, 'will-be-dir/inside'), 'inside');
    file(join(l1, 'data/added'), 'added');
    // top: changes a file, adds a symlink and a directory, deletes one file of the bottom's kept dir
    const l2 = mk('l2');
    for (const d of ['app', 'data', 'data/keep', 'new']) mkdirSync(join(l2, d));
    file(join(l2, 'app/main.js'), 'v2', 0o755);
    symlinkSync('../app/main.js', join(l2, 'new/link'));
    whiteout(join(l2, 'data/keep/k'));
    file(join(l2, 'data/keep/k2'), 'k2');
    layers.push({ dir: l2, opaque: new Set() }, { dir: l1, opaque: new Set(['app/old']) }, { dir: l0, opaque: new Set() });
    mnt = mk('mnt');
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${l2}:${l1}:${l0}`, mnt]);
  });
  afterAll(() => {
    if (mnt) execFileSync('umount', ['-l', mnt]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks to the same tree: whiteouts, opaque directories, replaced types, symlinks and content', async () => {
    const merged = await walk(dirView(mnt));
    const layered = await walk(layeredView(layers));
    expect(layered).toEqual(merged);
    // the cases above, spelled out (so the comparison cannot pass on two empty walks)
    expect(layered).toContain('app/old/c.txt file 644 0:0 5 ' + digestOf(join(layers[1]!.dir, 'app/old/c.txt')));
    const paths = layered.map((l) => l.split(' ')[0]);
    expect(paths).not.toContain('app/old/a.txt');
    expect(paths).not.toContain('app/gone');
    expect(paths).not.toContain('deleted.txt');
    expect(paths).not.toContain('swap/inner');
    expect(paths).not.toContain('data/keep/k');
    expect(paths).toEqual(expect.arrayContaining(['data/keep/k2', 'data/added', 'will-be-dir/inside', 'new/link', 'app/main-link.js']));
    expect(layered.find((l) => l.startsWith('swap '))).toMatch(/^swap file 600 /);
    expect(layered.find((l) => l.startsWith('app/main.js '))).toMatch(/^app\/main\.js file 755 0:0 2 /);
  });

  it('answers lookups under deleted or replaced paths as absent, and reads small regular files only', async () => {
    const v = layeredView(layers);
    expect(await v.lstat('app/gone/x')).toBeUndefined();
    expect(await v.lstat('swap/inner')).toBeUndefined();
    expect(await v.lstat('deleted.txt/x')).toBeUndefined();
    expect((await v.readSmallFile('etc/passwd'))?.toString()).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(await v.readSmallFile('new/link')).toBeUndefined();
    expect(await v.readSmallFile('app')).toBeUndefined();
    expect(await v.readlink('new/link')).toBe('../app/main.js');
    await expect(v.readdir('app/gone')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(v.readdir('swap')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
