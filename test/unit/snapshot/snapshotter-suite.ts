import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataStore } from '../../../src/snapshot/metadata.js';
import { withMounted } from '../../../src/snapshot/mount.js';
import type { Snapshotter } from '../../../src/snapshot/types.js';
import { layerLines, layerOf, readLayer, sha256Of, type EntrySpec } from './layer-helpers.js';

/** BASE is the parent layer every case starts from. */
const BASE: EntrySpec[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/a', content: 'a\n' },
  { name: 'etc/b', content: 'b\n' },
  { name: 'etc/c', content: 'c\n' },
  { name: 'd/', type: 'directory' },
  { name: 'd/x', content: 'x' },
  { name: 'd/sub/', type: 'directory' },
  { name: 'd/sub/y', content: 'y' },
  { name: 'empty/', type: 'directory' },
  { name: 'sym', type: 'symlink', linkname: 'etc/a' },
  { name: 'usr/', type: 'directory' },
  { name: 'usr/bin/', type: 'directory' },
  { name: 'usr/bin/tool', mode: 0o4755, content: 'tool' },
  { name: 'usr/bin/tool2', type: 'link', linkname: 'usr/bin/tool' },
];

export function xattrsWork(dir: string): boolean {
  try {
    writeFileSync(join(dir, '.xattr-probe'), '');
    execFileSync('setfattr', ['-n', 'user.probe', '-v', '1', join(dir, '.xattr-probe')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(join(dir, '.xattr-probe'), { force: true });
  }
}

export function snapshotterSuite(name: string, make: (root: string) => Snapshotter, skip?: string): void {
  describe.skipIf(skip !== undefined)(`snapshotter suite: ${name}${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
    let root: string;
    let sn: Snapshotter;

    beforeEach(async () => {
      root = mkdtempSync(join(tmpdir(), `strata-snap-${name}-`));
      sn = make(join(root, 'snapshots'));
      await sn.importLayer('base', undefined, layerOf(BASE));
    });
    afterEach(() => {
      rmSync(root, { recursive: true, force: true });
    });

    /** change prepares `key` on `parent`, lets `fn` edit its tree (mounted where overlay needs it), returns its layer lines. */
    async function change(fn: (dir: string) => void, key = 'work', parent = 'base'): Promise<string[]> {
      const mounts = await sn.prepare(key, parent);
      await withMounted(mounts, async (dir) => fn(dir));
      return layerLines(sn.diff(key, { sourceDateEpoch: 1_700_000_000 }));
    }

    it('imports a layer with modes, setuid bits, symlinks and hard links', async () => {
      const mounts = await sn.view('v', 'base');
      await withMounted(mounts, async (dir) => {
        expect(readFileSync(join(dir, 'etc/a'), 'utf8')).toBe('a\n');
        expect(lstatSync(join(dir, 'usr/bin/tool')).mode & 0o7777).toBe(0o4755);
        expect(lstatSync(join(dir, 'usr/bin/tool')).nlink).toBe(2);
        expect(lstatSync(join(dir, 'sym')).isSymbolicLink()).toBe(true);
        expect(readdirSync(join(dir, 'empty'))).toEqual([]);
      });
      expect((await sn.stat('base')).kind).toBe('committed');
    });

    it('records files created, changed, deleted and re-moded', async () => {
      const lines = await change((dir) => {
        writeFileSync(join(dir, 'etc/new'), 'new\n');
        writeFileSync(join(dir, 'etc/a'), 'A!\n');
        unlinkSync(join(dir, 'etc/b'));
        chmodSync(join(dir, 'etc/c'), 0o600);
      });
      expect(lines).toEqual([
        'directory etc/ 755 0:0',
        'file etc/a 644 0:0 =A!\n',
        'file etc/.wh.b 0 0:0 =',
        'file etc/c 600 0:0 =c\n',
        'file etc/new 644 0:0 =new\n',
      ]);
    });

    it('streams files bigger than the small-file limit between batched small ones, byte for byte, and reports every entry', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 7);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 12)) & 0xff;
      const mounts = await sn.prepare('work', 'base');
      await withMounted(mounts, async (dir) => {
        mkdirSync(join(dir, 'data'));
        for (let i = 0; i < 300; i++) writeFileSync(join(dir, 'data', `s${String(i).padStart(3, '0')}`), `small ${i}\n`);
        writeFileSync(join(dir, 'data', 's150-big'), big);
        unlinkSync(join(dir, 'etc/b'));
      });
      const seen: string[] = [];
      const x = extract();
      sn.diff('work', { onEntry: (e) => seen.push(e.kind === 'entry' ? `${e.type} ${e.path}` : `${e.kind} ${e.path}`) }).pipe(x as unknown as NodeJS.WritableStream);
      const byName = new Map<string, Buffer>();
      for await (const e of x) {
        const chunks: Buffer[] = [];
        for await (const c of e) chunks.push(c as Buffer);
        byName.set(e.header.name, Buffer.concat(chunks));
      }
      expect(byName.get('data/s150-big')?.equals(big)).toBe(true);
      expect(byName.get('data/s149')?.toString()).toBe('small 149\n');
      expect(byName.get('data/s151')?.toString()).toBe('small 151\n');
      expect([...byName.keys()].filter((n) => n.startsWith('data/s'))).toHaveLength(301);
      expect(seen).toContain('whiteout etc/b');
      expect(seen).toContain('file data/s150-big');
      expect(seen).toContain('dir data');
      expect(seen.filter((s) => s.startsWith('file data/'))).toHaveLength(301);
    });

    it('turns a directory removed and recreated into an opaque directory', async () => {
      const lines = await change((dir) => {
        rmSync(join(dir, 'd'), { recursive: true });
        mkdirSync(join(dir, 'd'));
        chmodSync(join(dir, 'd'), 0o755);
        writeFileSync(join(dir, 'd/z'), 'z');
      });
      expect(lines).toEqual(['directory d/ 755 0:0', 'file d/.wh..wh..opq 0 0:0 =', 'file d/z 644 0:0 =z']);
    });

    it('records a deleted directory as one whiteout, and empty directories', async () => {
      const lines = await change((dir) => {
        rmSync(join(dir, 'd'), { recursive: true });
        rmSync(join(dir, 'empty'), { recursive: true });
        mkdirSync(join(dir, 'empty2'));
        chmodSync(join(dir, 'empty2'), 0o700);
      });
      expect(lines).toEqual(['file .wh.d 0 0:0 =', 'file .wh.empty 0 0:0 =', 'directory empty2/ 700 0:0']);
    });

    it('writes hard links as tar hard links and symlinks as symlinks', async () => {
      const lines = await change((dir) => {
        writeFileSync(join(dir, 'h1'), 'same');
        linkSync(join(dir, 'h1'), join(dir, 'h2'));
        symlinkSync('/etc/a', join(dir, 'l2'));
        unlinkSync(join(dir, 'sym'));
        symlinkSync('etc/c', join(dir, 'sym'));
      });
      expect(lines).toEqual(['file h1 644 0:0 =same', 'link h2 644 0:0 -> h1', 'symlink l2 777 0:0 -> /etc/a', 'symlink sym 777 0:0 -> etc/c']);
    });

    it('keeps setuid/setgid/sticky bits and numeric owners, with empty user and group names', async () => {
      const lines = await change((dir) => {
        writeFileSync(join(dir, 'suid'), 's');
        execFileSync('chown', ['1234:5678', join(dir, 'suid')]);
        chmodSync(join(dir, 'suid'), 0o6755);
        mkdirSync(join(dir, 'sticky'));
        chmodSync(join(dir, 'sticky'), 0o1777);
      });
      expect(lines).toEqual(['directory sticky/ 1777 0:0', 'file suid 6755 1234:5678 =s']);
    });

    it('archives device nodes and fifos', async () => {
      const lines = await change((dir) => {
        execFileSync('mknod', ['-m', '666', join(dir, 'nul'), 'c', '1', '3']);
        execFileSync('mknod', ['-m', '600', join(dir, 'blk'), 'b', '7', '42']);
        execFileSync('mkfifo', ['-m', '644', join(dir, 'pipe')]);
      });
      expect(lines).toEqual(['block-device blk 600 0:0 dev 7:42', 'character-device nul 666 0:0 dev 1:3', 'fifo pipe 644 0:0']);
    });

    it('carries xattrs as PAX SCHILY.xattr records, and imports them back', async (ctx) => {
      if (!xattrsWork(root)) ctx.skip();
      const lines = await change((dir) => {
        writeFileSync(join(dir, 'xa'), 'x');
        execFileSync('setfattr', ['-n', 'user.color', '-v', 'blue', join(dir, 'xa')]);
      });
      expect(lines).toEqual(['file xa 644 0:0 =x {user.color=blue}']);
      await sn.commit('l2', 'work');
      await sn.importLayer('l3', 'l2', layerOf([{ name: 'xb', content: 'b', pax: { 'SCHILY.xattr.user.shape': 'round' } }]));
      await withMounted(await sn.view('v3', 'l3'), async (dir) => {
        const dump = execFileSync('getfattr', ['-d', '-m', 'user\\.', join(dir, 'xb'), join(dir, 'xa')], { encoding: 'utf8' });
        expect(dump).toContain('user.shape="round"');
        expect(dump).toContain('user.color="blue"');
      });
    });

    it('clamps mtimes to SOURCE_DATE_EPOCH and gives the same bytes twice', async () => {
      await change((dir) => writeFileSync(join(dir, 'f'), 'f'));
      const entries = await readLayer(sn.diff('work', { sourceDateEpoch: 1000 }));
      expect(entries.map((e) => e.mtime)).toEqual([1000]);
      const one = await sha256Of(sn.diff('work', { sourceDateEpoch: 1000 }));
      const two = await sha256Of(sn.diff('work', { sourceDateEpoch: 1000 }));
      expect(one).toBe(two);
    });

    it('stacks committed snapshots: a child diff holds only its own changes, whiteouts apply on import', async () => {
      await change((dir) => writeFileSync(join(dir, 'one'), '1'));
      await sn.commit('l1', 'work');
      const lines = await change((dir) => {
        writeFileSync(join(dir, 'two'), '2');
        unlinkSync(join(dir, 'one'));
      }, 'work2', 'l1');
      expect(lines).toEqual(['file .wh.one 0 0:0 =', 'file two 644 0:0 =2']);
      await sn.commit('l2', 'work2');
      await sn.importLayer('l3', 'l2', layerOf([{ name: '.wh.etc' }, { name: 'd/.wh..wh..opq' }, { name: 'd/fresh', content: 'f' }]));
      await withMounted(await sn.view('v', 'l3'), async (dir) => {
        expect(readdirSync(dir).sort()).toEqual(['d', 'empty', 'sym', 'two', 'usr']);
        expect(readdirSync(join(dir, 'd'))).toEqual(['fresh']);
      });
      await expect(sn.remove('l1')).rejects.toMatchObject({ code: 'SNAPSHOT_STATE' });
      await expect(sn.commit('l1', 'nope')).rejects.toMatchObject({ code: 'SNAPSHOT_NOT_FOUND' });
    });

    it('imports a layer streamed from a child process that may finish before the unpack starts', async () => {
      const src = join(root, 'src');
      mkdirSync(join(src, 'data'), { recursive: true });
      for (let i = 0; i < 50; i++) writeFileSync(join(src, 'data', `f${i}`), String(i));
      const tarProc = spawn('tar', ['-C', src, '--numeric-owner', '-cf', '-', 'data'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await sn.importLayer('from-pipe', 'base', tarProc.stdout);
      await withMounted(await sn.view('vp', 'from-pipe'), async (dir) => {
        expect(readdirSync(join(dir, 'data'))).toHaveLength(50);
      });
    });

    it('keeps metadata: stat, has, list, remove, and cleans orphans', async () => {
      await sn.prepare('w', 'base');
      expect(await sn.has('w')).toBe(true);
      expect((await sn.stat('w')).parent).toBe('base');
      expect((await sn.list()).map((i) => `${i.key}:${i.kind}`).sort()).toEqual(['base:committed', 'w:active']);
      await expect(sn.prepare('w', 'base')).rejects.toMatchObject({ code: 'SNAPSHOT_EXISTS' });
      await expect(sn.prepare('w2', 'w')).rejects.toMatchObject({ code: 'SNAPSHOT_STATE' });
      await sn.remove('w');
      expect(await sn.has('w')).toBe(false);
      mkdirSync(join(root, 'snapshots', '0123456789abcdef'));
      await sn.cleanup();
      expect(readdirSync(join(root, 'snapshots')).filter((d) => d !== 'meta')).toHaveLength(1);
    });

    it('renames a committed snapshot without children, keeping its files; a crash inside rename is tidied by cleanup', async () => {
      await sn.importLayer('tmp', 'base', layerOf([{ name: 'new', content: 'n' }]));
      const before = await sn.stat('tmp');
      const renamed = await sn.rename('tmp', 'final', { labels: { k: 'v' } });
      expect(renamed).toMatchObject({ key: 'final', id: before.id, parent: 'base', kind: 'committed', labels: { k: 'v' } });
      expect(await sn.has('tmp')).toBe(false);
      const view = await sn.view('v', 'final');
      await withMounted(view, async (dir) => expect(readFileSync(join(dir, 'new'), 'utf8')).toBe('n'));
      await sn.remove('v');
      await expect(sn.rename('base', 'other')).rejects.toMatchObject({ code: 'SNAPSHOT_STATE' }); // 'final' is its child
      await expect(sn.rename('final', 'base')).rejects.toMatchObject({ code: 'SNAPSHOT_EXISTS' });

      // a crash between rename's two writes: the old record is still there beside the new one
      await sn.importLayer('tmp2', 'final', layerOf([{ name: 'more', content: 'm' }]));
      const old = await sn.stat('tmp2');
      await sn.rename('tmp2', 'final2');
      await new MetadataStore(join(root, 'snapshots')).put(old);
      expect((await sn.list()).map((i) => i.key).sort()).toEqual(['base', 'final', 'final2', 'tmp2']);
      await sn.cleanup();
      expect((await sn.list()).map((i) => i.key).sort()).toEqual(['base', 'final', 'final2']);
      expect((await sn.stat('final2')).id).toBe(old.id);
      expect(readdirSync(join(root, 'snapshots')).filter((d) => d === old.id)).toHaveLength(1);
    });
  });
}
