import { StrataError } from '../util/errors.js';

/** ContextError: the build context cannot be read as asked (missing dir, bad tar, unsafe path). */
export class ContextError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTEXT_INVALID', message, options);
  }
}

/** PathEscapeError: a path (or a symlink on the way) would leave its root. */
export class PathEscapeError extends StrataError {
  constructor(path: string) {
    super('PATH_ESCAPE', `path ${JSON.stringify(path)} escapes the build context`);
  }
}
