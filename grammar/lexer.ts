import moo from 'moo';

/**
 * The moo lexer for one Dockerfile instruction line (after the line pass has joined continuation
 * lines and cut off heredoc bodies). It is stateful: the keyword decides which argument syntax
 * follows, so each instruction family has its own flag state and argument states.
 *
 *   main ─keyword─▶ <family>Flags ─first non-flag word─▶ <family>Rest
 *                         │ `--`
 *                         ▼
 *                   <family>Start (leading blanks, then the first argument token)
 *
 * No rule matches a line feed: the line pass never hands one over.
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

function buildStates(esc: EscapeChar): Record<string, Rules> {
  const E = escapeRe(esc);
  const flag = {
    match: re(`--(?:[^ \\t\\r\\v\\f\\n"'${E}]|${E}[^\\n]?|"(?:[^"${E}\\n]|${E}[^\\n]?)*"?|'(?:[^'${E}\\n]|${E}[^\\n]?)*'?)*`),
    value: (t: string) => unquoteFlag(t, esc),
  };
  const ws = { match: re(`${BLANK}+`) };
  const uws = { match: re(`[${USPACE.replace('\\n', '')}]+`) };
  const text = { match: re('[^\\n]+') };
  const word = { match: re(`${NOT_BLANK}+`) };
  const kvword = {
    match: re(`(?:[^${USPACE}"'${E}]|${E}[^\\n]|"(?:[^"${E}\\n]|${E}[^\\n])*"?|'[^'\\n]*'?)+`),
  };
  const stray = { match: re(`${E}${END}`) };
  const jsonStrings = { match: re(JSON_STRINGS) };
  const jsonOther = { match: re(JSON_OTHER) };

  const flagsState = (family: string, first: Rules): Rules => ({
    ws: family === 'kv' ? uws : ws,
    dashdash: { match: re(`--(?=${BLANK}|${END})`), next: `${family}Start` },
    flag,
    ...first,
  });
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
    jsonStrings: { ...jsonStrings, next: 'done' },
    jsonOther: { ...jsonOther, next: 'done' },
    text: { ...text, next: 'done' },
  };
  const listFirst: Rules = {
    jsonStrings: { ...jsonStrings, next: 'done' },
    jsonOther: { ...jsonOther, next: 'done' },
    word: { ...word, next: 'listRest' },
  };
  const textFirst: Rules = { text: { ...text, next: 'done' } };
  const wordsFirst: Rules = { word: { ...word, next: 'wordsRest' } };
  const kvFirst: Rules = { stray, kvword: { ...kvword, next: 'kvRest' } };
  const healthFirst: Rules = { healthType: { ...word, next: 'shellStart' } };

  const families: Record<string, Rules> = {
    shell: shellFirst, list: listFirst, words: wordsFirst, kv: kvFirst,
    string: textFirst, health: healthFirst, onbuild: textFirst, unknown: textFirst,
  };
  for (const [fam, first] of Object.entries(families)) {
    states[`${fam}Flags`] = flagsState(fam, first);
    states[`${fam}Start`] = { ws: fam === 'kv' ? uws : ws, ...first };
  }
  states.listRest = { ws, word };
  states.wordsRest = { ws, word };
  states.kvRest = { ws: uws, stray, kvword };
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
