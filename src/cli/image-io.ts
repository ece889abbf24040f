import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeArchive, type SaveEntry } from '../image/archive-write.js';
import { familiarString, parseReference } from '../image/reference.js';
import type { TarPolicy } from '../image/tar-policy.js';
import { collectGarbage } from '../store/gc.js';
import { importRootfs } from '../store/import-rootfs.js';
import { loadArchive } from '../store/load-archive.js';
import { loadImage, resolveImage } from '../store/resolve-image.js';
import type { Store } from '../store/store.js';
import { NotFoundError, StrataError } from '../util/errors.js';
import { imageGroup } from './images.js';
import { collect, out, withStore } from './store-access.js';
import { unpackAfterWrite } from './snapshot-upkeep.js';

/** register adds import, save, load (and their `image` forms). */
export function register(program: Command): void {
  const image = imageGroup(program);
  defineImport(program.command('import <file|URL|-> [REPOSITORY[:TAG]]'));
  defineImport(image.command('import <file|URL|-> [REPOSITORY[:TAG]]'));
  defineSave(program.command('save <IMAGE...>'));
  defineSave(image.command('save <IMAGE...>'));
  defineLoad(program.command('load'));
  defineLoad(image.command('load'));
}

/** layerPolicy: a rootless store cannot hold device files; absolute symlinks are normal in a rootfs. */
function layerPolicy(): TarPolicy {
  return { allowDevices: process.getuid?.() === 0, absoluteSymlinks: true };
}

function input(path: string | undefined): Readable {
  if (path === undefined || path === '-') return process.stdin;
  if (!existsSync(path)) throw new NotFoundError(`open ${path}: no such file or directory`);
  return createReadStream(path);
}

/** archiveInput also takes an OCI layout folder (as skopeo's `oci:` writes), streamed as a tar. */
function archiveInput(path: string | undefined): Readable {
  if (path !== undefined && existsSync(path) && statSync(path).isDirectory()) {
    const tar = spawn('tar', ['-C', path, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    return tar.stdout;
  }
  return input(path);
}

/** cleanupAfterFailure removes what a failed write left (blobs nothing references) if the store is free. */
async function cleanupAfterFailure(store: Store): Promise<void> {
  await collectGarbage(store, { lockTimeoutMs: 2000 }).catch(() => undefined);
}

function defineImport(cmd: Command): void {
  cmd
    .description('Import the contents from a tarball to create a filesystem image')
    .option('-c, --change <instruction>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <string>', 'Set commit message for imported image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .action(async (file: string, ref: string | undefined, opts: { change?: string[]; message?: string; platform?: string }, c: Command) => {
      if (/^https?:\/\//.test(file)) throw new StrataError('UNSUPPORTED', `importing from a URL is not supported: download ${file} and import the file`);
      if (ref !== undefined) parseReference(ref);
      const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
      await withStore(c, async (store) => {
        try {
          const img = await importRootfs(store, input(file), {
            source: file,
            ...(opts.change ? { changes: opts.change } : {}),
            ...(opts.message ? { message: opts.message } : {}),
            ...(ref ? { tags: [ref] } : {}),
            ...(platform ? { platform } : {}),
            ...(sourceDateEpoch() ? { now: sourceDateEpoch()! } : {}),
            policy: layerPolicy(),
          });
          await unpackAfterWrite(store, img.id);
          out(`${img.id}\n`);
        } catch (err) {
          await cleanupAfterFailure(store);
          throw err;
        }
      });
    });
}

/** sourceDateEpoch is SOURCE_DATE_EPOCH as a date: set, it makes `import` reproducible (same ID). */
function sourceDateEpoch(): Date | undefined {
  const v = process.env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new StrataError('INVALID_ARGUMENT', `invalid SOURCE_DATE_EPOCH "${v}": want seconds since the epoch`);
  return new Date(Number(v) * 1000);
}

function parsePlatform(p: string): { os: string; architecture: string; variant?: string } {
  const [os, architecture, variant] = p.split('/');
  if (!os || !architecture) throw new StrataError('INVALID_ARGUMENT', `invalid platform "${p}": want os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

function defineSave(cmd: Command): void {
  cmd
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .option('-o, --output <file>', 'Write to a file, instead of STDOUT')
    .action(async (args: string[], opts: { output?: string }, c: Command) => {
      if (!opts.output && process.stdout.isTTY) {
        throw new StrataError('INVALID_ARGUMENT', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      }
      await withStore(c, async (store) => {
        const entries = new Map<string, SaveEntry>();
        for (const a of args) {
          const rec = resolveImage(store, a);
          const e = entries.get(rec.id) ?? {
            image: await loadImage(store, rec),
            rawConfig: await store.readBlob(rec.id),
            rawManifest: await store.readBlob(rec.manifestDigest),
            refs: [],
          };
          // Like docker: a name saves that tag; an ID saves the image with every tag it has.
          const named = tryRef(a);
          const refs = named && store.images.getTag(`${named.domain}/${named.path}:${named.tag}`) ? [named] : store.images.tagsOf(rec.id).map((r) => parseReference(r, { defaultTag: false }));
          for (const r of refs) if (!e.refs.some((x) => familiarString(x) === familiarString(r))) e.refs.push(r);
          entries.set(rec.id, e);
        }
        const archive = writeArchive([...entries.values()]);
        if (!opts.output) {
          await pipeline(archive, process.stdout);
          return;
        }
        const tmp = `${opts.output}.strata-tmp-${process.pid}`;
        try {
          await pipeline(archive, createWriteStream(tmp));
          await rename(tmp, opts.output);
        } catch (err) {
          await unlink(tmp).catch(() => undefined);
          throw err;
        }
      });
    });
}

function tryRef(a: string) {
  try {
    const r = parseReference(a);
    return r.digest === undefined ? r : undefined;
  } catch {
    return undefined;
  }
}

function defineLoad(cmd: Command): void {
  cmd
    .description('Load an image from a tar archive or STDIN')
    .option('-i, --input <file>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .action(async (opts: { input?: string; quiet?: boolean }, c: Command) => {
      if (!opts.input && process.stdin.isTTY) throw new StrataError('INVALID_ARGUMENT', 'requested load from stdin, but stdin is empty');
      await withStore(c, async (store) => {
        try {
          const loaded = await loadArchive(store, archiveInput(opts.input), layerPolicy());
          for (const img of loaded) await unpackAfterWrite(store, img.id);
          if (opts.quiet) return;
          for (const img of loaded) {
            if (img.tags.length === 0) out(`Loaded image ID: ${img.id}\n`);
            for (const t of img.tags) out(`Loaded image: ${familiarString(parseReference(t))}\n`);
          }
        } catch (err) {
          await cleanupAfterFailure(store);
          throw err;
        }
      });
    });
}
