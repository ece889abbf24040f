import type { Digest } from '../image/digest.js';
import { shortId } from '../image/image.js';
import { familiarString, parseReference, referenceString, repositoryName } from '../image/reference.js';
import { ImageInUseError } from './errors.js';
import type { ImageRecord } from './records.js';
import { resolveImage } from './resolve-image.js';
import type { Store } from './store.js';

/** RemoveEvent is one line of `rmi` output: `Untagged: busybox:latest` or `Deleted: sha256:...`. */
export type RemoveEvent = { kind: 'untagged'; ref: string } | { kind: 'deleted'; id: Digest };

export interface RemoveOptions {
  force?: boolean;
  /** noPrune keeps untagged parents (`--no-prune`). */
  noPrune?: boolean;
}

const ID_RE = /^(?:sha256:)?[a-f0-9]{1,64}$/;

/**
 * removeImage follows `docker rmi`: a reference only untags, and the image goes when its last
 * reference goes; an ID untags every reference (refusing, without force, references in several
 * repositories) and deletes. Images a container uses or with child images stay unless forced;
 * deleting an image also deletes its untagged parents unless noPrune. Blobs are left to GC.
 */
export function removeImage(store: Store, arg: string, opts: RemoveOptions = {}): RemoveEvent[] {
  const img = resolveImage(store, arg);
  const events: RemoveEvent[] = [];
  return store.transaction(() => {
    const refs = store.images.tagsOf(img.id);
    const byId = isIdArg(store, arg, img);
    if (!byId) {
      const ref = referenceString(parseReference(arg));
      const target = refs.includes(ref) ? ref : refs.find((r) => img.manifestDigest && r.endsWith(`@${img.manifestDigest}`)) ?? ref;
      if (refs.length === 1 && !opts.force) checkContainers(store, img, `unable to remove repository reference "${arg}" (must force)`);
      store.images.removeTag(target);
      events.push({ kind: 'untagged', ref: familiar(target) });
      if (store.images.tagsOf(img.id).length > 0) return events;
      if (store.images.childrenOf(img.id).length > 0) return events;
      deleteChain(store, img, opts, events);
      return events;
    }
    if (refs.length > 0 && !opts.force && new Set(refs.map((r) => repositoryName(parseReference(r)))).size > 1) {
      throw new ImageInUseError(`conflict: unable to delete ${shortId(img.id)} (must be forced) - image is referenced in multiple repositories`);
    }
    if (store.images.childrenOf(img.id).length > 0) {
      throw new ImageInUseError(`conflict: unable to delete ${shortId(img.id)} (cannot be forced) - image has dependent child images`);
    }
    if (!opts.force) checkContainers(store, img, `unable to delete ${shortId(img.id)} (must be forced)`);
    for (const r of refs) {
      store.images.removeTag(r);
      events.push({ kind: 'untagged', ref: familiar(r) });
    }
    deleteChain(store, img, opts, events);
    return events;
  });
}

function isIdArg(store: Store, arg: string, img: ImageRecord): boolean {
  if (!ID_RE.test(arg)) return false;
  // A hex-looking name that is also a tag is a tag (docker resolves references first).
  try {
    return !store.images.getTag(referenceString(parseReference(arg)));
  } catch {
    return img.id.includes(arg.replace(/^sha256:/, ''));
  }
}

function checkContainers(store: Store, img: ImageRecord, what: string): void {
  const c = store.listContainers().find((c) => c.imageId === img.id);
  if (c) throw new ImageInUseError(`conflict: ${what} - container ${c.id.slice(0, 12)} is using its referenced image ${shortId(img.id)}`);
}

function deleteChain(store: Store, img: ImageRecord, opts: RemoveOptions, events: RemoveEvent[]): void {
  let cur: ImageRecord | undefined = img;
  while (cur) {
    const parent: Digest | undefined = cur.parent;
    store.images.deleteImage(cur.id);
    events.push({ kind: 'deleted', id: cur.id });
    if (opts.noPrune || !parent) return;
    const p = store.images.getImage(parent);
    if (!p || store.images.tagsOf(p.id).length > 0 || store.images.childrenOf(p.id).length > 0) return;
    if (store.listContainers().some((c) => c.imageId === p.id)) return;
    cur = p;
  }
}

function familiar(ref: string): string {
  return familiarString(parseReference(ref));
}
