import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { errorMessage } from '../util/errors.js';
import { LayerEntryError, LayerUnreadableError } from './errors.js';
import type { EntryType } from './types.js';

/** WHITEOUT_PREFIX marks a deleted path in a layer (`dir/.wh.name` deletes `dir/name`). */
export const WHITEOUT_PREFIX = '.wh.';
/** OPAQUE_WHITEOUT marks a directory whose lower-layer contents are all hidden. */
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/**
 * LayerEntry is one tar entry read as a change: an object written at `path`, a whiteout deleting
 * `path`, or an opaque marker hiding everything lower layers had under directory `path`.
 * Paths are relative to the root, without a leading `/` or `./`, and never contain `..`.
 */
export type LayerEntry =
  | { kind: 'object'; path: string; type: EntryType; size: number }
  | { kind: 'whiteout'; path: string }
  | { kind: 'opaque'; path: string };

/**
 * readLayerEntries streams a tar once, calling `onEntry` for each entry in tar order. Entry
 * bodies are drained, never kept. `label` names the layer in errors ("layer 2 (sha256:ab12…)").
 */
export async function readLayerEntries(
  source: Readable,
  label: string,
  onEntry: (entry: LayerEntry) => void,
): Promise<void> {
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    let failure: Error | undefined;
    try {
      const entry = toLayerEntry(header.name, header.type ?? 'file', header.size ?? 0, label);
      if (entry) onEntry(entry);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    // a body cut short errors on its own stream too; the extractor reports the same failure
    body.on('error', () => undefined);
    body.on('end', () => next(failure));
    body.resume();
  });
  try {
    await drainInto(source, extract);
  } catch (err) {
    if (err instanceof LayerEntryError) throw err;
    throw new LayerUnreadableError(label, `reading the layer tar: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * drainInto pipes `source` into tar-stream's extractor and settles once, on its finish or on the
 * first error of either side. node:stream's pipeline is not used because tar-stream's streamx
 * extractor can emit a late "Unexpected end of data" after pipeline has detached its listeners,
 * which would surface as an uncaught exception; here a listener stays for the streams' lifetime.
 */
function drainInto(source: Readable, extract: tar.Extract): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      source.destroy();
      extract.destroy();
      reject(err);
    };
    source.on('error', fail);
    extract.on('error', fail);
    extract.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    extract.on('close', () => fail(new Error('the tar ended early')));
    source.pipe(extract);
  });
}

function toLayerEntry(name: string, tarType: string, size: number, label: string): LayerEntry | undefined {
  const path = normalizeEntryPath(name, label);
  if (path === '') return undefined; // the root directory itself
  const base = posix.basename(path);
  const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', path: dir };
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const target = base.slice(WHITEOUT_PREFIX.length);
    if (target === '' || target === '.' || target === '..') {
      throw new LayerEntryError(label, name, 'is a whiteout without a name');
    }
    return { kind: 'whiteout', path: dir === '' ? target : `${dir}/${target}` };
  }
  return { kind: 'object', path, type: entryType(tarType), size };
}

function entryType(tarType: string): EntryType {
  switch (tarType) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** normalizeEntryPath turns `./a//b/` into `a/b` and refuses names that climb out of the root. */
export function normalizeEntryPath(name: string, label: string): string {
  const trimmed = name.replace(/^\/+/, '');
  const clean = posix.normalize(trimmed === '' ? '.' : trimmed).replace(/\/+$/, '');
  if (clean === '.' || clean === '') return '';
  if (clean === '..' || clean.startsWith('../')) {
    throw new LayerEntryError(label, name, 'escapes the root');
  }
  return clean;
}
