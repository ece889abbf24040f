import { StrataError } from '../util/errors.js';

/** ShellExpansionError codes, sorted. */
export type ShellErrorCode =
  | 'SHELL_BAD_PATTERN'
  | 'SHELL_BAD_SUBSTITUTION'
  | 'SHELL_MISSING_BRACE'
  | 'SHELL_UNSET_VARIABLE'
  | 'SHELL_UNSUPPORTED_MODIFIER'
  | 'SHELL_UNTERMINATED_QUOTE';

/** ShellExpansionError is a word that cannot be expanded (`${`, `${V:?}` with V unset...). */
export class ShellExpansionError extends StrataError {
  readonly reason: string;
  readonly word: string;
  constructor(code: ShellErrorCode, reason: string, word: string) {
    super(code, `failed to process ${JSON.stringify(word)}: ${reason}`);
    this.reason = reason;
    this.word = word;
  }
}

/** Fail is a lexer error before it is wrapped with the word it concerns. */
export class Fail extends Error {
  constructor(readonly code: ShellErrorCode, message: string) {
    super(message);
  }
}
