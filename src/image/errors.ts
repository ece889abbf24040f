import { StrataError } from '../util/errors.js';

/** InvalidReferenceError: an image reference that Docker's grammar refuses. */
export class InvalidReferenceError extends StrataError {
  constructor(ref: string, why: string) {
    super('INVALID_REFERENCE', `invalid reference format "${ref}": ${why}`);
  }
}

/**
 * ArchiveError: an image archive (docker save, OCI layout, rootfs tarball) that strata refuses.
 * `entry` names the tar entry or document at fault, so the message says where the problem is.
 */
export class ArchiveError extends StrataError {
  readonly entry: string | undefined;
  constructor(message: string, entry?: string, options?: { cause?: unknown }) {
    super('INVALID_ARCHIVE', entry === undefined ? message : `${entry}: ${message}`, options);
    this.entry = entry;
  }
}

/** DigestMismatchError: content whose sha256 (or size) is not the one it was announced with. */
export class DigestMismatchError extends StrataError {
  constructor(what: string, expected: string, actual: string) {
    super('DIGEST_MISMATCH', `${what}: digest mismatch: expected ${expected}, got ${actual}`);
  }
}

/** SizeLimitError: content larger than it was announced or allowed to be. */
export class SizeLimitError extends StrataError {
  constructor(what: string, limit: number) {
    super('SIZE_LIMIT', `${what}: larger than ${limit} bytes`);
  }
}
