import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareNames, joinRel, type Change } from './changes.js';
import { OPAQUE_XATTRS, type XattrTree } from './xattrs.js';

/**
 * overlayChanges walks an overlay upper dir, which *is* the diff: a 0/0 character device is a deleted
 * name, a directory with the opaque xattr hides the lower directories, everything else was added or changed.
 */
export async function* overlayChanges(upper: string, xattrs: XattrTree, rel = ''): AsyncGenerator<Change> {
  // Synchronous calls: the walk is thousands of tiny metadata reads, and a thread-pool round trip for
  // each cost more than the reads themselves (the caller reads file bodies synchronously too).
  const names = readdirSync(join(upper, rel)).sort(compareNames);
  const stats = names.map((n) => lstatSync(join(upper, rel, n)));
  for (const [k, name] of names.entries()) {
    const path = joinRel(rel, name);
    const host = join(upper, path);
    const stat = stats[k]!;
    if (stat.isCharacterDevice() && stat.rdev === 0) {
      yield { kind: 'whiteout', path };
      continue;
    }
    yield { kind: 'add', path, host, stat };
    if (!stat.isDirectory()) continue;
    const attrs = xattrs.get(path);
    if (attrs && OPAQUE_XATTRS.some((k) => attrs.get(k)?.toString() === 'y')) yield { kind: 'opaque', path };
    yield* overlayChanges(upper, xattrs, path);
  }
}
