import type { ImageConfig } from '../image/oci.js';
import { parseReference } from '../image/reference.js';
import type { ImageRecord } from '../store/records.js';
import { resolveImage } from '../store/resolve-image.js';
import type { Store } from '../store/store.js';
import { StrataError } from '../util/errors.js';
import { formatRows } from './format/output.js';
import { globMatch, parseFilters } from './image-filters.js';
import { IMAGE_HEADERS, imageRows } from './image-views.js';

/** ImagesOptions are the flags of `images` / `image ls`. */
export interface ImagesOptions {
  all?: boolean;
  quiet?: boolean;
  digests?: boolean;
  noTrunc?: boolean;
  filter?: string[];
  format?: string;
}

/** listImages renders `images`: filters, the positional REPOSITORY[:TAG], -a, -q, --digests and --format. */
export async function listImages(store: Store, repo: string | undefined, opts: ImagesOptions): Promise<string> {
  const filters = parseFilters(opts.filter, ['dangling', 'reference', 'before', 'since', 'label', 'label!']);
  let images = store.images.listImages().sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || b.added - a.added);
  const dangling = filters.get('dangling')?.at(-1);
  if (dangling !== undefined && !['true', 'false', '1', '0'].includes(dangling)) throw new StrataError('INVALID_ARGUMENT', `invalid filter 'dangling=${dangling}'`);
  for (const [key, cmp] of [['before', -1], ['since', 1]] as const) {
    for (const v of filters.get(key) ?? []) {
      const ref = resolveImage(store, v);
      images = images.filter((i) => Math.sign((i.created ?? '').localeCompare(ref.created ?? '')) === cmp);
    }
  }
  const labels = [...(filters.get('label') ?? []).map((l) => ({ l, neg: false })), ...(filters.get('label!') ?? []).map((l) => ({ l, neg: true }))];
  if (labels.length) {
    const keep: ImageRecord[] = [];
    for (const img of images) {
      const have = (await store.readJSON<ImageConfig>(img.id)).config?.Labels ?? {};
      const ok = labels.every(({ l, neg }) => {
        const eq = l.indexOf('=');
        const k = eq < 0 ? l : l.slice(0, eq);
        const hit = k in have && (eq < 0 || have[k] === l.slice(eq + 1));
        return hit !== neg;
      });
      if (ok) keep.push(img);
    }
    images = keep;
  }
  let rows = imageRows(store, images, { noTrunc: opts.noTrunc ?? false });
  const isDangling = (r: (typeof rows)[number]) => r.Repository === '<none>' && r.Tag === '<none>';
  if (dangling !== undefined) rows = rows.filter((r) => isDangling(r) === (dangling === 'true' || dangling === '1'));
  else if (!opts.all) rows = rows.filter((r) => !isDangling(r) || store.images.childrenOf(r.image.id).length === 0);
  const refPatterns = [...(filters.get('reference') ?? []), ...(repo !== undefined ? [repo] : [])];
  for (const p of refPatterns) {
    rows = rows.filter((r) => r.ref !== undefined && (globMatch(p, r.Repository) || globMatch(p, `${r.Repository}:${r.Tag}`) || matchesRepoArg(p, r.ref)));
  }
  if (opts.quiet) return rows.map((r) => `${r.ID}\n`).join('');
  const defaultTable = opts.digests
    ? '{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
    : '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
  const plain = rows.map(({ image: _i, ref: _r, ...row }) => row);
  return formatRows(plain, { ...(opts.format !== undefined ? { format: opts.format } : {}), defaultTable, headers: IMAGE_HEADERS });
}

/** matchesRepoArg is the positional `images busybox` / `images busybox:1.36` match on normalised names. */
function matchesRepoArg(arg: string, ref: string): boolean {
  try {
    const want = parseReference(arg, { defaultTag: false });
    const have = parseReference(ref, { defaultTag: false });
    return want.domain === have.domain && want.path === have.path && (want.tag === undefined || want.tag === have.tag);
  } catch {
    return false;
  }
}
