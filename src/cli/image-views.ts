import { shortId } from '../image/image.js';
import type { ImageConfig, Manifest } from '../image/oci.js';
import { familiarRepository, familiarString, parseReference } from '../image/reference.js';
import type { ImageRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { goTimeString, humanSizeWithPrecision, timeAgo } from './format/human.js';

/** ImageRow is one line of `images`, with the field names of `docker images --format`. */
export interface ImageRow {
  Containers: string;
  CreatedAt: string;
  CreatedSince: string;
  Digest: string;
  ID: string;
  Repository: string;
  SharedSize: string;
  Size: string;
  Tag: string;
  UniqueSize: string;
  VirtualSize: string;
}

export const IMAGE_HEADERS: Record<string, string> = {
  Containers: 'CONTAINERS',
  CreatedAt: 'CREATED AT',
  CreatedSince: 'CREATED',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  SharedSize: 'SHARED SIZE',
  Size: 'SIZE',
  Tag: 'TAG',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'VIRTUAL SIZE',
};

/** imageRows expands images into rows: one per tag, or one `<none>` row for an untagged image. */
export function imageRows(store: Store, images: ImageRecord[], opts: { noTrunc?: boolean; now?: number }): (ImageRow & { image: ImageRecord; ref?: string })[] {
  const rows: (ImageRow & { image: ImageRecord; ref?: string })[] = [];
  for (const img of images) {
    const refs = store.images.tagsOf(img.id).map((r) => parseReference(r, { defaultTag: false }));
    const tagged = refs.filter((r) => r.tag !== undefined && r.digest === undefined);
    const digests = refs.filter((r) => r.digest !== undefined);
    const base = {
      Containers: 'N/A',
      CreatedAt: goTimeString(img.created),
      CreatedSince: timeAgo(img.created, opts.now),
      ID: opts.noTrunc ? img.id : shortId(img.id),
      SharedSize: 'N/A',
      Size: humanSizeWithPrecision(img.size, 3),
      UniqueSize: 'N/A',
      VirtualSize: humanSizeWithPrecision(img.size, 3),
      image: img,
    };
    if (tagged.length === 0 && digests.length === 0) {
      rows.push({ ...base, Repository: '<none>', Tag: '<none>', Digest: '<none>' });
      continue;
    }
    for (const r of tagged) {
      const d = digests.find((x) => x.domain === r.domain && x.path === r.path);
      rows.push({ ...base, Repository: familiarRepository(r), Tag: r.tag!, Digest: d?.digest ?? '<none>', ref: familiarString(r) });
    }
    for (const d of digests) {
      if (tagged.some((r) => r.domain === d.domain && r.path === d.path)) continue;
      rows.push({ ...base, Repository: familiarRepository(d), Tag: '<none>', Digest: d.digest!, ref: familiarString(d) });
    }
  }
  return rows;
}

/** inspectImage builds the JSON of `docker image inspect` for one image. */
export async function inspectImage(store: Store, img: ImageRecord): Promise<Record<string, unknown>> {
  const config = await store.readJSON<ImageConfig & { container_config?: unknown; docker_version?: string }>(img.id);
  const refs = store.images.tagsOf(img.id).map((r) => parseReference(r, { defaultTag: false }));
  const lastTag = Math.max(0, ...store.images.listTags().filter((t) => t.imageId === img.id).map((t) => t.updated));
  return {
    Id: img.id,
    RepoTags: refs.filter((r) => r.digest === undefined).map(familiarString),
    RepoDigests: refs.filter((r) => r.digest !== undefined).map((r) => `${familiarRepository(r)}@${r.digest}`),
    Parent: img.parent ?? '',
    Comment: config.comment ?? '',
    Created: config.created ?? '0001-01-01T00:00:00Z',
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: dockerContainerConfig(config),
    Architecture: config.architecture,
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os,
    Size: img.size,
    RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
    Metadata: { LastTagTime: lastTag ? new Date(lastTag).toISOString() : '0001-01-01T00:00:00Z' },
  };
}

/** dockerContainerConfig fills the fields `docker image inspect` always prints in Config. */
function dockerContainerConfig(config: ImageConfig): Record<string, unknown> {
  const c = config.config ?? {};
  return {
    Hostname: '',
    Domainname: '',
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    ...(c.ArgsEscaped ? { ArgsEscaped: c.ArgsEscaped } : {}),
    Image: '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.Shell ? { Shell: c.Shell } : {}),
  };
}

/** HistoryRow is one line of `history`, with docker's --format field names. */
export interface HistoryRow {
  ID: string;
  CreatedSince: string;
  CreatedAt: string;
  CreatedBy: string;
  Size: string;
  Comment: string;
}

export const HISTORY_HEADERS: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

/** historyRows lists an image's history newest first; only the top row names the image. */
export async function historyRows(
  store: Store,
  img: ImageRecord,
  opts: { human: boolean; noTrunc: boolean; now?: number },
): Promise<HistoryRow[]> {
  const config = await store.readJSON<ImageConfig>(img.id);
  const manifest = await store.readJSON<Manifest>(img.manifestDigest);
  const history = config.history?.length
    ? config.history
    : manifest.layers.map(() => ({ created: config.created, created_by: '', comment: '' }) as NonNullable<ImageConfig['history']>[number]);
  const sizes = manifest.layers.map((l) => store.images.getLayer(l.digest)?.uncompressedSize ?? 0);
  let layer = 0;
  const rows = history.map((h) => {
    const size = h.empty_layer ? 0 : (sizes[layer++] ?? 0);
    const createdBy = (h.created_by ?? '').replace(/\t/g, ' ');
    return {
      ID: '<missing>',
      CreatedSince: opts.human ? timeAgo(h.created, opts.now) : (h.created ?? ''),
      CreatedAt: h.created ?? '',
      CreatedBy: opts.noTrunc ? createdBy : ellipsis(createdBy, 45),
      Size: opts.human ? humanSizeWithPrecision(size, 3) : String(size),
      Comment: h.comment ?? '',
    };
  });
  rows.reverse();
  if (rows[0]) rows[0].ID = opts.noTrunc ? img.id : shortId(img.id);
  return rows;
}

/** ellipsis is docker's stringutils.Ellipsis: cut to max characters, the last one being "…". */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, max - 1).join('')}…`;
}
