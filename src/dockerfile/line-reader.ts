import { DockerfileErrorCode } from './errors.js';
import type { ParserDirectives } from './ir.js';

/**
 * LineReader is the line-oriented pass of the parser, as BuildKit's: it reads physical lines,
 * recognises parser directives at the top, drops comments, joins continuation lines, and (on
 * request, once the instruction is known) consumes heredoc bodies. Instruction syntax is the
 * grammar's job; this pass only decides which characters form one instruction line.
 */

/** LogicalLine is one instruction's joined text and where its pieces came from. */
export interface LogicalLine {
  /** text is the joined line (escape characters and trailing blanks of continuations removed). */
  text: string;
  startLine: number;
  endLine: number;
  /** pieces: [offset in text, physical line, 0-based column in that line], in order. */
  pieces: number[];
  /** emptyContinuation: a blank line was skipped inside the continuation. */
  emptyContinuation: boolean;
}

/** LineProblem is an error the reader found; the parser turns it into a located error. */
export class LineProblem extends Error {
  constructor(
    readonly code: (typeof DockerfileErrorCode)[keyof typeof DockerfileErrorCode],
    message: string,
    readonly line: number,
    readonly column: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

// Go's unicode.IsSpace for the characters a Dockerfile line can hold.
const SPACE_RE = /^[ \t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const DIRECTIVE_RE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const MAX_LINE_BYTES = 65535;

function leadingSpace(s: string): number {
  let i = 0;
  // Fast path for ASCII blanks; other Unicode spaces are rare and go through the regex.
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c < 128) return i;
    break;
  }
  if (i === s.length) return i;
  const m = SPACE_RE.exec(s.slice(i));
  return i + (m ? m[0].length : 0);
}

function trimNewline(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 13 && c !== 10) break;
    end--;
  }
  return end === s.length ? s : s.slice(0, end);
}

function isComment(s: string): boolean {
  const i = leadingSpace(s);
  return s.charCodeAt(i) === 35; // '#'
}

/** utf8Length counts the UTF-8 bytes of a string (only called for very long lines). */
function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export class LineReader {
  readonly text: string;
  private pos = 0;
  /** line is the number of physical lines read so far (1-based number of the last one). */
  line = 0;
  escape: '\\' | '`' = '\\';
  readonly directives: ParserDirectives = { escape: '\\' };
  private directivesDone = false;
  private readonly seen = new Set<string>();
  private lastLineStart = 0;

  constructor(text: string) {
    this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** nextPhysical returns the next physical line with its line ending, or null at the end. */
  private nextPhysical(): string | null {
    const { text } = this;
    if (this.pos >= text.length) return null;
    const nl = text.indexOf('\n', this.pos);
    const end = nl < 0 ? text.length : nl + 1;
    const raw = text.slice(this.pos, end);
    this.lastLineStart = this.pos;
    this.pos = end;
    this.line++;
    if (raw.length > MAX_LINE_BYTES / 3 && utf8Length(raw) > MAX_LINE_BYTES + 1) {
      throw new LineProblem(DockerfileErrorCode.LineTooLong, `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`, this.line, 1);
    }
    return raw;
  }

  /** directive checks a (newline-trimmed) line for a parser directive, as BuildKit's DirectiveParser. */
  private directive(token: string): boolean {
    if (this.directivesDone) return false;
    if (token.charCodeAt(0) !== 35) {
      this.directivesDone = true;
      return false;
    }
    const body = token.slice(1);
    const m = DIRECTIVE_RE.exec(body.slice(leadingSpace(body)));
    const name = m?.[1]?.toLowerCase();
    if (!m || (name !== 'syntax' && name !== 'escape' && name !== 'check')) {
      this.directivesDone = true;
      return false;
    }
    if (this.seen.has(name)) {
      throw new LineProblem(DockerfileErrorCode.DirectiveRepeated, `only one ${name} parser directive can be used`, this.line, 1, `remove this second ${name} line`);
    }
    this.seen.add(name);
    const value = m[2]!;
    if (name === 'escape') {
      if (value !== '\\' && value !== '`') {
        throw new LineProblem(
          DockerfileErrorCode.InvalidEscape,
          `invalid escape token '${value}' does not match \` or \\`,
          this.line,
          token.indexOf(value) + 1,
          'write # escape=\\ (the default) or # escape=`',
        );
      }
      this.escape = value;
      this.directives.escape = value;
    } else {
      this.directives[name] = value;
    }
    return true;
  }

  /**
   * continuation strips a trailing escape character (and the blanks after it); returns the
   * remaining text and whether the line continues. An escape preceded by another escape is not
   * a continuation.
   */
  private continuation(s: string): [string, boolean] {
    let i = s.length - 1;
    while (i >= 0) {
      const c = s.charCodeAt(i);
      if (c !== 32 && c !== 9) break;
      i--;
    }
    if (i < 0 || s[i] !== this.escape) return [s, false];
    if (i === 0) return ['', true];
    if (s[i - 1] === this.escape) return [s, false];
    return [s.slice(0, i), true];
  }

  /** next returns the next instruction line, or null at the end of the file. */
  next(): LogicalLine | null {
    for (;;) {
      const raw = this.nextPhysical();
      if (raw === null) return null;
      let token = trimNewline(raw);
      const lead = leadingSpace(token);
      if (lead) token = token.slice(lead);
      this.directive(token);
      if (token.charCodeAt(0) === 35) token = '';
      const startLine = this.line;
      let [text, more] = this.continuation(token);
      if (!more && text === '') continue;
      const pieces = [0, startLine, lead];
      let emptyContinuation = false;
      while (more) {
        const raw2 = this.nextPhysical();
        if (raw2 === null) break;
        const t2 = trimNewline(raw2);
        this.directive(t2);
        if (isComment(raw2)) continue;
        if (leadingSpace(t2) === t2.length) {
          emptyContinuation = true;
          continue;
        }
        const [piece, again] = this.continuation(t2);
        pieces.push(text.length, this.line, 0);
        text += piece;
        more = again;
      }
      return { text, startLine, endLine: this.line, pieces, emptyContinuation };
    }
  }

  /**
   * heredocBody consumes lines up to the terminator `name` (with `chomp`, leading tabs are
   * ignored when comparing). Returns the body (each line with its line ending) or null when the
   * file ends first.
   */
  heredocBody(name: string, chomp: boolean): string | null {
    let body = '';
    for (;;) {
      const raw = this.nextPhysical();
      if (raw === null) return null;
      let candidate = trimNewline(raw);
      if (chomp) candidate = candidate.replace(/^\t+/, '');
      if (candidate === name) return body;
      body += raw;
    }
  }

  /** lineEndColumn is the 1-based column after the last character of the last line read. */
  lineEndColumn(): number {
    return trimNewline(this.text.slice(this.lastLineStart, this.pos)).length + 1;
  }

  /** physicalLine returns the text of a physical line (1-based), without its line ending. */
  physicalLine(n: number): string {
    let start = 0;
    for (let i = 1; i < n; i++) {
      const nl = this.text.indexOf('\n', start);
      if (nl < 0) return '';
      start = nl + 1;
    }
    const nl = this.text.indexOf('\n', start);
    return trimNewline(this.text.slice(start, nl < 0 ? this.text.length : nl));
  }
}

/** positionIn maps an offset in a logical line's text to a physical line and 1-based column. */
export function positionIn(line: LogicalLine, offset: number): { line: number; column: number } {
  const p = line.pieces;
  let k = 0;
  for (let i = 3; i < p.length; i += 3) {
    if (p[i]! <= offset) k = i;
    else break;
  }
  return { line: p[k + 1]!, column: p[k + 2]! + (offset - p[k]!) + 1 };
}
