import { describe, expect, it } from 'vitest';
import { LayerIndex, type CompactIndex } from '../../../src/build/layer-index-view.js';

const compact = (entries: CompactIndex['entries'], more: Partial<CompactIndex> = {}): CompactIndex => ({ entries, whiteouts: [], opaque: [], files: {}, ...more });

async function paths(index: LayerIndex): Promise<string[]> {
  const view = index.view();
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    for (const name of await view.readdir(rel)) {
      const p = rel === '' ? name : `${rel}/${name}`;
      out.push(p);
      if ((await view.lstat(p))?.type === 'dir') await visit(p);
    }
  };
  await visit('');
  return out;
}

describe('LayerIndex applies a layer\'s deletions as overlay would', () => {
  it('removes whiteouts with everything below them, empties opaque directories, and keeps what is left', async () => {
    const index = new LayerIndex();
    index.addCompact(
      compact([
        ['etc', 'dir', 0o755, 0, 0],
        ['etc/app', 'dir', 0o755, 0, 0],
        ['etc/app/conf.d', 'dir', 0o755, 0, 0],
        ['etc/app/conf.d/a', 'symlink', 0o777, 0, 0, 'x'],
        ['opt', 'dir', 0o755, 0, 0],
        ['opt/tool', 'dir', 0o755, 0, 0],
        ['opt/tool/bin', 'dir', 0o755, 0, 0],
        ['opt/keep', 'dir', 0o755, 0, 0],
        ['usr', 'dir', 0o755, 0, 0],
        ['usr/share', 'dir', 0o755, 0, 0],
        ['usr/share/doc', 'dir', 0o755, 0, 0],
        ['usr/share/doc/pkg', 'dir', 0o755, 0, 0],
        // a tar need not list every parent: nothing names var/lib/gone itself
        ['var/lib/gone/sub', 'dir', 0o755, 0, 0],
        ['var/lib/stays', 'dir', 0o755, 0, 0],
      ]),
    );
    index.addCompact(
      compact([['etc/app/new', 'dir', 0o755, 0, 0]], {
        opaque: ['etc/app'],
        whiteouts: ['opt/tool', 'usr/share/doc/pkg', 'var/lib/gone', 'no/such/path'],
      }),
    );
    // the walk reaches what hangs from listed directories; var/ itself is not listed
    expect(await paths(index)).toEqual(['etc', 'etc/app', 'etc/app/new', 'opt', 'opt/keep', 'usr', 'usr/share', 'usr/share/doc']);
    const view = index.view();
    expect(await view.lstat('var/lib/stays')).toBeDefined();
    expect(await view.lstat('var/lib/gone/sub')).toBeUndefined();
    expect(await view.lstat('etc/app/conf.d/a')).toBeUndefined();
  });

  it('an opaque root empties the whole index below it', async () => {
    const index = new LayerIndex();
    index.addCompact(compact([['a', 'dir', 0o755, 0, 0], ['a/b', 'dir', 0o755, 0, 0]]));
    index.addCompact(compact([['c', 'dir', 0o755, 0, 0]], { opaque: [''] }));
    expect(await paths(index)).toEqual(['c']);
  });
});
