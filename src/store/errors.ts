import { StrataError } from '../util/errors.js';

/** BlobNotFoundError: a blob the store does not hold. */
export class BlobNotFoundError extends StrataError {
  constructor(digest: string) {
    super('BLOB_NOT_FOUND', `blob ${digest} not found in the store`);
  }
}

/** ImageNotFoundError: no image has this reference, ID or ID prefix (Docker's wording). */
export class ImageNotFoundError extends StrataError {
  constructor(ref: string) {
    super('IMAGE_NOT_FOUND', `No such image: ${ref}`);
  }
}

/** AmbiguousImageIdError: a short image ID that matches more than one image. */
export class AmbiguousImageIdError extends StrataError {
  constructor(prefix: string, count: number) {
    super('AMBIGUOUS_IMAGE_ID', `short image ID "${prefix}" is ambiguous: it matches ${count} images`);
  }
}

/** StoreBusyError: the store lock could not be taken in time (another strata process holds it). */
export class StoreBusyError extends StrataError {
  constructor(root: string) {
    super('STORE_BUSY', `store ${root} is in use by another strata process (lock timeout)`);
  }
}

/** ImageInUseError: removing an image that a container or a child image still uses (without -f). */
export class ImageInUseError extends StrataError {
  constructor(message: string) {
    super('IMAGE_IN_USE', message);
  }
}
