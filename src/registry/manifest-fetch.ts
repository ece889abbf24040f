import { sha256Digest, type Digest } from '../image/digest.js';
import { MediaType, isIndexMediaType, isManifestMediaType } from '../image/media-types.js';
import type { Index, Manifest } from '../image/oci.js';
import { DigestMismatchError, ManifestUnknownError, RegistryHttpError, UnsupportedMediaTypeError } from './errors.js';
import type { RegistryClient } from './registry-client.js';

/** ACCEPTED_MANIFESTS is the Accept header of a manifest GET: the four kinds strata reads. */
export const ACCEPTED_MANIFESTS = [MediaType.OciIndex, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.DockerManifest].join(', ');

const MAX_MANIFEST_BYTES = 4 << 20;

/** FetchedManifest is a manifest or index exactly as the registry sent it, with its digest. */
export type FetchedManifest =
  | { kind: 'manifest'; mediaType: string; digest: Digest; bytes: Buffer; manifest: Manifest }
  | { kind: 'index'; mediaType: string; digest: Digest; bytes: Buffer; index: Index };

/**
 * fetchManifest GETs `/v2/<repo>/manifests/<tagOrDigest>` and checks it: the bytes must hash to
 * the digest asked for (or to the Docker-Content-Digest the registry claims), and the media type
 * must be an OCI/Docker manifest or index. A 404 is ManifestUnknownError naming the subject.
 */
export async function fetchManifest(client: RegistryClient, repo: string, tagOrDigest: string, subject: string, scopes?: readonly string[]): Promise<FetchedManifest> {
  const res = await client.request({
    method: 'GET',
    url: `/v2/${repo}/manifests/${tagOrDigest}`,
    scopes: scopes ?? [`repository:${repo}:pull`],
    subject,
    headers: { accept: ACCEPTED_MANIFESTS },
    accept: [404],
  });
  if (res.status === 404) {
    await res.body.dump();
    throw new ManifestUnknownError(subject);
  }
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > MAX_MANIFEST_BYTES) {
    await res.body.dump();
    throw new RegistryHttpError(subject, res.status, `manifest of ${declared} bytes is too large`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += (chunk as Buffer).length;
    if (total > MAX_MANIFEST_BYTES) throw new RegistryHttpError(subject, res.status, 'manifest too large');
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  const digest = sha256Digest(bytes);
  const expected = tagOrDigest.startsWith('sha256:') ? tagOrDigest : String(res.headers['docker-content-digest'] ?? '');
  if (expected && expected.startsWith('sha256:') && expected !== digest) throw new DigestMismatchError(subject, expected, digest);
  return parseManifestBytes(bytes, digest, String(res.headers['content-type'] ?? '').split(';')[0]!.trim(), subject);
}

/** parseManifestBytes types a manifest document, by its own mediaType field first, then the Content-Type. */
export function parseManifestBytes(bytes: Buffer, digest: Digest, contentType: string, subject: string): FetchedManifest {
  let doc: { mediaType?: string; schemaVersion?: number; manifests?: unknown; layers?: unknown; config?: unknown };
  try {
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch {
    throw new UnsupportedMediaTypeError(subject, contentType || 'non-JSON content');
  }
  let mediaType = doc.mediaType ?? contentType;
  // OCI documents may omit mediaType; tell them apart by shape.
  if (!mediaType || mediaType === 'application/json') mediaType = Array.isArray(doc.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
  if (doc.schemaVersion !== 2) throw new UnsupportedMediaTypeError(subject, doc.schemaVersion === 1 ? 'application/vnd.docker.distribution.manifest.v1+json (schema 1)' : mediaType);
  if (isIndexMediaType(mediaType) && Array.isArray(doc.manifests)) return { kind: 'index', mediaType, digest, bytes, index: doc as Index };
  if (isManifestMediaType(mediaType) && Array.isArray(doc.layers) && doc.config) return { kind: 'manifest', mediaType, digest, bytes, manifest: doc as Manifest };
  throw new UnsupportedMediaTypeError(subject, mediaType);
}
