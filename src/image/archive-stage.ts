import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { ArchiveError } from './errors.js';
import { safeEntryName } from './tar-policy.js';

/** JSON_LIMIT bounds every JSON document read from an archive (a manifest is kilobytes). */
export const JSON_LIMIT = 8 << 20;

const JSON_NAMES = /(^|\/)(manifest\.json|index\.json|repositories|oci-layout|json|[^/]*\.json)$/;

/**
 * StagedArchive is an image archive unpacked into a private folder: regular files on disk, links
 * kept as a map (never created on disk) and resolved inside the archive only.
 */
export class StagedArchive {
  private readonly files = new Map<string, number>();
  private readonly links = new Map<string, string>();

  constructor(readonly dir: string) {}

  /** path returns the on-disk file for an archive name (following links), or undefined. */
  path(name: string): string | undefined {
    let n = safeEntryName(name);
    for (let hops = 0; hops < 16; hops++) {
      if (this.files.has(n)) return join(this.dir, n);
      const target = this.links.get(n);
      if (target === undefined) return undefined;
      n = target;
    }
    throw new ArchiveError('too many levels of links', name);
  }

  size(name: string): number | undefined {
    const p = this.path(name);
    return p === undefined ? undefined : this.files.get(p.slice(this.dir.length + 1));
  }

  has(name: string): boolean {
    return this.path(name) !== undefined;
  }

  names(): string[] {
    return [...this.files.keys(), ...this.links.keys()].sort();
  }

  /** add records one tar entry (extraction calls it). */
  async add(h: Header, body: AsyncIterable<unknown> & { resume(): unknown }): Promise<void> {
    const name = safeEntryName(h.name);
    switch (h.type) {
      case 'directory':
        body.resume();
        return;
      case 'file':
      case 'contiguous-file': {
        if (JSON_NAMES.test(name) && h.size > JSON_LIMIT) {
          throw new ArchiveError(`JSON document too large (${h.size} bytes, limit ${JSON_LIMIT})`, h.name);
        }
        if (name === '.') throw new ArchiveError('file entry without a name', h.name);
        const out = join(this.dir, name);
        await mkdir(dirname(out), { recursive: true });
        await pipeline(body, createWriteStream(out, { flags: 'wx' })).catch((err: NodeJS.ErrnoException) => {
          throw err.code === 'EEXIST' ? new ArchiveError('duplicate entry', h.name) : err;
        });
        this.files.set(name, h.size);
        return;
      }
      case 'symlink': {
        const target = h.linkname ?? '';
        if (target.startsWith('/')) throw new ArchiveError(`symlink to an absolute path ${target}`, h.name);
        const resolved = posix.normalize(posix.join(posix.dirname(name), target));
        if (resolved === '..' || resolved.startsWith('../')) throw new ArchiveError(`symlink points outside the archive (${target})`, h.name);
        this.links.set(name, resolved);
        body.resume();
        return;
      }
      case 'link':
        this.links.set(name, safeEntryName(h.linkname ?? '', `${h.name} (hard link to ${h.linkname})`));
        body.resume();
        return;
      default:
        throw new ArchiveError(`unexpected ${h.type} entry in an image archive`, h.name);
    }
  }
}

/** stageArchive unpacks an (uncompressed) archive stream into `dir`, refusing anything unsafe. */
export async function stageArchive(src: Readable, dir: string): Promise<StagedArchive> {
  await mkdir(dir, { recursive: true });
  const staged = new StagedArchive(dir);
  const ex = extract();
  let entries = 0;
  let current = 'archive';
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h: Header, stream, next) => {
      entries++;
      current = h.name;
      stream.on('error', () => undefined);
      staged.add(h, stream).then(
        () => next(),
        (err: unknown) => {
          stream.resume();
          ex.destroy(err as Error);
        },
      );
    });
    ex.on('finish', () => resolve());
    ex.on('error', (err: Error) => {
      if (err instanceof ArchiveError) reject(err);
      else if (/unexpected end/i.test(err.message)) reject(new ArchiveError('archive is truncated', current));
      else reject(new ArchiveError(`not a valid tar archive: ${err.message}`, current));
    });
    ex.on('close', () => resolve());
  });
  src.on('error', (err) => ex.destroy(err));
  src.pipe(ex as unknown as NodeJS.WritableStream);
  try {
    await done;
  } catch (err) {
    src.unpipe();
    src.destroy();
    throw err;
  }
  if (entries === 0) throw new ArchiveError('archive is empty or not a tar archive', 'archive');
  return staged;
}
