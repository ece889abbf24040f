import nearley from 'nearley';
import grammar from '../../grammar/dockerfile-grammar.js';
import { lexerFor, type EscapeChar } from '../../grammar/lexer.js';
import type { RawInstruction } from '../../grammar/syntax.js';

/**
 * parseInstructionLine runs the moo lexer and the nearley grammar over one joined instruction
 * line. The grammar is unambiguous, so exactly one result is expected; a parser per escape
 * character is built once and rewound (save/restore) for each line, which keeps the per-line
 * cost to the tokens themselves.
 */

interface Rewindable {
  parser: nearley.Parser;
  start: ReturnType<nearley.Parser['save']>;
}

const parsers = new Map<EscapeChar, Rewindable>();

function parserFor(esc: EscapeChar): Rewindable {
  let p = parsers.get(esc);
  if (!p) {
    const g = nearley.Grammar.fromCompiled({ ...grammar, Lexer: lexerFor(esc) } as unknown as nearley.CompiledRules);
    const parser = new nearley.Parser(g);
    p = { parser, start: parser.save() };
    parsers.set(esc, p);
  }
  return p;
}

/** GrammarFailure: the grammar found no parse (or several); a bug, never a user error. */
export class GrammarFailure extends Error {}

/** parseInstructionLine parses a trimmed, non-empty instruction line. */
export function parseInstructionLine(text: string, esc: EscapeChar): RawInstruction {
  const { parser, start } = parserFor(esc);
  parser.restore(start);
  try {
    parser.feed(text);
  } catch (err) {
    throw new GrammarFailure(`grammar rejected ${JSON.stringify(text)}: ${(err as Error).message.split('\n')[0]}`);
  }
  const results = parser.results as RawInstruction[];
  if (results.length !== 1) {
    throw new GrammarFailure(`grammar produced ${results.length} parses for ${JSON.stringify(text)}`);
  }
  return results[0]!;
}
