import moo from 'moo';

/**
 * The moo lexer for one Dockerfile instruction line (after the line pass has joined continuation
 * lines and cut off heredoc bodies). It is stateful: the keyword decides which argument syntax
 * follows, so each instruction family has its own flag state and argument states.
 *
 *   main ─keyword─▶ <family>Flags ─first argument─▶ <family>Rest (or done)
 *                         │ `--`
 *                         ▼
 *                   <family>Start ─first argument─▶ <family>Rest (or done)
 *
 * No rule matches a line feed: the line pass never hands one over.
 * Each token carries the blanks before it, so the grammar has no whitespace tokens.
 * Whitespace classes follow BuildKit: the keyword and whitespace lists split on `[ \t\r\v\f]`,
 * quote-aware words (ENV, LABEL, ARG) on Unicode spaces.
 */

/** EscapeChar is the Dockerfile escape character chosen by the `# escape=` directive. */
export type EscapeChar = '\\' | '`';

/** Family is the argument syntax an instruction keyword selects. */
export type Family = 'shell' | 'list' | 'words' | 'kv' | 'string' | 'health' | 'onbuild' | 'unknown';

/** KEYWORD_FAMILY maps each known (lower-case) keyword to its argument syntax. */
export const KEYWORD_FAMILY: Readonly<Record<string, Family>> = {
  run: 'shell', cmd: 'shell', entrypoint: 'shell', shell: 'shell',
  add: 'list', copy: 'list', volume: 'list',
  from: 'words', expose: 'words',
  env: 'kv', label: 'kv', arg: 'kv',
  maintainer: 'string', user: 'string', workdir: 'string', stopsignal: 'string',
  healthcheck: 'health',
  onbuild: 'onbuild',
};

const BLANK = '[ \\t\\r\\v\\f]';
const NOT_BLANK = '[^ \\t\\r\\v\\f\\n]';
// Go's unicode.IsSpace, used by BuildKit's quote-aware word splitter.
const USPACE = ' \\t\\n\\v\\f\\r\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const END = '(?![^])';
const JWS = '[ \\t\\n\\r]*';
const JSTR = '"(?:[^"\\\\\\x00-\\x1f]|\\\\["\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*"';
/** A complete JSON array of strings and nothing after it: exec form. */
const JSON_STRINGS = `\\[${JWS}(?:${JSTR}${JWS}(?:,${JWS}${JSTR}${JWS})*)?\\]${END}`;
/** Bracketed text that is not an array of strings: an error if valid JSON, else shell form. */
const JSON_OTHER = `\\[[^\\n]*\\]${END}`;

function re(source: string): RegExp {
  return new RegExp(source);
}

/** ci turns a lower-case word into a case-insensitive pattern (moo does not allow the /i flag). */
function ci(word: string): string {
  return [...word].map((c) => `[${c}${c.toUpperCase()}]`).join('');
}

function escapeRe(c: string): string {
  return c === '\\' ? '\\\\' : c;
}

/** unquoteFlag removes quotes and escapes from a flag word the way BuildKit's flag reader does. */
function unquoteFlag(text: string, esc: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== '') {
      if (ch === quote) { quote = ''; continue; }
    } else if (ch === '"' || ch === "'") { quote = ch; continue; }
    if (ch === esc) {
      if (i + 1 === text.length) continue;
      i++;
      out += text[i];
      continue;
    }
    out += ch;
  }
  return out;
}

type Rules = moo.Rules;

/** isSpaceCode is Go's unicode.IsSpace for one UTF-16 code unit. */
function isSpaceCode(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** leadLength counts the blanks a token starts with (tokens carry the blanks before them). */
export function leadLength(text: string): number {
  let i = 0;
  while (i < text.length && isSpaceCode(text.charCodeAt(i))) i++;
  return i;
}

function dropLead(text: string): string {
  const n = leadLength(text);
  return n === 0 ? text : text.slice(n);
}

function buildStates(esc: EscapeChar): Record<string, Rules> {
  const E = escapeRe(esc);
  const USP = USPACE.replace('\\n', '');
  // Every token after the keyword carries the blanks before it, so the grammar never sees
  // whitespace tokens (half the tokens, half the parser work). Blanks before a flag or the
  // first argument may include Unicode spaces after the first blank: BuildKit trims the
  // argument text with Go's strings.TrimSpace. ENV, LABEL and ARG split on Unicode spaces.
  const LEAD = `${BLANK}[${USP}]*`;
  const KVLEAD = `[${USP}]+`;
  const led = (lead: string, body: string, extra: object = {}) => ({ match: re(`${lead}(?:${body})`), value: dropLead, ...extra });
  const flagBody = `--(?:[^ \\t\\r\\v\\f\\n"'${E}]|${E}[^\\n]?|"(?:[^"${E}\\n]|${E}[^\\n]?)*"?|'(?:[^'${E}\\n]|${E}[^\\n]?)*'?)*`;
  const kvBody = `(?:[^${USPACE}"'${E}]|${E}[^\\n]|"(?:[^"${E}\\n]|${E}[^\\n])*"?|'[^'\\n]*'?)+`;
  const TEXT = '[^\\n]+';

  const flagsState = (family: string, first: Rules): Rules => {
    const lead = family === 'kv' ? KVLEAD : LEAD;
    return {
      dashdash: { match: re(`${lead}--(?=${BLANK}|${END})`), next: `${family}Start` },
      flag: { match: re(`${lead}${flagBody}`), value: (t: string) => unquoteFlag(dropLead(t), esc) },
      ...first,
    };
  };
  const states: Record<string, Rules> = {
    main: {
      ...Object.fromEntries(
        Object.entries(KEYWORD_FAMILY).map(([kw, fam]) => [
          `kw_${kw}`,
          { match: re(`${ci(kw)}(?=${BLANK}|${END})`), next: `${fam}Flags` },
        ]),
      ),
      kw_unknown: { match: re(`${NOT_BLANK}+`), next: 'unknownFlags' },
    },
  };
  const shellFirst: Rules = {
    jsonStrings: led(LEAD, JSON_STRINGS, { next: 'done' }),
    jsonOther: led(LEAD, JSON_OTHER, { next: 'done' }),
    text: led(LEAD, TEXT, { next: 'done' }),
  };
  const listFirst: Rules = {
    jsonStrings: led(LEAD, JSON_STRINGS, { next: 'done' }),
    jsonOther: led(LEAD, JSON_OTHER, { next: 'done' }),
    word: led(LEAD, `${NOT_BLANK}+`, { next: 'listRest' }),
  };
  const textFirst: Rules = { text: led(LEAD, TEXT, { next: 'done' }) };
  const wordsFirst: Rules = { word: led(LEAD, `${NOT_BLANK}+`, { next: 'wordsRest' }) };
  const stray = led(`[${USP}]*`, `${E}${END}`);
  const kvFirst: Rules = { stray, kvword: led(KVLEAD, kvBody, { next: 'kvRest' }) };
  const healthFirst: Rules = { healthType: led(LEAD, `${NOT_BLANK}+`, { next: 'shellStart' }) };

  const families: Record<string, Rules> = {
    shell: shellFirst, list: listFirst, words: wordsFirst, kv: kvFirst,
    string: textFirst, health: healthFirst, onbuild: textFirst, unknown: textFirst,
  };
  for (const [fam, first] of Object.entries(families)) {
    states[`${fam}Flags`] = flagsState(fam, first);
    states[`${fam}Start`] = first;
  }
  const restWord = led(`${BLANK}+`, `${NOT_BLANK}+`);
  states.listRest = { word: restWord };
  states.wordsRest = { word: restWord };
  states.kvRest = { stray, kvword: led(KVLEAD, kvBody) };
  states.done = {};
  return states;
}

const lexers = new Map<EscapeChar, moo.Lexer>();

/** lexerFor returns the (shared, stateful) lexer for an escape character. */
export function lexerFor(esc: EscapeChar): moo.Lexer {
  let lx = lexers.get(esc);
  if (!lx) {
    lx = moo.states(buildStates(esc));
    lexers.set(esc, lx);
  }
  return lx;
}

/** lexer is the default (backslash) lexer the compiled grammar names. */
export const lexer: moo.Lexer = lexerFor('\\');
