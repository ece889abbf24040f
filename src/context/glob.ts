import type { IgnoreMatcher } from './ignore.js';

/** TreeLister is the little a glob needs of a filesystem (FsView and the context both give it). */
export interface TreeLister {
  lstat(rel: string): Promise<{ type: string } | undefined>;
  readdir(rel: string): Promise<string[]>;
}

/** hasWildcards is true when a path holds `*`, `?` or `[` not escaped by `\` (Go's filepath.Match syntax). */
export function hasWildcards(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/** segmentRegExp compiles one path segment of a Go filepath.Match pattern. */
export function segmentRegExp(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '\\' && i + 1 < seg.length) re += escapeRe(seg[++i]!);
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\(.)/g, '\\$1')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * glob expands a clean root-relative pattern against a view, segment by segment, skipping paths
 * the ignore rules exclude. Matches are returned sorted; a literal segment is kept only if it
 * exists. Symlinked directories on the way are not followed (as Go's Glob on a real tree would
 * through lstat-free readdir; BuildKit matches names, not targets).
 */
export async function glob(view: TreeLister, pattern: string, ignore: IgnoreMatcher): Promise<string[]> {
  let current = [''];
  const segs = pattern.split('/').filter((s) => s !== '');
  for (const seg of segs) {
    const next: string[] = [];
    if (!hasWildcards(seg)) {
      const lit = seg.replace(/\\(.)/g, '$1');
      for (const dir of current) {
        const p = dir === '' ? lit : `${dir}/${lit}`;
        if ((await view.lstat(p)) && !ignore.ignores(p)) next.push(p);
      }
    } else {
      const re = segmentRegExp(seg);
      for (const dir of current) {
        const st = await view.lstat(dir);
        if (!st || st.type !== 'dir') continue;
        for (const name of await view.readdir(dir)) {
          const p = dir === '' ? name : `${dir}/${name}`;
          if (re.test(name) && !ignore.ignores(p)) next.push(p);
        }
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current.sort();
}
