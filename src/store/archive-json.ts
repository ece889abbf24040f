import { readFile } from 'node:fs/promises';
import type { StagedArchive } from '../image/archive-stage.js';
import { JSON_LIMIT } from '../image/archive-stage.js';
import { parseDigest, sha256Digest, type Digest } from '../image/digest.js';
import { ArchiveError, DigestMismatchError } from '../image/errors.js';
import type { Descriptor } from '../image/oci.js';

/** LoadedImage is one image a load recorded, with the normalised references it was tagged with. */
export interface LoadedImage {
  id: Digest;
  tags: string[];
}

/** DockerManifestEntry is one image of a docker-save manifest.json. */
export interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** readJson reads a JSON document of a staged archive (size-limited, one-line errors naming it). */
export async function readJson<T>(staged: StagedArchive, name: string): Promise<{ value: T; raw: Buffer }> {
  const path = staged.path(name);
  if (!path) throw new ArchiveError('missing from the archive', name);
  const size = staged.size(name) ?? 0;
  if (size > JSON_LIMIT) throw new ArchiveError(`JSON document too large (${size} bytes, limit ${JSON_LIMIT})`, name);
  const raw = await readFile(path);
  try {
    return { value: JSON.parse(raw.toString('utf8')) as T, raw };
  } catch (err) {
    throw new ArchiveError(`invalid JSON: ${(err as Error).message}`, name);
  }
}

/** blobName is where an OCI layout keeps a descriptor's blob. */
export function blobName(d: Descriptor, entry: string): string {
  try {
    return `blobs/sha256/${parseDigest(d.digest).slice(7)}`;
  } catch {
    throw new ArchiveError(`unsupported or invalid digest ${JSON.stringify(d.digest)}`, entry);
  }
}

/** readBlobJson reads a JSON blob of an OCI layout and checks its digest and size. */
export async function readBlobJson<T>(staged: StagedArchive, d: Descriptor, entry: string): Promise<{ value: T; raw: Buffer }> {
  const name = blobName(d, entry);
  const r = await readJson<T>(staged, name);
  const actual = sha256Digest(r.raw);
  if (actual !== d.digest) throw new DigestMismatchError(name, d.digest, actual);
  if (r.raw.length !== d.size) throw new DigestMismatchError(name, `size ${d.size}`, `size ${r.raw.length}`);
  return r;
}

/** hostPlatform is the platform picked from a multi-platform index. */
export function hostPlatform(): { os: string; architecture: string } {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return { os: 'linux', architecture: arch };
}
