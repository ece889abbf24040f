import { StrataError } from '../util/errors.js';

/**
 * Registry errors. Each names the reference (or registry host) it concerns in its one-line
 * message, and carries a stable `code` that tests and `--json` output key on.
 * Codes (sorted): REGISTRY_BLOB_INTERRUPTED, REGISTRY_DIGEST_MISMATCH, REGISTRY_HTTP,
 * REGISTRY_INSECURE_REALM, REGISTRY_MANIFEST_UNKNOWN, REGISTRY_UNAUTHORIZED, REGISTRY_UNREACHABLE,
 * REGISTRY_UNSUPPORTED_MEDIA_TYPE, REGISTRY_CREDENTIALS.
 */
export class RegistryError extends StrataError {}

/** RegistryUnreachableError: no TCP/TLS connection could be made to the registry. */
export class RegistryUnreachableError extends RegistryError {
  constructor(subject: string, detail: string, options?: { cause?: unknown }) {
    super('REGISTRY_UNREACHABLE', `${subject}: registry unreachable: ${detail}`, options);
  }
}

/** UnauthorizedError: the registry answered 401/403 even after authenticating. */
export class UnauthorizedError extends RegistryError {
  readonly status: number;
  constructor(subject: string, status: number, detail: string) {
    super('REGISTRY_UNAUTHORIZED', `${subject}: ${status === 403 ? 'access denied' : 'unauthorized'}${detail ? `: ${detail}` : ''} (try 'strata login')`);
    this.status = status;
  }
}

/** ManifestUnknownError: the tag or digest does not exist in the repository (404). */
export class ManifestUnknownError extends RegistryError {
  constructor(subject: string) {
    super('REGISTRY_MANIFEST_UNKNOWN', `${subject}: manifest unknown (no such tag or digest in the registry)`);
  }
}

/** UnsupportedMediaTypeError: a manifest of a kind strata cannot read (schema1, artifacts...). */
export class UnsupportedMediaTypeError extends RegistryError {
  constructor(subject: string, mediaType: string) {
    super('REGISTRY_UNSUPPORTED_MEDIA_TYPE', `${subject}: unsupported manifest media type ${JSON.stringify(mediaType)}`);
  }
}

/** DigestMismatchError: content did not hash to the digest it was asked for; nothing was stored. */
export class DigestMismatchError extends RegistryError {
  constructor(subject: string, expected: string, actual: string) {
    super('REGISTRY_DIGEST_MISMATCH', `${subject}: digest mismatch: expected ${expected}, got ${actual}`);
  }
}

/** BlobInterruptedError: a blob download broke and could not be resumed within the retry budget. */
export class BlobInterruptedError extends RegistryError {
  constructor(subject: string, detail: string, options?: { cause?: unknown }) {
    super('REGISTRY_BLOB_INTERRUPTED', `${subject}: download interrupted: ${detail}`, options);
  }
}

/** InsecureRealmError: a token realm that would leak credentials (http, or private address) for a secure registry. */
export class InsecureRealmError extends RegistryError {
  constructor(host: string, realm: string) {
    super('REGISTRY_INSECURE_REALM', `${host}: refusing token realm ${realm}: not https or private address for a secure registry`);
  }
}

/** RegistryHttpError: any other unexpected HTTP answer; carries the registry's error code if it gave one. */
export class RegistryHttpError extends RegistryError {
  readonly status: number;
  constructor(subject: string, status: number, detail: string) {
    super('REGISTRY_HTTP', `${subject}: registry answered ${status}${detail ? `: ${detail}` : ''}`);
    this.status = status;
  }
}

/** CredentialsError: config.json or a credential helper could not be read or written. */
export class CredentialsError extends RegistryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REGISTRY_CREDENTIALS', message, options);
  }
}
