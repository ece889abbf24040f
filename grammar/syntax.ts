import { KEYWORD_FAMILY, leadLength, type Family } from './lexer.js';

/**
 * The raw syntax of one instruction line, as the nearley grammar builds it: token texts with
 * their offsets in the joined line, before any per-instruction meaning is given to them.
 * src/dockerfile turns this into BuildKit's AST (for the dump) and into the typed IR.
 */

/**
 * Token is the subset of a moo token the grammar keeps. Argument tokens carry the blanks before
 * them in `text`; their `value` is the text without those blanks.
 */
export interface Token {
  type?: string | undefined;
  text: string;
  value: string;
  offset: number;
}

/** RawWord is a word with its offset in the joined line; `text` is raw (quotes kept). */
export interface RawWord {
  text: string;
  offset: number;
}

/** RawFlag is a `--name[=value]` word with quotes and escapes removed (`value`). */
export interface RawFlag {
  value: string;
  text: string;
  offset: number;
}

/** RawArgs is an instruction's argument text, by the syntax its family uses. */
export type RawArgs =
  | { form: 'none' }
  | { form: 'json'; values: string[]; offset: number }
  | { form: 'jsonNotStrings'; text: string; offset: number }
  | { form: 'text'; text: string; offset: number }
  | { form: 'words'; words: RawWord[]; strayEscape: boolean };

/** RawInstruction is one parsed instruction line. */
export interface RawInstruction {
  keyword: string;
  keywordText: string;
  family: Family;
  flags: RawFlag[];
  args: RawArgs;
  /** HEALTHCHECK's type word (CMD, NONE, ...), when there is one. */
  healthType?: RawWord;
}

const NONE: RawArgs = { form: 'none' };

/** at is the offset of a token's value (after the blanks it carries). */
function at(tok: Token): number {
  return tok.offset + tok.text.length - tok.value.length;
}
const BLANKS = /[ \t\r\v\f]+/g;

const FAMILY_BY_TOKEN = new Map<string | undefined, Family>(Object.entries(KEYWORD_FAMILY).map(([k, f]) => [`kw_${k}`, f]));

function family(kw: Token): Family {
  return FAMILY_BY_TOKEN.get(kw.type) ?? 'unknown';
}

/** instruction builds a RawInstruction from the keyword, the flags and the arguments. */
export function instruction(kw: Token, flags: Token[], args: RawArgs | null, healthType?: Token): RawInstruction {
  const out: RawInstruction = {
    keyword: kw.text.toLowerCase(),
    keywordText: kw.text,
    family: family(kw),
    flags: flags.map((f) => {
      const lead = leadLength(f.text);
      return { value: f.value, text: f.text.slice(lead), offset: f.offset + lead };
    }),
    args: args ?? NONE,
  };
  if (healthType) out.healthType = { text: healthType.value, offset: at(healthType) };
  return out;
}

/** jsonArgs decodes a JSON array of strings (the lexer has checked its shape). */
export function jsonArgs(tok: Token): RawArgs {
  return { form: 'json', values: JSON.parse(tok.value) as string[], offset: at(tok) };
}

/**
 * jsonOther handles bracketed text that is not an array of strings: valid JSON is an error
 * (BuildKit: arrays must be strings only), invalid JSON falls back to `fallback`.
 */
export function jsonOther(tok: Token, fallback: 'text' | 'words'): RawArgs {
  try {
    if (Array.isArray(JSON.parse(tok.value))) return { form: 'jsonNotStrings', text: tok.value, offset: at(tok) };
  } catch {
    // Not JSON: shell form (or a whitespace list), as BuildKit does.
  }
  const text = tok.value;
  const offset = at(tok);
  if (fallback === 'text') return { form: 'text', text, offset };
  const words: RawWord[] = [];
  let last = 0;
  for (const m of text.matchAll(BLANKS)) {
    if (m.index > last) words.push({ text: text.slice(last, m.index), offset: offset + last });
    last = m.index + m[0].length;
  }
  if (last < text.length) words.push({ text: text.slice(last), offset: offset + last });
  return { form: 'words', words, strayEscape: false };
}

/** text wraps one verbatim argument token. */
export function text(tok: Token): RawArgs {
  return { form: 'text', text: tok.value, offset: at(tok) };
}

/** words collects word tokens (whitespace tokens are dropped by the grammar). */
export function words(toks: Token[], stray: unknown): RawArgs {
  return { form: 'words', words: toks.map((t) => ({ text: t.value, offset: at(t) })), strayEscape: stray != null };
}
