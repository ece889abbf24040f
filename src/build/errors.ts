import { StrataError } from '../util/errors.js';

/** SourceNotFoundError: a COPY/ADD source (not a wildcard) does not exist or is ignored. */
export class SourceNotFoundError extends StrataError {
  constructor(source: string) {
    super('COPY_SOURCE_NOT_FOUND', `failed to compute cache key: "/${source.replace(/^\/+/, '')}": not found`);
  }
}

/** CopyRuleError: the COPY/ADD arguments break one of Docker's rules (several sources, file dest). */
export class CopyRuleError extends StrataError {
  constructor(message: string) {
    super('COPY_INVALID', message);
  }
}

/**
 * StepError is a failure of one build step, located in the Dockerfile: `Dockerfile:5`, the line,
 * and a caret under the instruction. `cause` keeps the underlying error (and its code).
 */
export class StepError extends StrataError {
  readonly step: string;
  constructor(code: string, message: string, step: string, frame: string, cause?: unknown) {
    super(code, message, { cause, frame });
    this.step = step;
  }
}

/** locate wraps an error of a step into a StepError with a frame (`Dockerfile:5` + line + caret). */
export function locate(err: unknown, file: string, source: string, line: number, column: number, step: string): StepError {
  if (err instanceof StepError) return err;
  const code = err instanceof StrataError ? err.code : 'STEP_FAILED';
  const msg = err instanceof Error ? err.message : String(err);
  const text = source.split(/\r?\n/)[line - 1] ?? '';
  const gutter = `${line} | `;
  const frame = `${file}:${line}\n--------------------\n${gutter}${text}\n${' '.repeat(gutter.length + Math.max(0, column - 1))}^\n--------------------`;
  return new StepError(code, `${file}:${line}: ${step}: ${msg}`, step, frame, err);
}
