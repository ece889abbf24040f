import { StrataError } from '../util/errors.js';

/**
 * Error codes of the Dockerfile front end, sorted. Each is stable: tests and `--json` output
 * key on them.
 */
export const DockerfileErrorCode = {
  DirectiveRepeated: 'DOCKERFILE_DIRECTIVE_REPEATED',
  Empty: 'DOCKERFILE_EMPTY',
  FlagValue: 'DOCKERFILE_FLAG_VALUE',
  GrammarFailure: 'DOCKERFILE_GRAMMAR_FAILURE',
  InvalidHeredoc: 'DOCKERFILE_INVALID_HEREDOC',
  InvalidArgument: 'DOCKERFILE_INVALID_ARGUMENT',
  InvalidEscape: 'DOCKERFILE_INVALID_ESCAPE',
  InvalidMount: 'DOCKERFILE_INVALID_MOUNT',
  InvalidStageName: 'DOCKERFILE_INVALID_STAGE_NAME',
  JsonNotStrings: 'DOCKERFILE_JSON_NOT_STRINGS',
  KeyValue: 'DOCKERFILE_KEY_VALUE',
  LineTooLong: 'DOCKERFILE_LINE_TOO_LONG',
  MissingArgument: 'DOCKERFILE_MISSING_ARGUMENT',
  NoStage: 'DOCKERFILE_NO_STAGE',
  UnknownFlag: 'DOCKERFILE_UNKNOWN_FLAG',
  UnknownInstruction: 'DOCKERFILE_UNKNOWN_INSTRUCTION',
  UnterminatedHeredoc: 'DOCKERFILE_UNTERMINATED_HEREDOC',
} as const;

/** DockerfileErrorCode is one of the codes above. */
export type DockerfileErrorCodeValue = (typeof DockerfileErrorCode)[keyof typeof DockerfileErrorCode];

/** SourceLocation places an error: 1-based line and column, in a named file. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * DockerfileSyntaxError is a located error in a Dockerfile. `message` is
 * `file:line:column: reason`, plus the hint when there is one; `frame` shows the line with a caret
 * under the offending column. `reason` is the message without location, for tests and JSON.
 */
export class DockerfileSyntaxError extends StrataError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  readonly hint: string | undefined;

  constructor(code: DockerfileErrorCodeValue, reason: string, loc: SourceLocation, opts?: { frame?: string; hint?: string }) {
    const hint = opts?.hint;
    super(code, `${loc.file}:${loc.line}:${loc.column}: ${reason}${hint ? ` (${hint})` : ''}`, opts?.frame === undefined ? undefined : { frame: opts.frame });
    this.file = loc.file;
    this.line = loc.line;
    this.column = loc.column;
    this.reason = reason;
    this.hint = hint;
  }
}

/** codeFrame renders a source line with a caret under `column` (1-based), gutter included. */
export function codeFrame(lineText: string, line: number, column: number, hint?: string): string {
  const gutter = String(line);
  const shown = lineText.replace(/\t/g, ' ');
  const caretPad = ' '.repeat(Math.max(0, Math.min(column - 1, shown.length)));
  const lines = [` ${gutter} | ${shown}`, ` ${' '.repeat(gutter.length)} | ${caretPad}^`];
  if (hint) lines.push(` ${' '.repeat(gutter.length)} = hint: ${hint}`);
  return lines.join('\n');
}
