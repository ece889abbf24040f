import { describe, expect, it } from 'vitest';
import { parseHeredocMarker } from '../../../src/dockerfile/heredoc.js';
import { expandWord, expandWords, processWord, referencedVariables, ShellExpansionError } from '../../../src/dockerfile/shell-lex.js';

// The parts of BuildKit's shell lexer that the conformance tables do not cover: the modifiers
// without colon, the pattern modifiers, error messages, options and variable tracking.
describe('modifiers', () => {
  const table: [string, Record<string, string>, string][] = [
    ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', { FOO: '', BAR: 'x' }, ' x ccc'],
    ['${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: '', BAR: 'x' }, 'aaa x ccc'],
    ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: '', BAR: 'x' }, 'aaa bbb '],
    ['${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: '', BAR: 'x' }, ' bbb '],
    ['${FOO?aaa}', { FOO: '' }, ''],
    ['${BAR:?bbb}', { BAR: 'x' }, 'x'],
    ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x'],
    ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx'],
    ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y'],
    ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy'],
    ['${FOO##*x}', { FOO: 'xxyy' }, 'yy'],
    ['${FOO#?\\?}', { FOO: '???y' }, '?y'],
    ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.'],
    ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a'],
    ['${FOO%y*}', { FOO: 'xxyy' }, 'xxy'],
    ['${FOO%%y*}', { FOO: 'xxyy' }, 'xx'],
    ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt'],
    ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt'],
    ['${FOO/$NEEDLE/$R} - ${FOO//$NEEDLE/$R}', { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', R: '/' }, '/foo/b/c.txt - /foo/c.txt'],
    ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt'],
    ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy'],
    ['${FOO///}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO///}', {}, ''],
    ['${KOREAN##*어}', { KOREAN: '한국어한국어' }, ''],
    ['${KOREAN#*어}', { KOREAN: '한국어한국어' }, '한국어'],
  ];
  for (const [input, env, expected] of table) {
    it(`${input} with ${JSON.stringify(env)} → ${JSON.stringify(expected)}`, () => {
      expect(expandWord(input, env)).toBe(expected);
    });
  }

  const errors: [string, Record<string, string>, string, string][] = [
    ['${BAZ?ccc}', {}, 'SHELL_UNSET_VARIABLE', 'BAZ: ccc'],
    ['${BAZ:?}', { BAZ: '' }, 'SHELL_UNSET_VARIABLE', 'BAZ: is not allowed to be empty'],
    ['${BAZ?}', {}, 'SHELL_UNSET_VARIABLE', 'BAZ: is not allowed to be unset'],
    ['${FOO=aaa}', {}, 'SHELL_UNSUPPORTED_MODIFIER', 'unsupported modifier (=) in substitution'],
    ['${FOO:#}', {}, 'SHELL_UNSUPPORTED_MODIFIER', 'unsupported modifier (:#) in substitution'],
    ['${FOO:%%}', {}, 'SHELL_UNSUPPORTED_MODIFIER', 'unsupported modifier (:%) in substitution'],
    ['${FOO//ww}', { FOO: 'x' }, 'SHELL_MISSING_BRACE', "syntax error: missing '/' in ${}"],
    ['${}', {}, 'SHELL_BAD_SUBSTITUTION', 'syntax error: bad substitution'],
    ['${aaa', {}, 'SHELL_MISSING_BRACE', "syntax error: missing '}'"],
    ["'open", {}, 'SHELL_UNTERMINATED_QUOTE', 'unexpected end of statement while looking for matching single-quote'],
    ['${FOO#\\x}', { FOO: 'x' }, 'SHELL_BAD_PATTERN', "invalid pattern (\\x) in substitution: invalid escape '\\x'"],
  ];
  for (const [input, env, code, reason] of errors) {
    it(`${input} fails with ${code}`, () => {
      let err: unknown;
      try {
        expandWord(input, env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ShellExpansionError);
      expect((err as ShellExpansionError).code).toBe(code);
      expect((err as ShellExpansionError).reason).toBe(reason);
      expect((err as ShellExpansionError).message).toBe(`failed to process ${JSON.stringify(input)}: ${reason}`);
    });
  }
});

describe('options and tracking', () => {
  it('tracks matched and unmatched variables', () => {
    const r = processWord('${ABC:-.}${FOO%x}$BAR', new Map([['FOO', 'xxyy'], ['BAR', '']]));
    expect([...r.matched].sort()).toEqual(['BAR', 'FOO']);
    expect([...r.unmatched]).toEqual(['ABC']);
    expect(referencedVariables('$A ${B:-$C} \\$D', { A: '1' })).toEqual(['A', 'B', 'C']);
  });

  it('expands with a backtick escape character', () => {
    expect(expandWord('c:\\dir `$HOME', { HOME: '/h' }, '`')).toBe('c:\\dir $HOME');
    expect(expandWords('a` b c', {}, '`')).toEqual(['a b', 'c']);
  });

  it('leaves unset variables and quotes when asked', () => {
    const r = processWord('"$X" ${Y:-z} $Z', { Z: 'set' }, { skipUnsetEnv: true, rawQuotes: true });
    expect(r.result).toBe('"$X" ${Y:-z} set');
  });

  it('splits on whitespace from unquoted variables only', () => {
    expect(expandWords('a${S}b "${S}"', { S: ' x  y ' })).toEqual(['a', 'x', 'y', 'b', ' x  y ']);
  });
});

describe('heredoc markers', () => {
  it('reads names, fd numbers, chomping and quoting', () => {
    expect(parseHeredocMarker('<<EOF')).toEqual({ name: 'EOF', fileDescriptor: 0, expand: true, chomp: false });
    expect(parseHeredocMarker('<<-EOF')).toEqual({ name: 'EOF', fileDescriptor: 0, expand: true, chomp: true });
    expect(parseHeredocMarker('3<<"A"')).toEqual({ name: 'A', fileDescriptor: 3, expand: false, chomp: false });
    expect(parseHeredocMarker("<<eo'f'")).toEqual({ name: 'eof', fileDescriptor: 0, expand: false, chomp: false });
    expect(parseHeredocMarker('<< EOF')).toEqual({ name: 'EOF', fileDescriptor: 0, expand: true, chomp: false });
    expect(parseHeredocMarker('<<')).toBeNull();
    expect(parseHeredocMarker('x<<EOF')).toBeNull();
    expect(parseHeredocMarker('<<A<B')).toBeNull();
  });
});
