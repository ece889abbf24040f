import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { digestHex, isDigest, sha256Digest, type Digest } from '../image/digest.js';
import { MediaType } from '../image/media-types.js';
import type { Descriptor, Index, Manifest } from '../image/oci.js';
import type { Store } from '../store/store.js';
import { StrataError } from '../util/errors.js';

/**
 * An OCI image layout directory holding one cache artifact (what `--cache-to type=local,dest=DIR`
 * writes and `--cache-from type=local,src=DIR` reads): `oci-layout`, `index.json` naming the
 * artifact's manifest, and `blobs/sha256/<hex>`. Blobs already there are not written again, so
 * exporting into the same directory only adds what changed.
 */
export async function writeLayoutArtifact(store: Store, dir: string, configMediaType: string, config: Buffer, layers: Descriptor[]): Promise<Digest> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (d: Digest, src: () => Readable | Buffer): Promise<void> => {
    const path = join(blobs, digestHex(d));
    if (await exists(path)) return;
    const tmp = `${path}.tmp-${process.pid}`;
    const s = src();
    if (Buffer.isBuffer(s)) await writeFile(tmp, s);
    else await pipeline(s, createWriteStream(tmp));
    await rename(tmp, path);
  };
  const configDesc: Descriptor = { mediaType: configMediaType, digest: sha256Digest(config), size: config.length };
  await put(configDesc.digest, () => config);
  for (const l of layers) await put(l.digest, () => store.openBlob(l.digest));
  const manifest: Manifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: configDesc, layers };
  const mbytes = Buffer.from(JSON.stringify(manifest));
  const mdigest = sha256Digest(mbytes);
  await put(mdigest, () => mbytes);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index: Index = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [{ mediaType: MediaType.OciManifest, digest: mdigest, size: mbytes.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }],
  };
  const tmp = join(dir, `index.json.tmp-${process.pid}`);
  await writeFile(tmp, JSON.stringify(index));
  await rename(tmp, join(dir, 'index.json'));
  return mdigest;
}

/** readLayoutArtifact reads the artifact's manifest and config (each checked against its digest). */
export async function readLayoutArtifact(dir: string, configMediaType: string): Promise<{ manifest: Manifest; config: Buffer }> {
  let index: Index;
  try {
    index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Index;
  } catch (err) {
    throw new StrataError('CACHE_NOT_FOUND', `${dir}: no OCI layout here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const top = index.manifests?.[0];
  if (!top) throw new StrataError('CACHE_NOT_FOUND', `${dir}: the OCI layout's index.json names no manifest`);
  const manifest = JSON.parse((await readVerified(dir, top.digest)).toString('utf8')) as Manifest;
  if (manifest.config?.mediaType !== configMediaType) throw new StrataError('CACHE_INVALID', `${dir}: not a strata build cache (config ${manifest.config?.mediaType})`);
  return { manifest, config: await readVerified(dir, manifest.config.digest) };
}

/** layoutBlobPath is where a blob lives in the layout (the digest is checked first: no path escapes). */
export function layoutBlobPath(dir: string, d: string): string {
  if (!isDigest(d)) throw new StrataError('CACHE_INVALID', `${dir}: invalid digest ${JSON.stringify(d)}`);
  return join(dir, 'blobs', 'sha256', digestHex(d));
}

/** openLayoutBlob streams a blob of the layout (the store verifies it as it writes). */
export function openLayoutBlob(dir: string, d: string): Readable {
  return createReadStream(layoutBlobPath(dir, d));
}

async function readVerified(dir: string, d: string): Promise<Buffer> {
  const bytes = await readFile(layoutBlobPath(dir, d));
  if (bytes.length > 64 << 20 || sha256Digest(bytes) !== d) throw new StrataError('CACHE_INVALID', `${dir}: blob ${d} does not match its digest`);
  return bytes;
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
