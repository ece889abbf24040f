import type { RawInstruction } from '../../grammar/syntax.js';
import { codeFrame, DockerfileErrorCode, DockerfileSyntaxError, type DockerfileErrorCodeValue } from './errors.js';
import { goQuote } from './go-quote.js';
import { heredocsFromLine, type HeredocMarker } from './heredoc.js';
import { GrammarFailure, parseInstructionLine } from './instruction-line.js';
import type { Heredoc, ParserDirectives, Range, Warning } from './ir.js';
import { LineProblem, LineReader, positionIn, type LogicalLine } from './line-reader.js';

/**
 * The AST level: BuildKit's parser output (keyword, flags, argument list) for every instruction,
 * before any instruction semantics. It backs the conformance dump and feeds the IR builder.
 */

/** AstNode is one instruction as BuildKit's parser sees it. */
export interface AstNode {
  /** keyword in lower case; keywordText as written. */
  keyword: string;
  keywordText: string;
  /** flags with quotes and escapes removed, e.g. `--from=build`. */
  flags: string[];
  /** args as the dump prints them (empty for ONBUILD, whose trigger is `next`). */
  args: string[];
  next?: AstNode;
  /** json: the arguments were a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
  range: Range;
  /** original is the joined instruction line. */
  original: string;
  /** raw is the grammar's output; line and base locate its offsets (base: offset of its text). */
  raw: RawInstruction;
  line: LogicalLine;
  base: number;
}

/** Ast is a whole file at the AST level. */
export interface Ast {
  file: string;
  directives: ParserDirectives;
  nodes: AstNode[];
  warnings: Warning[];
  /** source gives the text of a physical line, for error frames. */
  source: LineReader;
}

const SPACE = '[ \\t\\n\\v\\f\\r\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const LEAD = new RegExp(`^${SPACE}+`);
const TRAIL = new RegExp(`${SPACE}+$`);
const BLANKS = /[\t\v\f\r ]+/;

function isPlain(c: number): boolean {
  return c > 32 && c < 127;
}

/** trimGo trims Unicode spaces like Go's strings.TrimSpace; returns the text and the cut at the start. */
export function trimGo(s: string): [string, number] {
  if (s === '' || (isPlain(s.charCodeAt(0)) && isPlain(s.charCodeAt(s.length - 1)))) return [s, 0];
  const lead = LEAD.exec(s)?.[0].length ?? 0;
  const t = s.slice(lead).replace(TRAIL, '');
  return [t, lead];
}

/** Located carries what an error needs to point at a spot in the source. */
export interface Located {
  file: string;
  source: LineReader;
}

/** locatedError builds a DockerfileSyntaxError at an offset of a logical line. */
export function locatedError(
  at: Located,
  code: DockerfileErrorCodeValue,
  reason: string,
  line: LogicalLine,
  offset: number,
  hint?: string,
): DockerfileSyntaxError {
  const pos = positionIn(line, Math.max(0, Math.min(offset, line.text.length)));
  return errorAt(at, code, reason, pos.line, pos.column, hint);
}

/** errorAt builds a DockerfileSyntaxError at a line and column, with a frame. */
export function errorAt(at: Located, code: DockerfileErrorCodeValue, reason: string, line: number, column: number, hint?: string): DockerfileSyntaxError {
  // The hint is part of the one-line message already; the frame shows only where.
  const frame = codeFrame(at.source.physicalLine(line), line, column);
  return new DockerfileSyntaxError(code, reason, { file: at.file, line, column }, hint === undefined ? { frame } : { frame, hint });
}

class AstBuilder implements Located {
  readonly source: LineReader;
  readonly warnings: Warning[] = [];

  constructor(
    text: string,
    readonly file: string,
  ) {
    this.source = new LineReader(text);
  }

  build(): Ast {
    const nodes: AstNode[] = [];
    const reader = this.source;
    for (;;) {
      let line: LogicalLine | null;
      try {
        line = reader.next();
      } catch (err) {
        if (err instanceof LineProblem) throw errorAt(this, err.code, err.message, err.line, err.column, err.hint);
        throw err;
      }
      if (!line) break;
      if (line.emptyContinuation) {
        this.warnings.push({
          code: 'EMPTY_CONTINUATION',
          rule: 'NoEmptyContinuation',
          message: 'empty continuation line found (empty continuation lines will become errors in a future release)',
          range: { start: { line: line.endLine, column: 1 }, end: { line: line.endLine, column: 1 } },
        });
      }
      const [text, cut] = trimGo(line.text);
      const node = this.node(text, line, cut);
      if (canContainHeredoc(node) && line.text.includes('<<')) this.readHeredocs(node, line);
      node.endLine = reader.line;
      node.range.end = { line: reader.line, column: reader.lineEndColumn() };
      nodes.push(node);
    }
    if (nodes.length === 0) {
      throw new DockerfileSyntaxError(DockerfileErrorCode.Empty, 'file with no instructions', { file: this.file, line: Math.max(1, reader.line), column: 1 });
    }
    return { file: this.file, directives: reader.directives, nodes, warnings: this.warnings, source: reader };
  }

  /** node parses one trimmed instruction text found at `base` in the logical line. */
  node(text: string, line: LogicalLine, base: number): AstNode {
    let raw: RawInstruction;
    if (text === '') {
      raw = { keyword: '', keywordText: '', family: 'unknown', flags: [], args: { form: 'none' } };
    } else {
      try {
        raw = parseInstructionLine(text, this.source.escape);
      } catch (err) {
        if (err instanceof GrammarFailure) throw locatedError(this, DockerfileErrorCode.GrammarFailure, err.message, line, base);
        throw err;
      }
    }
    const start = positionIn(line, base);
    const node: AstNode = {
      keyword: raw.keyword,
      keywordText: raw.keywordText,
      flags: raw.flags.map((f) => f.value),
      args: [],
      json: false,
      heredocs: [],
      startLine: line.startLine,
      endLine: line.endLine,
      range: { start, end: start },
      original: line.text,
      raw,
      line,
      base,
    };
    this.fillArgs(node, text);
    return node;
  }

  private fillArgs(node: AstNode, text: string): void {
    const { raw, line, base } = node;
    const a = raw.args;
    if (a.form === 'jsonNotStrings') {
      throw locatedError(this, DockerfileErrorCode.JsonNotStrings, 'when using JSON array syntax, arrays must be comprised of strings only', line, base + a.offset);
    }
    switch (raw.family) {
      case 'shell':
      case 'list':
      case 'words':
      case 'string':
        if (a.form === 'json') {
          node.args = a.values;
          node.json = true;
        } else if (a.form === 'text') node.args = [a.text];
        else if (a.form === 'words') node.args = a.words.map((w) => w.text);
        return;
      case 'health':
        if (raw.healthType) {
          node.args = [raw.healthType.text];
          if (a.form === 'json') {
            node.args.push(...a.values);
            node.json = true;
          } else if (a.form === 'text') node.args.push(a.text);
        }
        return;
      case 'kv':
        if (a.form !== 'words' || a.words.length === 0) return;
        if (raw.keyword === 'arg') {
          node.args = a.words.map((w) => w.text);
          return;
        }
        node.args = this.nameValues(node, text, a.words);
        return;
      case 'onbuild':
        if (a.form === 'text') node.next = this.node(a.text, line, base + a.offset);
        return;
      case 'unknown':
        node.args = [''];
        return;
    }
  }

  /** nameValues is BuildKit's ENV/LABEL rule: old form `k v`, or `k=v` words kept raw. */
  private nameValues(node: AstNode, text: string, words: { text: string; offset: number }[]): string[] {
    const first = words[0]!;
    const name = node.keyword.toUpperCase();
    if (!first.text.includes('=')) {
      const rest = text.slice(first.offset);
      const m = BLANKS.exec(rest);
      if (!m) {
        throw locatedError(this, DockerfileErrorCode.MissingArgument, `${name} must have two arguments`, node.line, node.base + first.offset + first.text.length, `write ${name} ${first.text}=<value>`);
      }
      return [rest.slice(0, m.index), rest.slice(m.index + m[0].length), ''];
    }
    const out: string[] = [];
    for (const w of words) {
      const eq = w.text.indexOf('=');
      if (eq < 0) {
        throw locatedError(this, DockerfileErrorCode.KeyValue, `Syntax error - can't find = in ${goQuote(w.text)}. Must be of the form: name=value`, node.line, node.base + w.offset);
      }
      out.push(w.text.slice(0, eq), w.text.slice(eq + 1), '=');
    }
    return out;
  }

  private readHeredocs(node: AstNode, line: LogicalLine): void {
    let markers: HeredocMarker[];
    try {
      markers = heredocsFromLine(line.text);
    } catch (err) {
      throw locatedError(this, DockerfileErrorCode.InvalidHeredoc, (err as Error).message, line, 0);
    }
    for (const m of markers) {
      const startLine = this.source.line + 1;
      const body = this.source.heredocBody(m.name, m.chomp);
      if (body === null) {
        const at = line.text.indexOf('<<');
        throw locatedError(this, DockerfileErrorCode.UnterminatedHeredoc, `unterminated heredoc ${goQuote(m.name)}`, line, at, `end it with a line holding only ${m.name}`);
      }
      node.heredocs.push({
        name: m.name,
        fileDescriptor: m.fileDescriptor,
        expand: m.expand,
        chomp: m.chomp,
        content: body,
        range: { start: { line: startLine, column: 1 }, end: { line: this.source.line, column: this.source.lineEndColumn() } },
      });
    }
  }
}

/** canContainHeredoc: RUN, COPY and ADD in non-JSON form (also as an ONBUILD trigger). */
function canContainHeredoc(node: AstNode): boolean {
  let n: AstNode = node;
  if (n.keyword === 'onbuild' && n.next) n = n.next;
  if (n.keyword !== 'run' && n.keyword !== 'copy' && n.keyword !== 'add') return false;
  return !n.json;
}

/** parseAst parses a Dockerfile to BuildKit's AST level (what `--dump` prints). */
export function parseAst(text: string, opts?: { file?: string }): Ast {
  return new AstBuilder(text, opts?.file ?? 'Dockerfile').build();
}

/** dumpNode prints one node in BuildKit's dump format (without the surrounding parentheses). */
export function dumpNode(node: AstNode): string {
  let s = node.keyword;
  if (node.flags.length > 0) s += ` [${node.flags.map(goQuote).join(' ')}]`;
  if (node.next) s += ` (${dumpNode(node.next)})`;
  for (const a of node.args) s += ` ${goQuote(a)}`;
  // BuildKit trims each node's dump: an empty keyword leaves no leading space.
  return node.keyword === '' ? s.trimStart() : s;
}

/** dumpAst prints a whole file in BuildKit's dump format, with the final newline. */
export function dumpAst(ast: Ast): string {
  let out = '';
  for (const n of ast.nodes) out += `(${dumpNode(n)})\n`;
  return out;
}
