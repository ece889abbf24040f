import { StrataError } from '../util/errors.js';
import type { Range } from '../dockerfile/ir.js';

/**
 * PlanError is a problem found while planning (unknown target or stage, bad flag value, a base
 * image that is not there), with the instruction's range so the CLI can print `Dockerfile:5`,
 * the line and a caret.
 */
export class PlanError extends StrataError {
  readonly range: Range | undefined;
  constructor(code: string, message: string, range?: Range, options?: { cause?: unknown; frame?: string }) {
    super(code, message, options);
    this.range = range;
  }
}

/** sourceFrame renders `file:line`, the line, and a caret under `column`, as BuildKit shows errors. */
export function sourceFrame(file: string, text: string, range: Range): string {
  const lines = text.split(/\r?\n/);
  const line = lines[range.start.line - 1] ?? '';
  const gutter = `${range.start.line} | `;
  return [
    `${file}:${range.start.line}`,
    '--------------------',
    `${gutter}${line}`,
    `${' '.repeat(gutter.length + Math.max(0, range.start.column - 1))}^`,
    '--------------------',
  ].join('\n');
}
