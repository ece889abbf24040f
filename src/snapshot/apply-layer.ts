import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { chmod, copyFile, lchown, link, lstat, lutimes, mkdir, readdir, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, type Header } from 'tar-stream';
import { StrataError } from '../util/errors.js';
import { InvalidLayerError, UnsafeLayerEntryError } from './errors.js';
import { writeSmallFileSync } from './small-file.js';
import type { DiffEntry, DiffEntryType } from './types.js';
import { writeXattrs } from './xattrs.js';

/**
 * ApplyOptions choose how whiteouts land:
 * - 'delete' (native snapshots, plain directories): `.wh.x` removes x; `.wh..wh..opq` empties the directory
 *   of everything this layer did not itself unpack.
 * - 'overlay' (an overlay lower dir, unpacked on its own): `.wh.x` becomes a 0/0 character device, and
 *   `.wh..wh..opq` the opaque xattr, exactly what overlayfs reads.
 */
export interface ApplyOptions {
  whiteouts?: 'delete' | 'overlay';
  /** opaqueXattr: the overlay opaque attribute name ('user.overlay.opaque' for userxattr mounts). */
  opaqueXattr?: string;
  /** lowers: for 'overlay', the parent layers' dirs (nearest first), where a hard link's target may live. */
  lowers?: string[];
  /** ignoreOwnership: skip chown (an unprivileged unpack keeps its own uid). */
  ignoreOwnership?: boolean;
  /** onEntry sees every entry once it is unpacked (to index the layer in the same pass). */
  onEntry?: (entry: DiffEntry) => void;
}

/** ApplyResult counts what was unpacked. */
export interface ApplyResult {
  entries: number;
  whiteouts: number;
}

/** cleanEntryName splits a tar entry name into safe components, refusing `..` and absolute names. */
export function cleanEntryName(name: string): string[] {
  if (name.startsWith('/')) throw new UnsafeLayerEntryError(name, 'absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnsafeLayerEntryError(name, 'path contains ..');
  return parts;
}

/** EntryHeader: tar-stream's header, with the PAX records it decodes but does not declare. */
type EntryHeader = Omit<Header, 'pax'> & { pax?: Record<string, string> | null };

/** ENTRY_TYPES maps tar-stream's entry types to a diff entry's. */
const ENTRY_TYPES: Partial<Record<NonNullable<Header['type']>, DiffEntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  link: 'link',
  symlink: 'symlink',
  directory: 'dir',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/** SMALL_FILE: files up to this size are written whole rather than streamed. */
const SMALL_FILE = 1 << 20;

/** UMASK is this process's umask, read once (process.umask() without an argument is deprecated). */
const UMASK = (() => {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? parseInt(m[1]!, 8) : 0o777;
  } catch {
    return 0o777;
  }
})();

/**
 * createMode is the mode to create a file with: its final permissions when the umask leaves them whole
 * and no special bit is set (saving a chmod per file), else a private 0600 until chmod.
 */
function createMode(perm: number): number {
  return perm <= 0o777 && (perm & UMASK) === 0 ? perm : 0o600;
}

interface Deferred {
  dirTimes: { path: string; mtime: Date; depth: number }[];
  xattrs: { path: string; name: string; value: Buffer }[];
  nodes: string[];
}

/**
 * applyLayer unpacks an OCI layer tar into `dir`, applying whiteouts, with each entry's mode (setuid bits
 * included), numeric owner, mtime and xattrs. An entry whose path would leave `dir` (`..`, absolute, or a
 * parent that is a symlink) is refused with UnsafeLayerEntryError; nothing is written through a symlink.
 */
export async function applyLayer(layer: Readable, dir: string, options: ApplyOptions = {}): Promise<ApplyResult> {
  const mode = options.whiteouts ?? 'delete';
  const opaqueXattr = options.opaqueXattr ?? 'trusted.overlay.opaque';
  const verified = new Set<string>(['']);
  const unpacked = new Set<string>();
  // fresh: directories this apply created, which hold nothing but what it unpacked (no lstat needed);
  // setgid: directories whose new children inherit their group.
  // tar-stream hands entries only to a consumer that is already there: take the iterator before any data
  // can arrive (a child process's pipe may have the whole layer buffered).
  const extract = tarExtract();
  const entries = extract[Symbol.asyncIterator]();
  layer.on('error', (err) => extract.destroy(err));
  layer.pipe(extract);
  const fresh = new Set<string>((await readdir(dir)).length === 0 ? [''] : []);
  const setgid = new Set<string>();
  const me = { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
  const deferred: Deferred = { dirTimes: [], xattrs: [], nodes: [] };
  const result: ApplyResult = { entries: 0, whiteouts: 0 };

  /** ensureParents creates missing parents and refuses a parent that is a symlink or not a directory. */
  async function ensureParents(parts: string[], entry: string): Promise<void> {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (verified.has(rel)) continue;
      const st = await lstat(join(dir, rel)).catch(() => undefined);
      if (st === undefined) {
        await mkdir(join(dir, rel), { mode: 0o755 });
        fresh.add(rel);
      }
      else if (st.isSymbolicLink()) throw new UnsafeLayerEntryError(entry, `parent ${rel} is a symlink`);
      else if (!st.isDirectory()) throw new InvalidLayerError(`layer entry ${JSON.stringify(entry)}: parent ${rel} is not a directory`);
      verified.add(rel);
    }
  }

  /** linkTargetHere says whether a hard link's target exists in `dir`, refusing a path through a symlink. */
  async function linkTargetHere(target: string[], entry: string): Promise<boolean> {
    for (let i = 1; i <= target.length; i++) {
      const st = await lstat(join(dir, ...target.slice(0, i))).catch(() => undefined);
      if (st === undefined) return false;
      if (i < target.length && st.isSymbolicLink()) throw new UnsafeLayerEntryError(entry, `hard link target goes through symlink ${target.slice(0, i).join('/')}`);
      if (i < target.length && !st.isDirectory()) return false;
    }
    return true;
  }

  function forget(rel: string): void {
    for (const v of verified) if (v === rel || v.startsWith(rel + '/')) verified.delete(v);
  }

  async function whiteout(parts: string[], name: string): Promise<void> {
    const parentRel = parts.slice(0, -1).join('/');
    const base = parts[parts.length - 1]!;
    result.whiteouts++;
    if (base === '.wh..wh..opq') {
      options.onEntry?.({ kind: 'opaque', path: parentRel });
      if (mode === 'overlay') deferred.xattrs.push({ path: join(dir, parentRel), name: opaqueXattr, value: Buffer.from('y') });
      else {
        for (const child of await readdir(join(dir, parentRel))) {
          const rel = parentRel === '' ? child : `${parentRel}/${child}`;
          if (!unpacked.has(rel)) {
            forget(rel);
            await rm(join(dir, rel), { recursive: true, force: true });
          }
        }
      }
      return;
    }
    const victim = base.slice('.wh.'.length);
    if (victim === '' || victim === '.' || victim === '..') throw new UnsafeLayerEntryError(name, 'bad whiteout name');
    const rel = parentRel === '' ? victim : `${parentRel}/${victim}`;
    options.onEntry?.({ kind: 'whiteout', path: rel });
    forget(rel);
    await rm(join(dir, rel), { recursive: true, force: true });
    if (mode === 'overlay') deferred.nodes.push(`mknod -m 000 ${shq(join(dir, rel))} c 0 0`);
  }

  async function findLower(rel: string): Promise<string | undefined> {
    for (const lower of options.lowers ?? []) {
      const p = join(lower, rel);
      if (await lstat(p).then(() => true, () => false)) return p;
    }
    return undefined;
  }

  function pushXattrs(path: string, header: EntryHeader): void {
    for (const [k, v] of Object.entries(header.pax ?? {})) {
      // tar-stream decodes PAX values as UTF-8: a binary value that was not valid UTF-8 is lost, and is
      // skipped rather than written corrupted.
      if (k.startsWith('SCHILY.xattr.') && !v.includes('\uFFFD')) deferred.xattrs.push({ path, name: k.slice('SCHILY.xattr.'.length), value: Buffer.from(v, 'utf8') });
    }
  }

  async function entry(header: EntryHeader, stream: AsyncIterable<unknown>): Promise<void> {
    await unpackEntry(header, stream);
    if (options.onEntry === undefined) return;
    const parts = cleanEntryName(header.name);
    const type = ENTRY_TYPES[header.type ?? 'file'];
    if (parts.length === 0 || parts[parts.length - 1]!.startsWith('.wh.') || type === undefined) return;
    const seen: DiffEntry = {
      kind: 'entry',
      path: parts.join('/'),
      type,
      mode: (header.mode ?? 0) & 0o7777,
      uid: header.pax?.uid !== undefined ? Number(header.pax.uid) : (header.uid ?? 0),
      gid: header.pax?.gid !== undefined ? Number(header.pax.gid) : (header.gid ?? 0),
      size: type === 'file' ? (header.size ?? 0) : 0,
      host: join(dir, ...parts),
    };
    if (header.linkname) seen.linkname = header.linkname;
    options.onEntry(seen);
  }

  async function unpackEntry(header: EntryHeader, stream: AsyncIterable<unknown>): Promise<void> {
    const parts = cleanEntryName(header.name);
    if (parts.length === 0) return; // the root itself keeps its mode: a layer does not chmod the rootfs
    await ensureParents(parts, header.name);
    const rel = parts.join('/');
    if (parts[parts.length - 1]!.startsWith('.wh.')) return whiteout(parts, header.name);
    result.entries++;
    const path = join(dir, rel);
    const parentRel = parts.slice(0, -1).join('/');
    const mayExist = !fresh.has(parentRel) || unpacked.has(rel);
    const existing = mayExist ? await lstat(path).catch(() => undefined) : undefined;
    const isDir = header.type === 'directory';
    if (existing && !(isDir && existing.isDirectory())) {
      if (existing.isDirectory()) forget(rel);
      await rm(path, { recursive: true, force: true });
    }
    // tar-stream applies PAX path/linkpath/size but not uid/gid (ids beyond 2097151 live only there).
    const uid = header.pax?.uid !== undefined ? Number(header.pax.uid) : (header.uid ?? 0);
    const gid = header.pax?.gid !== undefined ? Number(header.pax.gid) : (header.gid ?? 0);
    const perm = (header.mode ?? 0o644) & 0o7777;
    let modeSet = false; // the file was created with exactly `perm`
    const mtime = header.mtime ?? new Date(0);
    switch (header.type) {
      case 'file':
      case 'contiguous-file':
        if ((header.size ?? 0) <= SMALL_FILE) {
          // Small files (most of a layer's) are written with their metadata in one synchronous pass.
          const chunks: Buffer[] = [];
          for await (const c of stream) chunks.push(c as Buffer);
          const ownedAlready = !existing && uid === me.uid && gid === me.gid && !setgid.has(parentRel);
          const owner = options.ignoreOwnership || ownedAlready ? undefined : { uid, gid };
          writeSmallFileSync(path, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), { perm, createMode: createMode(perm), mtime, ...(owner ? { owner } : {}) });
          unpacked.add(rel);
          pushXattrs(path, header);
          return;
        } else await pipeline(stream, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
        break;
      case 'directory':
        if (!existing) {
          await mkdir(path, { mode: 0o700 });
          fresh.add(rel);
        }
        if (perm & 0o2000) setgid.add(rel);
        else setgid.delete(rel);
        verified.add(rel);
        break;
      case 'symlink':
        await symlink(header.linkname ?? '', path);
        break;
      case 'link': {
        const target = cleanEntryName(header.linkname ?? '');
        if (target.length === 0) throw new UnsafeLayerEntryError(header.name, 'hard link to the root');
        const targetPath = join(dir, ...target);
        const here = await linkTargetHere(target, header.name);
        if (here) await link(targetPath, path);
        else {
          // The target lives in a lower layer (overlay unpacks each layer alone): copy it up, as overlayfs would.
          const lower = await findLower(target.join('/'));
          if (lower === undefined) throw new InvalidLayerError(`layer entry ${JSON.stringify(header.name)}: hard link target ${header.linkname} not found`);
          const st = await lstat(lower);
          await copyFile(lower, path);
          if (!options.ignoreOwnership) await lchown(path, st.uid, st.gid);
          await chmod(path, st.mode & 0o7777);
          await utimes(path, st.atime, st.mtime);
        }
        unpacked.add(rel);
        return; // a hard link shares its target's metadata
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        const kind = header.type === 'fifo' ? 'p' : header.type === 'character-device' ? 'c' : 'b';
        const nums = kind === 'p' ? '' : ` ${header.devmajor ?? 0} ${header.devminor ?? 0}`;
        const own = options.ignoreOwnership ? '' : ` && chown -h ${uid}:${gid} ${shq(path)}`;
        deferred.nodes.push(`mknod -m ${perm.toString(8)} ${shq(path)} ${kind}${nums}${own} && touch -h -d @${Math.floor(mtime.getTime() / 1000)} ${shq(path)}`);
        unpacked.add(rel);
        return;
      }
      default:
        throw new InvalidLayerError(`layer entry ${JSON.stringify(header.name)}: unsupported type ${header.type}`);
    }
    unpacked.add(rel);
    // A new entry already belongs to us (its group comes from a setgid parent otherwise).
    const ownedAlready = !existing && uid === me.uid && gid === me.gid && !setgid.has(parentRel);
    if (!options.ignoreOwnership && !ownedAlready) await lchown(path, uid, gid);
    // A mode given at creation has no setuid/setgid bits, which are all that chown would clear.
    if (header.type !== 'symlink' && !modeSet) await chmod(path, perm);
    pushXattrs(path, header);
    if (isDir) deferred.dirTimes.push({ path, mtime, depth: parts.length });
    else await lutimes(path, mtime, mtime);
  }

  try {
    for await (const e of { [Symbol.asyncIterator]: () => entries }) {
      await entry(e.header as EntryHeader, e);
      e.resume(); // drain whatever the entry did not read
    }
  } catch (err) {
    layer.unpipe(extract);
    layer.destroy();
    // tar-stream's parse errors carry no code; filesystem errors (EACCES, ENOSPC...) and ours pass through.
    if (err instanceof StrataError || (err as NodeJS.ErrnoException).code !== undefined) throw err;
    throw new InvalidLayerError(`reading layer: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  await runScript(deferred.nodes);
  await writeXattrs(deferred.xattrs);
  // Directory times last (children change them), deepest first.
  for (const d of deferred.dirTimes.sort((a, b) => b.depth - a.depth)) await utimes(d.path, d.mtime, d.mtime);
  return result;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function runScript(lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await new Promise<void>((resolve, reject) => {
    const p = spawn('sh', ['-e'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c) => (err += c));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new InvalidLayerError(`creating device nodes: ${err.trim().split('\n')[0]}`))));
    p.stdin.end(lines.join('\n') + '\n');
  });
}
