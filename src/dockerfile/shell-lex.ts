import { Fail, ShellExpansionError } from './shell-errors.js';
import { patternRegex, trimPrefix, trimSuffix } from './shell-pattern.js';

export { ShellExpansionError, type ShellErrorCode } from './shell-errors.js';

/**
 * Shell-word expansion as BuildKit's shell lexer does it (frontend/dockerfile/shell): quotes,
 * escapes, `$V`, `${V}`, and the modifiers `${V:-w} ${V-w} ${V:+w} ${V+w} ${V:?m} ${V?m}
 * ${V#p} ${V##p} ${V%p} ${V%%p} ${V/p/r} ${V//p/r}`; then, for instructions that take several
 * words, splitting on whitespace that came from unquoted text or unquoted variable values.
 * It is used for ENV, COPY, WORKDIR, FROM... never for RUN (the shell does that).
 */

/** Env is the variables in scope: a Map or a plain record (own properties only). */
export type Env = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** ShellLexOptions tunes expansion the way BuildKit's Lex fields do. */
export interface ShellLexOptions {
  /** escape character (`\` by default, or a backtick). */
  escape?: '\\' | '`';
  /** rawQuotes keeps quote characters in the result. */
  rawQuotes?: boolean;
  /** rawEscapes keeps escape characters in the result. */
  rawEscapes?: boolean;
  /** skipUnsetEnv leaves references to unset variables as written (`$X`, `${X:-y}`). */
  skipUnsetEnv?: boolean;
  /** skipProcessQuotes treats quotes as ordinary characters. */
  skipProcessQuotes?: boolean;
}

/** ShellLexResult is one expansion: the whole word, the split words, and the names it read. */
export interface ShellLexResult {
  result: string;
  words: string[];
  /** matched: referenced variables that were set; unmatched: referenced but unset. */
  matched: Set<string>;
  unmatched: Set<string>;
}

const EOF = -1;
const SPACE = /[ \t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isSpace(ch: string): boolean {
  return ch.length === 1 && SPACE.test(ch);
}

/** Words accumulates split words: spaces split only when they are not raw (quoted/escaped). */
class Words {
  buf = '';
  words: string[] = [];
  inWord = false;

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.buf.length !== 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else {
      this.addRaw(ch);
    }
  }

  addRaw(s: string): void {
    this.buf += s;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  finish(): string[] {
    if (this.buf.length > 0) {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class Scanner {
  private i = 0;
  private readonly matched = new Set<string>();
  private readonly unmatched = new Set<string>();
  private rawEscapes: boolean;
  private readonly esc: string;

  constructor(
    private readonly src: string,
    private readonly env: Env,
    private readonly opts: ShellLexOptions,
  ) {
    this.rawEscapes = opts.rawEscapes ?? false;
    this.esc = opts.escape ?? '\\';
  }

  private peek(): string | typeof EOF {
    if (this.i >= this.src.length) return EOF;
    const cp = this.src.codePointAt(this.i)!;
    return cp > 0xffff ? String.fromCodePoint(cp) : this.src[this.i]!;
  }

  private next(): string | typeof EOF {
    const ch = this.peek();
    if (ch !== EOF) this.i += ch.length;
    return ch;
  }

  run(): ShellLexResult {
    const [result, words] = this.until(EOF, this.rawEscapes);
    return { result, words, matched: this.matched, unmatched: this.unmatched };
  }

  private until(stop: string | typeof EOF, rawEscapes: boolean): [string, string[]] {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      const words = new Words();
      const quotes = !this.opts.skipProcessQuotes;
      for (;;) {
        const ch = this.peek();
        if (ch === EOF) break;
        if (stop !== EOF && ch === stop) {
          this.next();
          return [result, words.finish()];
        }
        if (ch === '$') {
          const v = this.dollar();
          result += v;
          words.addString(v);
        } else if (ch === '<') {
          const v = this.possibleHeredoc();
          result += v;
          words.addRaw(v);
        } else if (quotes && (ch === "'" || ch === '"')) {
          const v = ch === "'" ? this.singleQuote() : this.doubleQuote();
          result += v;
          words.addRaw(v);
        } else {
          let c = this.next() as string;
          if (c === this.esc) {
            if (this.rawEscapes) {
              words.addRaw(c);
              result += c;
            }
            const n = this.next();
            if (n === EOF) break;
            c = n;
            words.addRaw(c);
          } else {
            words.addChar(c);
          }
          result += c;
        }
      }
      if (stop !== EOF) throw new Fail('SHELL_MISSING_BRACE', `unexpected end of statement while looking for matching ${stop}`);
      return [result, words.finish()];
    } finally {
      this.rawEscapes = saved;
    }
  }

  private singleQuote(): string {
    let out = '';
    const q = this.next() as string;
    if (this.opts.rawQuotes) out += q;
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new Fail('SHELL_UNTERMINATED_QUOTE', 'unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.opts.rawQuotes) out += ch;
        return out;
      }
      out += ch;
    }
  }

  private doubleQuote(): string {
    let out = '';
    const q = this.next() as string;
    if (this.opts.rawQuotes) out += q;
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new Fail('SHELL_UNTERMINATED_QUOTE', 'unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        this.next();
        if (this.opts.rawQuotes) out += p;
        return out;
      }
      if (p === '$') {
        out += this.dollar();
        continue;
      }
      let ch = this.next() as string;
      if (ch === this.esc) {
        if (this.rawEscapes) out += ch;
        const n = this.peek();
        if (n === EOF) continue;
        // Only ", $ and the escape itself can be escaped; elsewhere the escape stays.
        if (n === '"' || n === '$' || n === this.esc) ch = this.next() as string;
      }
      out += ch;
    }
  }

  private getEnv(name: string): string | undefined {
    const env = this.env;
    const v = env instanceof Map ? env.get(name) : Object.prototype.hasOwnProperty.call(env, name) ? (env as Record<string, string>)[name] : undefined;
    if (v === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return v;
  }

  private name(): string {
    let name = '';
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) break;
      if (name === '' && DIGIT.test(ch)) {
        while (this.peek() !== EOF && DIGIT.test(this.peek() as string)) name += this.next();
        return name;
      }
      if (name === '' && '@*#?-$!0'.includes(ch)) {
        this.next();
        return ch;
      }
      if (!LETTER.test(ch) && !DIGIT.test(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }

  private possibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let out = '<<';
    for (let p = this.peek(); p === ' ' || p === '\t' || p === '\r'; p = this.peek()) out += this.next();
    return out;
  }

  private dollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const v = this.getEnv(name);
      if (v === undefined && this.opts.skipUnsetEnv) return `$${name}`;
      return v ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new Fail('SHELL_MISSING_BRACE', "syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new Fail('SHELL_BAD_SUBSTITUTION', 'syntax error: bad substitution');
    const name = this.name();
    let ch = this.next();
    if (ch === EOF) throw new Fail('SHELL_MISSING_BRACE', "syntax error: missing '}'");
    let mod: string = ch;
    if (ch === '}') {
      const v = this.getEnv(name);
      if (v === undefined && this.opts.skipUnsetEnv) return `\${${name}}`;
      return v ?? '';
    }
    if (ch === '/') return this.replace(name);
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      if (ch === EOF) throw new Fail('SHELL_MISSING_BRACE', "syntax error: missing '}'");
      mod += ch;
    }
    if (!'+-?#%'.includes(ch) && !nullIsUnset) {
      throw new Fail('SHELL_UNSUPPORTED_MODIFIER', `unsupported modifier (${mod}) in substitution`);
    }
    const patternish = ch === '#' || ch === '%';
    if (nullIsUnset && patternish) throw new Fail('SHELL_UNSUPPORTED_MODIFIER', `unsupported modifier (${mod}) in substitution`);
    let word: string;
    try {
      [word] = this.until('}', patternish);
    } catch (err) {
      if (err instanceof Fail && this.peek() === EOF) throw new Fail('SHELL_MISSING_BRACE', "syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}${mod}${word}}`;
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new Fail('SHELL_UNSET_VARIABLE', `${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new Fail('SHELL_UNSET_VARIABLE', `${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '%':
      case '#': {
        let greedy = false;
        if (word.startsWith(ch)) {
          greedy = true;
          word = word.slice(1);
        }
        return ch === '%' ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      }
      default:
        throw new Fail('SHELL_UNSUPPORTED_MODIFIER', `unsupported modifier (${mod}) in substitution`);
    }
  }

  private replace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    let pattern: string;
    try {
      [pattern] = this.until('/', true);
    } catch (err) {
      if (err instanceof Fail && this.peek() === EOF) throw new Fail('SHELL_MISSING_BRACE', "syntax error: missing '/' in ${}");
      throw err;
    }
    let replacement: string;
    try {
      [replacement] = this.until('}', true);
    } catch (err) {
      if (err instanceof Fail && this.peek() === EOF) throw new Fail('SHELL_MISSING_BRACE', "syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    const re = patternRegex(pattern, true, false, all);
    return (value ?? '').replace(re, () => replacement);
  }
}

/** processWord expands `text` with full control over the options; it returns everything. */
export function processWord(text: string, env: Env, opts: ShellLexOptions = {}): ShellLexResult {
  try {
    return new Scanner(text, env, opts).run();
  } catch (err) {
    if (err instanceof Fail) throw new ShellExpansionError(err.code, err.message, text);
    throw err;
  }
}

/** expandWord expands one word: quotes removed, escapes handled, variables replaced, no splitting. */
export function expandWord(text: string, env: Env, escapeChar: '\\' | '`' = '\\'): string {
  return processWord(text, env, { escape: escapeChar }).result;
}

/** expandWords expands and splits into words, as BuildKit does for multi-word instructions. */
export function expandWords(text: string, env: Env, escapeChar: '\\' | '`' = '\\'): string[] {
  return processWord(text, env, { escape: escapeChar }).words;
}

/** referencedVariables lists the variables a word reads (set or not), for cache keys. */
export function referencedVariables(text: string, env: Env, escapeChar: '\\' | '`' = '\\'): string[] {
  const r = processWord(text, env, { escape: escapeChar });
  return [...r.matched, ...r.unmatched].sort();
}
