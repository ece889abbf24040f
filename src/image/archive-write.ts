import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { digestHex, type Digest } from './digest.js';
import type { Image } from './image.js';
import { MediaType } from './media-types.js';
import type { Descriptor, Index } from './oci.js';
import { familiarString, referenceString, type Reference } from './reference.js';

/** SaveEntry is one image to save, with the exact bytes of its documents and the tags to name. */
export interface SaveEntry {
  image: Image;
  rawManifest: Buffer;
  rawConfig: Buffer;
  refs: Reference[];
}

const EPOCH = new Date(0);

/**
 * writeArchive streams a tar that is both a `docker load` archive (manifest.json, repositories) and
 * an OCI image layout (oci-layout, index.json, blobs/sha256/...), as Docker 25+ writes it. Blobs are
 * written as stored, so save → load → save keeps every digest. Each blob is written once.
 */
export function writeArchive(entries: SaveEntry[]): Readable {
  const p = pack();
  void fill(p, entries).then(
    () => p.finalize(),
    (err: unknown) => p.destroy(err as Error),
  );
  return Readable.from(p);
}

async function fill(p: Pack, entries: SaveEntry[]): Promise<void> {
  const written = new Set<Digest>();
  await dir(p, 'blobs/');
  await dir(p, 'blobs/sha256/');
  for (const e of entries) {
    for (const l of e.image.layers) {
      if (written.has(l.digest)) continue;
      written.add(l.digest);
      await streamEntry(p, `blobs/sha256/${digestHex(l.digest)}`, l.size, l.compressed());
    }
    for (const [d, raw] of [
      [e.image.id, e.rawConfig],
      [e.image.manifestDigest, e.rawManifest],
    ] as const) {
      if (written.has(d)) continue;
      written.add(d);
      await bufferEntry(p, `blobs/sha256/${digestHex(d)}`, raw);
    }
  }
  const index: Index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
  const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const e of entries) {
    const desc: Descriptor = { mediaType: e.image.manifest.mediaType, digest: e.image.manifestDigest, size: e.rawManifest.length };
    const tagged = e.refs.filter((r) => r.tag !== undefined);
    if (tagged.length === 0) index.manifests.push(desc);
    for (const r of tagged) {
      index.manifests.push({ ...desc, annotations: { 'io.containerd.image.name': referenceString(r), 'org.opencontainers.image.ref.name': r.tag! } });
      const repo = familiarString({ domain: r.domain, path: r.path });
      (repositories[repo] ??= {})[r.tag!] = digestHex(e.image.id);
    }
    manifestJson.push({
      Config: `blobs/sha256/${digestHex(e.image.id)}`,
      RepoTags: tagged.length ? tagged.map(familiarString) : null,
      Layers: e.image.layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`),
    });
  }
  await bufferEntry(p, 'index.json', Buffer.from(JSON.stringify(index)));
  await bufferEntry(p, 'manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  await bufferEntry(p, 'oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  if (Object.keys(repositories).length) await bufferEntry(p, 'repositories', Buffer.from(JSON.stringify(repositories)));
}

function dir(p: Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => p.entry({ name, type: 'directory', mode: 0o755, mtime: EPOCH }, (err) => (err ? reject(err) : resolve())));
}

function bufferEntry(p: Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => p.entry({ name, mode: 0o644, mtime: EPOCH }, data, (err) => (err ? reject(err) : resolve())));
}

async function streamEntry(p: Pack, name: string, size: number, src: Readable): Promise<void> {
  let done!: Promise<void>;
  const sink = new Promise<ReturnType<Pack['entry']>>((resolveSink) => {
    done = new Promise((resolve, reject) => {
      resolveSink(p.entry({ name, size, mode: 0o644, mtime: EPOCH }, (err) => (err ? reject(err) : resolve())));
    });
  });
  const entry = await sink;
  await pipeline(src, entry as unknown as NodeJS.WritableStream);
  await done;
}
