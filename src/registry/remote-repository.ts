import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { sha256Digest, type Digest } from '../image/digest.js';
import type { Descriptor } from '../image/oci.js';
import type { Store } from '../store/index.js';
import { blobBatches, blobExists } from './blob-reader.js';
import { DiffIdTap, type DiffIdResult } from './diff-id-tap.js';
import { RegistryHttpError } from './errors.js';
import { fetchManifest, type FetchedManifest } from './manifest-fetch.js';
import type { RegistryClient } from './registry-client.js';

/** BlobPushResult says how a blob got to the registry. */
export type BlobPushResult = 'exists' | 'mounted' | 'pushed';

export interface PushBlobOptions {
  /** other repositories of the same registry that hold the blob: tried as cross-repository mounts. */
  mountFrom?: readonly string[];
  /** blobs larger than this are sent in PATCH chunks of this size (default 64 MiB). */
  chunkSize?: number;
  onProgress?: (sent: number) => void;
}

export const DEFAULT_CHUNK_SIZE = 64 << 20;

/**
 * RemoteRepository is one repository of a registry (`library/busybox` on docker.io) and the
 * distribution API calls on it that pull, push and a registry build cache are made of: manifests
 * by tag or digest, blobs checked with HEAD, fetched verified into the store, pushed (mounted from
 * a sibling repository when possible, monolithic or chunked), tags listed. Build-cache export is
 * `pushBlob` for each cache blob then `putManifest` of an index listing them; import is the reverse.
 */
export class RemoteRepository {
  constructor(
    readonly client: RegistryClient,
    /** path is the repository below the host (`library/busybox`). */
    readonly path: string,
    /** subject is what errors name (the reference the user typed). */
    readonly subject: string,
  ) {}

  get pullScope(): string {
    return `repository:${this.path}:pull`;
  }

  get pushScope(): string {
    return `repository:${this.path}:pull,push`;
  }

  /** manifest fetches a manifest or index by tag or digest, verified (see fetchManifest). */
  manifest(tagOrDigest: string, forPush = false): Promise<FetchedManifest> {
    return fetchManifest(this.client, this.path, tagOrDigest, this.subject, [forPush ? this.pushScope : this.pullScope]);
  }

  hasBlob(digest: Digest, forPush = false): Promise<boolean> {
    return blobExists(this.client, this.path, digest, this.subject, [forPush ? this.pushScope : this.pullScope]);
  }

  /**
   * fetchBlob downloads a blob into the store, stored only if it matches its digest and size: the
   * store hashes what it writes and refuses a mismatch before the blob becomes visible (see
   * blobBatches and Store.ingestBlob).
   */
  async fetchBlob(store: Store, desc: Descriptor, opts: { onProgress?: (n: number) => void; tap?: boolean } = {}): Promise<DiffIdResult | undefined> {
    const batches = blobBatches(this.client, this.path, desc, { subject: this.subject, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    if (!opts.tap) {
      await store.ingestBlob(batches, { digest: desc.digest, size: desc.size, what: this.subject });
      return undefined;
    }
    const tap = new DiffIdTap(desc.mediaType);
    try {
      await store.ingestBlob(throughTap(batches, tap), { digest: desc.digest, size: desc.size, what: this.subject });
    } finally {
      tap.destroy();
    }
    return tap.result;
  }

  /** tags lists the repository's tags, following Link pagination. */
  async tags(): Promise<string[]> {
    const out: string[] = [];
    let url: string | undefined = `/v2/${this.path}/tags/list?n=1000`;
    while (url) {
      const res = await this.client.request({ method: 'GET', url, scopes: [this.pullScope], subject: this.subject });
      const json = (await res.body.json()) as { tags?: string[] | null };
      out.push(...(json.tags ?? []));
      const next = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''))?.[1];
      url = next ? new URL(next, res.url).toString() : undefined;
    }
    return out;
  }

  /** pushBlob puts a store blob into the repository: HEAD first, then a mount, then an upload. */
  async pushBlob(store: Store, desc: Pick<Descriptor, 'digest' | 'size'>, opts: PushBlobOptions = {}): Promise<BlobPushResult> {
    if (await this.hasBlob(desc.digest, true)) return 'exists';
    let location: string | undefined;
    for (const from of (opts.mountFrom ?? []).filter((f) => f !== this.path).slice(0, 3)) {
      const res = await this.client.request({
        method: 'POST',
        url: `/v2/${this.path}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(from)}`,
        scopes: [this.pushScope, `repository:${from}:pull`],
        subject: this.subject,
        headers: { 'content-length': '0' },
      });
      await res.body.dump();
      if (res.status === 201) return 'mounted';
      // 202: the registry could not mount and opened an upload instead; use it.
      location = uploadLocation(res.headers.location, res.url, this.subject);
      break;
    }
    if (!location) {
      const res = await this.client.request({ method: 'POST', url: `/v2/${this.path}/blobs/uploads/`, scopes: [this.pushScope], subject: this.subject, headers: { 'content-length': '0' } });
      await res.body.dump();
      location = uploadLocation(res.headers.location, res.url, this.subject);
    }
    const path = store.blobPath(desc.digest);
    const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
    let sent = 0;
    const counted = (start: number, end: number): (() => Readable) => () => {
      let n = 0;
      return createReadStream(path, { start, end, highWaterMark: 1 << 20 }).pipe(new Transform({
        transform(chunk: Buffer, _e, cb) {
          n += chunk.length;
          opts.onProgress?.(sent + n);
          cb(null, chunk);
        },
      }));
    };
    if (desc.size > chunkSize) {
      for (let start = 0; start < desc.size; start += chunkSize) {
        const end = Math.min(desc.size, start + chunkSize) - 1;
        const res = await this.client.request({
          method: 'PATCH',
          url: location,
          scopes: [this.pushScope],
          subject: this.subject,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end}`, 'content-length': String(end - start + 1) },
          body: counted(start, end),
          retry: false,
        });
        await res.body.dump();
        sent = end + 1;
        location = uploadLocation(res.headers.location, res.url, this.subject);
      }
      const res = await this.client.request({ method: 'PUT', url: withDigest(location, desc.digest), scopes: [this.pushScope], subject: this.subject, headers: { 'content-length': '0' }, retry: false });
      await res.body.dump();
    } else {
      const res = await this.client.request({
        method: 'PUT',
        url: withDigest(location, desc.digest),
        scopes: [this.pushScope],
        subject: this.subject,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
        body: desc.size === 0 ? () => Buffer.alloc(0) : counted(0, desc.size - 1),
        retry: false,
      });
      await res.body.dump();
    }
    return 'pushed';
  }

  /** putManifest uploads a manifest or index under a tag (or its digest) and returns its digest. */
  async putManifest(tagOrDigest: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    const digest = sha256Digest(bytes);
    const res = await this.client.request({
      method: 'PUT',
      url: `/v2/${this.path}/manifests/${tagOrDigest}`,
      scopes: [this.pushScope],
      subject: this.subject,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: () => bytes,
    });
    await res.body.dump();
    const claimed = res.headers['docker-content-digest'];
    if (typeof claimed === 'string' && claimed !== digest) throw new RegistryHttpError(this.subject, res.status, `registry stored the manifest as ${claimed}, expected ${digest}`);
    return digest;
  }
}

function uploadLocation(location: string | string[] | undefined, base: string, subject: string): string {
  if (typeof location !== 'string' || !location) throw new RegistryHttpError(subject, 202, 'upload started without a Location');
  return new URL(location, base).toString();
}

function withDigest(location: string, digest: Digest): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/**
 * throughTap passes batches on unchanged while it feeds their chunks to a DiffIdTap (which learns the
 * layer's diffID on the side), and ends the tap once the last batch has passed.
 */
async function* throughTap(batches: AsyncIterable<Buffer[]>, tap: DiffIdTap): AsyncGenerator<Buffer[]> {
  tap.resume(); // its pass-through output is not needed: the batches go on from here
  for await (const batch of batches) {
    for (const chunk of batch) if (!tap.write(chunk)) await once(tap, 'drain');
    yield batch;
  }
  tap.end();
  await finished(tap);
}
