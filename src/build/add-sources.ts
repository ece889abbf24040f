import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Dispatcher } from 'undici';

// undici is loaded only when an ADD names a URL: most builds never need its ~1 MB of code.
let redirecting: Dispatcher | undefined;
import { autoDecompress, detectCompression, peek } from '../image/compression.js';
import { cleanRel } from '../context/scoped-path.js';
import { StrataError } from '../util/errors.js';
import type { ArchiveSource } from './copy-plan.js';
import { dirView, type FsView } from './fs-view.js';
import { comparePaths, type LayerEntry } from './layer-entry.js';
import { writeLayerTar } from './tar-writer.js';
import { extraTlsTrust } from '../util/tls-trust.js';

/** archiveProbe says whether an ADD source is a tar (plain, gzip, bzip2 or xz), by its first bytes. */
export async function archiveProbe(view: FsView, rel: string): Promise<boolean> {
  const c = view.content(rel);
  if (c.kind !== 'file') return false;
  const raw = createReadStream(c.abs, { end: 65535 });
  try {
    const { head, stream } = await peek(raw, 6);
    const kind = detectCompression(head);
    if (kind === 'zstd') return false;
    const plain = kind === 'none' ? stream : (await autoDecompress(stream)).stream;
    const first = await peek(plain, 512);
    first.stream.destroy();
    return first.head.length >= 262 && first.head.subarray(257, 262).toString('latin1') === 'ustar';
  } catch {
    return false;
  } finally {
    raw.destroy();
  }
}

/**
 * writeLayerTarWithArchives writes the sorted entries, then the entries of each local archive an
 * ADD unpacks, moved under its destination (names cleaned so nothing climbs out), in archive order.
 */
export function writeLayerTarWithArchives(entries: LayerEntry[], archives: ArchiveSource[], epoch?: number): Readable {
  const out = new PassThrough();
  void (async () => {
    const head = writeLayerTar([...entries].sort((a, b) => comparePaths(a.path, b.path)), epoch !== undefined ? { epoch } : {});
    // Drop the two zero blocks that end the first tar, then append the archives' entries.
    const pack = tar.pack();
    const packDone = (async () => {
      for await (const chunk of pack) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    })();
    const headExtract = tar.extract();
    const copyInto = async (ex: tar.Extract, prefix: string): Promise<void> => {
      for await (const entry of ex) {
        const h = entry.header;
        const name = prefix === '' ? cleanRel(h.name) : `${prefix}/${cleanRel(h.name)}`.replace(/\/$/, '');
        if (cleanRel(h.name) === '' && h.type === 'directory') {
          entry.resume();
          continue;
        }
        const mtime = epoch !== undefined && h.mtime && h.mtime.getTime() / 1000 > epoch ? new Date(epoch * 1000) : h.mtime;
        const header: tar.Header = { ...h, name: h.type === 'directory' ? `${name}/` : name, uname: '', gname: '', mtime: mtime ?? new Date(0) };
        if (h.type === 'link' && h.linkname) header.linkname = prefix === '' ? cleanRel(h.linkname) : `${prefix}/${cleanRel(h.linkname)}`;
        await pipeline(entry, pack.entry(header));
      }
    };
    const headDone = copyInto(headExtract, '');
    head.pipe(headExtract);
    await headDone;
    for (const a of archives) {
      const c = a.view.content(a.rel);
      if (c.kind !== 'file') continue;
      const { stream } = await autoDecompress(createReadStream(c.abs), `ADD ${a.source}`);
      const ex = tar.extract();
      const done = copyInto(ex, a.destDir);
      stream.on('error', (e) => ex.destroy(e));
      stream.pipe(ex);
      await done;
    }
    pack.finalize();
    await packDone;
    out.end();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

/**
 * addUrlSource downloads an ADD URL into a private temp dir (the file is named after the URL's
 * last path segment, mode 0600 as Docker does, mtime from Last-Modified), checking --checksum.
 */
export async function addUrlSource(url: string, checksum: string | undefined, tmpRoot: string): Promise<{ view: FsView; name: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpRoot, 'strata-add-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const u = new URL(url);
    let name = posix.basename(u.pathname);
    if (name === '' || name === '/' || name === '.') name = '__unnamed__';
    const { Agent, interceptors, request } = await import('undici');
    const trust = extraTlsTrust();
    redirecting ??= new Agent(trust ? { connect: { ca: trust.ca } } : {}).compose(interceptors.redirect({ maxRedirections: 5 }));
    const res = await request(url, { dispatcher: redirecting });
    if (res.statusCode >= 400) {
      await res.body.dump();
      throw new StrataError('ADD_URL_FAILED', `failed to load ${url}: HTTP ${res.statusCode}`);
    }
    const hash = createHash('sha256');
    const file = join(dir, name);
    await pipeline(
      res.body,
      async function* (src: AsyncIterable<Buffer>) {
        for await (const c of src) {
          hash.update(c);
          yield c;
        }
      },
      createWriteStream(file, { mode: 0o600 }),
    );
    const got = `sha256:${hash.digest('hex')}`;
    if (checksum !== undefined && checksum !== got) throw new StrataError('ADD_CHECKSUM_MISMATCH', `digest mismatch for ${url}: expected ${checksum}, got ${got}`);
    const lm = res.headers['last-modified'];
    const when = typeof lm === 'string' ? new Date(lm) : new Date(0);
    if (!Number.isNaN(when.getTime())) await utimes(file, when, when);
    return { view: dirView(dir), name, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
