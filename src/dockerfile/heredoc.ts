import { processWord } from './shell-lex.js';

/**
 * Heredoc markers on an instruction line, found as BuildKit finds them: the line is cut into
 * shell words (quotes and escapes kept), and each word shaped like `[fd]<<[-]WORD` is a marker.
 * Quoting any part of WORD turns expansion of the body off.
 */

/** HeredocMarker is one `<<WORD` of a line, before its body is read. */
export interface HeredocMarker {
  name: string;
  fileDescriptor: number;
  expand: boolean;
  chomp: boolean;
}

const MARKER = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const NO_ENV = new Map<string, string>();

function countQuotes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 39) n++;
  }
  return n;
}

/** parseHeredocMarker reads one word as a heredoc marker, or returns null if it is not one. */
export function parseHeredocMarker(word: string): HeredocMarker | null {
  const m = MARKER.exec(word);
  if (!m || m[3] === '') return null;
  const rest = m[3]!;
  const words = processWord(rest, NO_ENV, { skipUnsetEnv: true }).words;
  if (words.length !== 1) return null;
  const rawWords = processWord(rest, NO_ENV, { skipUnsetEnv: true, rawQuotes: true }).words;
  const name = words[0]!;
  return {
    name,
    fileDescriptor: m[1] ? Number.parseInt(m[1], 10) : 0,
    expand: countQuotes(name) === countQuotes(rawWords[0] ?? ''),
    chomp: m[2] === '-',
  };
}

/** heredocsFromLine lists the heredoc markers of a joined instruction line, in order. */
export function heredocsFromLine(line: string): HeredocMarker[] {
  let words: string[];
  try {
    words = processWord(line, NO_ENV, { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }).words;
  } catch {
    // BuildKit ignores a line its shell lexer cannot cut into words: no heredocs.
    return [];
  }
  const out: HeredocMarker[] = [];
  for (const w of words) {
    if (!w.includes('<<')) continue;
    const h = parseHeredocMarker(w);
    if (h) out.push(h);
  }
  return out;
}

/**
 * heredocContent is a heredoc's body as it is used: with `<<-`, leading tabs are removed from
 * every line (BuildKit's ChompHeredocContent); otherwise the body as written.
 */
export function heredocContent(h: { content: string; chomp: boolean }): string {
  return h.chomp ? h.content.replace(/^\t+/gm, '') : h.content;
}
