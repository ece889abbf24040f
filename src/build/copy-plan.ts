import { posix } from 'node:path';
import { cleanRel } from '../context/scoped-path.js';
import { ignoreMatcher, noIgnore, type IgnoreMatcher } from '../context/ignore.js';
import { CopyRuleError, SourceNotFoundError } from './errors.js';
import { resolveIn, type FsView, type ViewStat } from './fs-view.js';
import { glob, hasWildcards } from '../context/glob.js';
import type { LayerEntry } from './layer-entry.js';
import type { Owner } from './user-db.js';

/** CopySource is one source of COPY/ADD after expansion: a path (maybe a wildcard) or a heredoc. */
export type CopySource = { kind: 'path'; path: string } | { kind: 'heredoc'; name: string; content: string };

/** CopySpec is a COPY/ADD with every word expanded and every flag decided. */
export interface CopySpec {
  sources: CopySource[];
  /** dest as written (expanded); relative to `workdir` unless absolute; a trailing slash means a directory. */
  dest: string;
  workdir: string;
  owner?: Owner;
  chmod?: number;
  parents: boolean;
  exclude: string[];
  link: boolean;
  /** preserveOwner: keep the source's uid/gid (COPY --from); the context's files become 0:0. */
  preserveOwner: boolean;
  /** now: mtime (seconds) of directories and heredoc files the step creates. */
  now: number;
}

/** ArchiveSource is an ADD source that is a local tar: its entries are unpacked under `destDir`. */
export interface ArchiveSource {
  source: string;
  destDir: string;
  view: FsView;
  rel: string;
}

/** CopyPlan is the content of the layer a COPY/ADD writes. */
export interface CopyPlan {
  entries: LayerEntry[];
  archives: ArchiveSource[];
}

/** isArchive decides whether an ADD source file is a tar to unpack (set by the caller for ADD). */
export type ArchiveProbe = (view: FsView, rel: string) => Promise<boolean>;

/**
 * planCopy computes the entries of a COPY/ADD layer by Docker's path rules:
 * - a destination ending in `/` (or an existing directory in the parent) is a directory, and files
 *   are copied into it under their own name; otherwise a single file source is written as `dest`;
 * - a directory source copies its contents (not itself) into the destination;
 * - wildcards match names in each segment (Go's filepath.Match); no match is not an error;
 * - a missing (or ignored) plain source is an error; several sources need a directory destination;
 * - the source path itself is followed if it is a symlink, links below it are kept as links;
 * - missing parents are created (0755, owned by --chown's owner); existing ones keep their metadata;
 * - `--parents` keeps each source's path (below an optional `/./` pivot) under the destination;
 * - `--exclude` patterns (dockerignore syntax) are matched against paths below each source.
 */
export async function planCopy(spec: CopySpec, src: FsView, ignore: IgnoreMatcher, parent: FsView, probe?: ArchiveProbe): Promise<CopyPlan> {
  const entries = new Map<string, LayerEntry>();
  const archives: ArchiveSource[] = [];
  const hardlinks = new Map<string, string>();
  const exclude = spec.exclude.length > 0 ? ignoreMatcher(spec.exclude) : noIgnore;

  const destWritten = spec.dest;
  const destAbs = destWritten.startsWith('/') ? destWritten : posix.join(spec.workdir, destWritten);
  const destRel = cleanRel(destAbs);
  const dirHint = destWritten.endsWith('/') || destWritten === '.' || destWritten.endsWith('/.') || destWritten === '';
  const destResolved = spec.link ? destRel : await resolveIn(parent, destRel, true);
  const destStat = spec.link ? undefined : await parent.lstat(destResolved);
  const destIsDir = dirHint || spec.parents || destStat?.type === 'dir';

  // Expand every path source first: the "several sources" rule counts matches.
  const expanded: { written: string; matches: string[]; pivot: string }[] = [];
  for (const s of spec.sources) {
    if (s.kind !== 'path') continue;
    let written = s.path;
    let pivot = '';
    if (spec.parents) {
      const cut = written.indexOf('/./');
      if (cut >= 0) {
        pivot = cleanRel(written.slice(0, cut));
        written = written.slice(cut + 3);
      }
      written = pivot === '' ? written : `${pivot}/${written}`;
    }
    const clean = cleanRel(written);
    let matches: string[];
    if (hasWildcards(clean)) matches = await glob(src, clean, ignore);
    else {
      if (clean !== '' && ignore.ignores(clean) && !ignore.hasExceptions) throw new SourceNotFoundError(s.path);
      if (!(await src.lstat(await resolveIn(src, clean, true)))) throw new SourceNotFoundError(s.path);
      matches = [clean];
    }
    expanded.push({ written: s.path, matches, pivot });
  }
  const total = expanded.reduce((n, e) => n + e.matches.length, 0) + spec.sources.filter((s) => s.kind === 'heredoc').length;
  if ((spec.sources.length > 1 || total > 1) && !destIsDir) {
    throw new CopyRuleError(`When using COPY with more than one source file, the destination must be a directory and end with a /`);
  }

  const owner = (st: ViewStat): Owner => spec.owner ?? (spec.preserveOwner ? { uid: st.uid, gid: st.gid } : { uid: 0, gid: 0 });
  const modeOf = (st: ViewStat): number => (spec.chmod !== undefined && st.type !== 'symlink' ? spec.chmod : st.mode);

  const addEntry = async (view: FsView, rel: string, st: ViewStat, target: string): Promise<void> => {
    const o = owner(st);
    const base = { path: target, mode: modeOf(st), uid: o.uid, gid: o.gid, mtime: st.mtime };
    if (st.type === 'socket') return; // sockets are not copied (as tar cannot hold them)
    if (st.type === 'file' && st.nlink > 1 && st.ino !== '') {
      const first = hardlinks.get(st.ino);
      if (first !== undefined) {
        entries.set(target, { ...base, type: 'hardlink', linkname: first });
        return;
      }
      hardlinks.set(st.ino, target);
    }
    if (st.type === 'file') entries.set(target, { ...base, type: 'file', size: st.size, content: view.content(rel) });
    else if (st.type === 'symlink') entries.set(target, { ...base, type: 'symlink', linkname: await view.readlink(rel) });
    else if (st.type === 'dir') entries.set(target, { ...base, type: 'dir' });
    else entries.set(target, { ...base, type: st.type, devmajor: Math.floor(st.rdev / 256), devminor: st.rdev % 256 });
  };

  // copyTree copies the contents of directory `rel` into `target` (rel-relative paths for --exclude).
  const copyTree = async (view: FsView, rel: string, target: string, under: string): Promise<void> => {
    for (const name of await view.readdir(rel)) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const sub = under === '' ? name : `${under}/${name}`;
      const st = await view.lstat(childRel);
      if (!st) continue;
      const ignored = ignore.ignores(childRel);
      const excluded = exclude.ignores(sub);
      if ((ignored && !ignore.hasExceptions) || (excluded && !exclude.hasExceptions)) continue;
      const childTarget = target === '' ? name : `${target}/${name}`;
      if (st.type === 'dir') {
        const before = entries.size;
        if (!ignored && !excluded) await addEntry(view, childRel, st, childTarget);
        await copyTree(view, childRel, childTarget, sub);
        // an ignored directory appears only to hold what an exception kept inside it
        if ((ignored || excluded) && entries.size > before) await addEntry(view, childRel, st, childTarget);
        continue;
      }
      if (ignored || excluded) continue;
      await addEntry(view, childRel, st, childTarget);
    }
  };

  const roots = new Set<string>();
  for (const e of expanded) {
    for (const m of e.matches) {
      const resolved = await resolveIn(src, m, true);
      const st = await src.lstat(resolved);
      if (!st) continue;
      if (spec.parents) {
        const kept = e.pivot === '' ? m : m.slice(e.pivot.length + 1);
        const target = join(destResolved, kept);
        // the directories between the destination and the kept path come from the source
        const parts = kept.split('/');
        for (let i = 1; i < parts.length; i++) {
          const srcDir = [e.pivot, ...parts.slice(0, i)].filter((x) => x !== '').join('/');
          const dst = await src.lstat(srcDir);
          if (dst) await addEntry(src, srcDir, dst, join(destResolved, parts.slice(0, i).join('/')));
        }
        roots.add(destResolved);
        if (st.type === 'dir') {
          await addEntry(src, resolved, st, target);
          await copyTree(src, resolved, target, '');
        } else await addEntry(src, resolved, st, target);
        continue;
      }
      if (st.type === 'dir') {
        roots.add(destResolved);
        await copyTree(src, resolved, destResolved, '');
        continue;
      }
      const name = posix.basename(m);
      if (exclude.ignores(name)) continue;
      const target = destIsDir ? join(destResolved, name) : destResolved;
      if (probe && st.type === 'file' && (await probe(src, resolved))) {
        const dir = destIsDir ? destResolved : destResolved;
        roots.add(dir);
        archives.push({ source: m, destDir: dir, view: src, rel: resolved });
        continue;
      }
      roots.add(posix.dirname(target) === '.' ? '' : posix.dirname(target));
      await addEntry(src, resolved, st, target);
    }
  }
  for (const s of spec.sources) {
    if (s.kind !== 'heredoc') continue;
    const target = destIsDir ? join(destResolved, s.name) : destResolved;
    const o = spec.owner ?? { uid: 0, gid: 0 };
    const data = Buffer.from(s.content);
    entries.set(target, { path: target, type: 'file', mode: spec.chmod ?? 0o644, uid: o.uid, gid: o.gid, mtime: spec.now, size: data.length, content: { kind: 'bytes', data } });
    roots.add(posix.dirname(target) === '.' ? '' : posix.dirname(target));
  }

  // Parent directories of everything written: existing ones keep their metadata, missing ones
  // are created 0755 and owned by --chown's owner (BuildKit's mkdir -p with the copy's user).
  for (const root of roots) {
    const parts = root === '' ? [] : root.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (entries.has(p)) continue;
      const existing = spec.link ? undefined : await parent.lstat(p);
      if (existing && existing.type === 'dir') {
        entries.set(p, { path: p, type: 'dir', mode: existing.mode, uid: existing.uid, gid: existing.gid, mtime: spec.now });
      } else {
        const o = spec.owner ?? { uid: 0, gid: 0 };
        entries.set(p, { path: p, type: 'dir', mode: 0o755, uid: o.uid, gid: o.gid, mtime: spec.now });
      }
    }
  }
  return { entries: [...entries.values()], archives };
}

function join(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `${a}/${b}`;
}
