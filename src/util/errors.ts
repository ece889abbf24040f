/**
 * StrataError is the base of every error strata raises on purpose. `code` is stable and
 * machine-readable (tests and `--json` output key on it); `message` is one line for a person.
 * The CLI prints `message` (and `frame` when present) and exits 1; anything that is not a
 * StrataError is a bug and is reported as such.
 */
export class StrataError extends Error {
  readonly code: string;
  /** Optional multi-line excerpt (source line + caret) printed under the message. */
  readonly frame: string | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; frame?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.frame = options?.frame;
  }
}

/** NotFoundError: a named thing (image, blob, stage, file) does not exist. */
export class NotFoundError extends StrataError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', what, options);
  }
}

/** InvalidArgumentError: the user's input is malformed (bad flag value, bad reference...). */
export class InvalidArgumentError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** errorMessage turns anything thrown into one line, without a stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
