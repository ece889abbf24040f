import { StrataError } from '../src/util/errors.js';

// Runners import nothing of src but types; StrataError is the one exception: it is the project's error base
// (a leaf with no imports), and the CLI prints only StrataErrors as one-line messages.

/** RunnerError: a runner could not set up or start the process (not the process failing on its own). */
export class RunnerError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUNNER_FAILED', message, options);
  }
}

/** RunnerUnavailableError: this host lacks what a runner needs (a binary, subordinate ids, root). */
export class RunnerUnavailableError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUNNER_UNAVAILABLE', message, options);
  }
}

/** PathEscapeError: a path inside the rootfs (cwd, mount target) resolves outside it. */
export class PathEscapeError extends StrataError {
  constructor(message: string) {
    super('PATH_ESCAPE', message);
  }
}
