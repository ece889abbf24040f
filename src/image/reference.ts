import { isDigest, type Digest } from './digest.js';
import { InvalidReferenceError } from './errors.js';

/**
 * Reference is an image reference normalised as Docker's distribution/reference does:
 * `busybox` → docker.io/library/busybox:latest, `host:5000/a/b:t`, `name@sha256:...`.
 * `tag` is set when a tag was given (or defaulted to latest); `digest` when pinned by digest.
 */
export interface Reference {
  readonly domain: string;
  /** path is the repository path below the domain (`library/busybox`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[a-fA-F0-9:]+\](?::[0-9]+)?$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const HEX64_RE = /^[a-f0-9]{64}$/;
const MAX_NAME = 255;

/** parseReference parses and normalises a reference; a missing tag and digest defaults to `latest`. */
export function parseReference(s: string, opts: { defaultTag?: boolean } = {}): Reference {
  if (s === '') throw new InvalidReferenceError(s, 'empty reference');
  let rest = s;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw new InvalidReferenceError(s, 'invalid digest');
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new InvalidReferenceError(s, 'invalid tag');
  }
  if (HEX64_RE.test(rest)) throw new InvalidReferenceError(s, 'cannot specify 64-byte hexadecimal strings');
  const { domain, path } = splitDomain(rest, s);
  if (domain.length + 1 + path.length > MAX_NAME) throw new InvalidReferenceError(s, 'repository name must not be more than 255 characters');
  for (const c of path.split('/')) {
    if (!COMPONENT_RE.test(c)) {
      throw new InvalidReferenceError(s, /[A-Z]/.test(c) ? 'repository name must be lowercase' : 'invalid repository name');
    }
  }
  if (tag === undefined && digest === undefined && opts.defaultTag !== false) tag = 'latest';
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

function splitDomain(name: string, original: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  let domain = DEFAULT_DOMAIN;
  let path = name;
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN_RE.test(first)) throw new InvalidReferenceError(original, 'invalid domain');
      domain = first;
      path = name.slice(slash + 1);
    }
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path === '') throw new InvalidReferenceError(original, 'empty repository name');
  return { domain, path };
}

/** repositoryName is `domain/path` (the normalised repository, no tag or digest). */
export function repositoryName(r: Reference): string {
  return `${r.domain}/${r.path}`;
}

/** referenceString is the normalised full form: docker.io/library/busybox:latest. */
export function referenceString(r: Reference): string {
  return `${repositoryName(r)}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/** familiarRepository is the repository as the docker CLI prints it: busybox, user/app, host:5000/a. */
export function familiarRepository(r: Reference): string {
  if (r.domain !== DEFAULT_DOMAIN) return repositoryName(r);
  return r.path.startsWith('library/') && r.path.split('/').length === 2 ? r.path.slice('library/'.length) : r.path;
}

/** familiarString is the short printed form: busybox:latest, host:5000/a/b:t, name@sha256:... */
export function familiarString(r: Reference): string {
  return `${familiarRepository(r)}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/** normalizeReference parses and prints the normalised form in one call. */
export function normalizeReference(s: string): string {
  return referenceString(parseReference(s));
}

/** withTag returns a tagged reference on the same repository (drops a digest). */
export function withTag(r: Reference, tag: string): Reference {
  return { domain: r.domain, path: r.path, tag };
}
