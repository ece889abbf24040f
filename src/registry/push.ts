import type { Digest } from '../image/digest.js';
import type { Manifest } from '../image/oci.js';
import { familiarString, parseReference, referenceString, type Reference } from '../image/reference.js';
import { resolveImage, type Store } from '../store/index.js';
import { mapLimit } from './limit.js';
import { Registries } from './registries.js';
import { RemoteRepository } from './remote-repository.js';
import { shortDigest, type TransferListener } from './transfer-events.js';

export interface PushOptions {
  registries?: Registries;
  /** blobs uploaded at once (default 3). */
  concurrency?: number;
  /** blobs above this size go up in chunks of this size. */
  chunkSize?: number;
  onEvent?: TransferListener;
}

export interface PushResult {
  reference: Reference;
  /** digest and size of the manifest as the registry now holds it. */
  digest: Digest;
  size: number;
  /** how each blob got there (for tests and reports). */
  blobs: { digest: Digest; result: 'exists' | 'mounted' | 'pushed' }[];
}

/**
 * pushImage uploads the image tagged `ref` in the store to its registry: every blob (config and
 * layers, in parallel) is checked with HEAD, mounted from another repository of the same registry
 * that the store knows holds it, or uploaded; the manifest goes last, with the exact bytes the
 * store holds, so the pushed digest is the local one.
 */
export async function pushImage(store: Store, ref: Reference, opts: PushOptions = {}): Promise<PushResult> {
  const registries = opts.registries ?? new Registries();
  const subject = familiarString(ref);
  const rec = resolveImage(store, referenceString(ref));
  const bytes = await store.readBlob(rec.manifestDigest, 4 << 20);
  const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
  const repo = new RemoteRepository(registries.client(ref.domain), ref.path, subject);
  const emit = opts.onEvent ?? (() => undefined);
  const sources = mountSources(store, ref);
  for (const l of manifest.layers) emit({ type: 'layer', id: shortDigest(l.digest), status: 'Preparing' });
  const blobs = [manifest.config, ...manifest.layers];
  const results = await mapLimit(blobs, opts.concurrency ?? 3, async (desc, i) => {
    const id = shortDigest(desc.digest);
    const isLayer = i > 0;
    const result = await repo.pushBlob(store, desc, {
      mountFrom: sources.get(desc.digest) ?? [],
      ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
      onProgress: (n) => isLayer && emit({ type: 'layer', id, status: 'Pushing', current: n, total: desc.size }),
    });
    if (isLayer) {
      if (result === 'exists') emit({ type: 'layer', id, status: 'Layer already exists' });
      else if (result === 'mounted') emit({ type: 'layer', id, status: 'Mounted from', from: sources.get(desc.digest)?.[0] ?? '' });
      else emit({ type: 'layer', id, status: 'Pushed' });
    }
    return { digest: desc.digest, result };
  });
  const digest = await repo.putManifest(ref.digest ?? ref.tag ?? 'latest', bytes, rec.manifestMediaType);
  return { reference: ref, digest, size: bytes.length, blobs: results };
}

/**
 * mountSources maps each blob digest to other repositories of ref's registry that hold it, as
 * far as the store knows: images tagged there (pulled from or pushed to it) list their layers.
 */
function mountSources(store: Store, ref: Reference): Map<Digest, string[]> {
  const out = new Map<Digest, string[]>();
  for (const t of store.images.listTags()) {
    let r: Reference;
    try {
      r = parseReference(t.ref);
    } catch {
      continue;
    }
    if (r.domain !== ref.domain || r.path === ref.path) continue;
    const img = store.images.getImage(t.imageId);
    if (!img) continue;
    for (const d of [img.id, ...img.layers]) {
      const list = out.get(d) ?? [];
      if (!list.includes(r.path)) list.push(r.path);
      out.set(d, list);
    }
  }
  return out;
}

/** localTagsOf lists the store's tags of ref's repository (for `push -a`). */
export function localTagsOf(store: Store, ref: Reference): Reference[] {
  const repo = `${ref.domain}/${ref.path}`;
  return store.images.listTags()
    .map((t) => t.ref)
    .filter((r) => r.startsWith(`${repo}:`))
    .map((r) => parseReference(r))
    .sort((a, b) => (a.tag ?? '').localeCompare(b.tag ?? ''));
}
