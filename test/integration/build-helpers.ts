import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tar from 'tar-stream';
import { build, type BuildRequest } from '../../src/build/build.js';
import type { ProgressEvent } from '../../src/build/progress.js';
import type { BuildResult } from '../../src/build/types.js';
import type { ImageConfig, Manifest } from '../../src/image/oci.js';
import { blobLayer } from '../../src/image/layer.js';
import { importRootfs } from '../../src/store/import-rootfs.js';
import { openStore, type Store } from '../../src/store/store.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';

/** TreeEntry is one path of an image's merged file tree. */
export interface TreeEntry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
  content?: string;
}

/** Sandbox is a temp dir with a store and a context folder, cleaned up by `close`. */
export interface Sandbox {
  dir: string;
  ctx: string;
  store: Store;
  close(): Promise<void>;
}

export async function sandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-build-'));
  const ctx = join(dir, 'ctx');
  await mkdir(ctx);
  const store = openStore(join(dir, 'store'));
  return {
    dir,
    ctx,
    store,
    async close() {
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** files writes a context: path → content (a string), or {link: target}, or {mode, content}. */
export async function files(root: string, spec: Record<string, string | { link: string } | { mode: number; content: string }>): Promise<void> {
  for (const [p, v] of Object.entries(spec)) {
    const abs = join(root, p);
    await mkdir(dirname(abs), { recursive: true });
    if (typeof v === 'string') await writeFile(abs, v);
    else if ('link' in v) await symlink(v.link, abs);
    else await writeFile(abs, v.content, { mode: v.mode });
  }
}

/** importBusybox imports the busybox rootfs as `busybox:latest` (what the tests build FROM). */
export async function importBusybox(store: Store): Promise<void> {
  await importRootfs(store, createReadStream(busyboxRootfsTar()), {
    source: 'busybox-rootfs.tar',
    tags: ['busybox:latest'],
    policy: { allowDevices: false, absoluteSymlinks: true },
    now: new Date('2024-01-01T00:00:00Z'),
  });
}

/** run builds `ctx` with the given Dockerfile text and options, collecting the progress events. */
export async function run(sb: Sandbox, dockerfile: string, opts: Partial<BuildRequest> = {}): Promise<BuildResult & { events: ProgressEvent[] }> {
  await writeFile(join(sb.ctx, 'Dockerfile'), dockerfile);
  const events: ProgressEvent[] = [];
  const r = await build({ store: sb.store, context: sb.ctx, onEvent: (e) => events.push(e), ...opts });
  return { ...r, events };
}

/** statuses maps each step's text (without the `[n/m]` prefix) to cached/built. */
export function statuses(r: BuildResult): Record<string, string> {
  return Object.fromEntries(r.steps.filter((s) => s.status !== 'base').map((s) => [s.name.replace(/^\[[^\]]*\] /, ''), s.status]));
}

/** imageConfig reads an image's config. */
export async function imageConfig(store: Store, id: string): Promise<ImageConfig> {
  return store.readJSON<ImageConfig>(id as never);
}

/** imageTree merges an image's layers into one path → entry map (contents of small files kept). */
export async function imageTree(store: Store, id: string): Promise<Map<string, TreeEntry>> {
  const rec = store.images.getImage(id as never)!;
  const manifest = await store.readJSON<Manifest>(rec.manifestDigest);
  const config = await imageConfig(store, id);
  const tree = new Map<string, TreeEntry>();
  for (const [i, d] of manifest.layers.entries()) {
    for (const [p, e] of await layerEntries(store, d.digest, config.rootfs.diff_ids[i]!, d.size, d.mediaType)) tree.set(p, e);
  }
  return tree;
}

/** layerEntries lists one layer's entries in tar order. */
export async function layerEntries(store: Store, digest: string, diffID: string, size: number, mediaType: string): Promise<[string, TreeEntry][]> {
  const layer = blobLayer(store, { digest: digest as never, diffID: diffID as never, size, mediaType });
  const ex = tar.extract();
  const out: [string, TreeEntry][] = [];
  const done = (async () => {
    for await (const entry of ex) {
      const h = entry.header;
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const e: TreeEntry = { type: h.type ?? 'file', mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 };
      if (h.linkname) e.linkname = h.linkname;
      if (h.type === 'file' && (h.size ?? 0) < 4096) e.content = Buffer.concat(chunks).toString('utf8');
      out.push([`/${h.name.replace(/^\.\//, '').replace(/\/$/, '')}`, e]);
    }
  })();
  layer.uncompressed().pipe(ex);
  await done;
  return out;
}
