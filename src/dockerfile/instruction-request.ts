import { locatedError, trimGo, type AstNode, type Located } from './ast.js';
import { positionIn } from './line-reader.js';
import { DockerfileErrorCode, type DockerfileErrorCodeValue, type DockerfileSyntaxError } from './errors.js';
import { FlagProblem, parseFlags, type FlagSpec, type FlagValues } from './flags.js';
import type { Command, KeyValue, Range, Warning } from './ir.js';

/**
 * InstructionRequest is one AST node being turned into its IR variant, with the checks every
 * instruction shares (flags, argument counts) and errors located in the node's source.
 */

/** InstructionContext is what conversion needs besides the node: error location, warnings. */
export interface InstructionContext extends Located {
  warnings: Warning[];
}

/** NO_FLAGS is the flag spec of instructions that take no flags. */
export const NO_FLAGS: FlagSpec = {};

export class InstructionRequest {
  constructor(
    readonly ctx: InstructionContext,
    readonly node: AstNode,
  ) {}

  /** upper is the keyword in upper case, for messages. */
  get upper(): string {
    return this.node.keyword.toUpperCase();
  }

  /** fail builds an error at an offset of the node's text (default: its keyword). */
  fail(code: DockerfileErrorCodeValue, reason: string, offset = 0, hint?: string): DockerfileSyntaxError {
    return locatedError(this.ctx, code, reason, this.node.line, this.node.base + offset, hint);
  }

  /** flagFail builds a flag-value error at the flag named `name`. */
  flagFail(name: string, reason: string, hint?: string): DockerfileSyntaxError {
    const f = this.node.raw.flags.find((x) => x.value.startsWith(`--${name}`));
    return this.fail(DockerfileErrorCode.FlagValue, reason, f?.offset ?? 0, hint);
  }

  /** warn records a warning for this instruction (`rule` is BuildKit's check name). */
  warn(code: string, rule: string, message: string): void {
    this.ctx.warnings.push({ code, rule, message, range: this.node.range });
  }

  /** argsOffset is where the arguments start (for errors about them). */
  argsOffset(): number {
    const a = this.node.raw.args;
    if (a.form === 'words') return a.words[0]?.offset ?? this.node.keywordText.length;
    if (a.form === 'none') return this.node.keywordText.length;
    return a.offset;
  }

  /** flags checks the node's flags against `spec` and returns their values. */
  flags(spec: FlagSpec): FlagValues {
    try {
      return parseFlags(this.node.raw.flags, spec, this.upper);
    } catch (err) {
      if (err instanceof FlagProblem) throw this.fail(err.code, err.message, err.flag.offset, err.hint);
      throw err;
    }
  }

  /** rangeOf is the source range of `length` characters at an offset of the node's text. */
  rangeOf(offset: number, length: number): Range {
    const { line, base } = this.node;
    const start = positionIn(line, base + offset);
    if (length <= 0) return { start, end: start };
    const last = positionIn(line, base + offset + length - 1);
    return { start, end: { line: last.line, column: last.column + 1 } };
  }

  /** words are the raw argument words with their offsets (for ENV, LABEL, ARG, FROM...). */
  words(): { text: string; offset: number }[] {
    const a = this.node.raw.args;
    return a.form === 'words' ? a.words : [];
  }

  /** original is the instruction's text as written (joined and trimmed). */
  original(): string {
    const n = this.node;
    return trimGo(n.base === 0 ? n.line.text : n.line.text.slice(n.base))[0];
  }

  /** command is the arguments as a command line: exec form for JSON, else one shell string. */
  command(): Command {
    const { args, json } = this.node;
    return json ? { form: 'exec', args } : { form: 'shell', text: args.join(' ') };
  }

  exactlyOne(): string {
    if (this.node.args.length !== 1) {
      throw this.fail(DockerfileErrorCode.MissingArgument, `${this.upper} requires exactly one argument`, this.argsOffset());
    }
    return this.node.args[0]!;
  }

  atLeastOne(): void {
    if (this.node.args.length === 0) {
      throw this.fail(DockerfileErrorCode.MissingArgument, `${this.upper} requires at least one argument`, this.argsOffset());
    }
  }

  /** pairs reads ENV/LABEL arguments (key, value, separator triples) into key/value pairs. */
  pairs(): KeyValue[] {
    this.flags(NO_FLAGS);
    this.atLeastOne();
    const out: KeyValue[] = [];
    const a = this.node.args;
    const words = this.words();
    for (let i = 0; i < a.length; i += 3) {
      if (a[i] === '') throw this.fail(DockerfileErrorCode.InvalidArgument, `${this.upper} names can not be blank`, this.argsOffset());
      const word = words[i / 3];
      const oldForm = a[i + 2] === '';
      const range = oldForm && words[0]
        ? this.rangeOf(words[0].offset, (words[words.length - 1]!.offset + words[words.length - 1]!.text.length) - words[0].offset)
        : word && this.rangeOf(word.offset, word.text.length);
      out.push(range ? { key: a[i]!, value: a[i + 1]!, range } : { key: a[i]!, value: a[i + 1]! });
      if (oldForm) {
        const kw = this.node.keywordText;
        this.warn('LEGACY_KEY_VALUE_FORMAT', 'LegacyKeyValueFormat', `"${kw} key=value" should be used instead of legacy "${kw} key value" format`);
      }
    }
    return out;
  }
}
