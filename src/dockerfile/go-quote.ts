/**
 * goQuote quotes a string the way Go's strconv.Quote does: the format of BuildKit's AST dump.
 * Printable characters (Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and
 * the ASCII space) stay as they are; the rest become \a \b \f \n \r \t \v, \xHH, \uHHHH or
 * \UHHHHHHHH. A lone surrogate (no UTF-8 form) prints as \ufffd.
 */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SIMPLE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

export function goQuote(s: string): string {
  if (SIMPLE.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x80) {
      out += cp >= 0x20 && cp < 0x7f ? ch : `\\x${cp.toString(16).padStart(2, '0')}`;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\ufffd';
    } else if (PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp <= 0xffff) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else {
      out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}
