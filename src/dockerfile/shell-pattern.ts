import { Fail } from './shell-errors.js';

/**
 * Shell patterns of `${V#p}`, `${V%p}` and `${V/p/r}`: `*` (shortest or, greedy, longest run),
 * `?` (one character) and backslash escapes, without bracket expressions, as BuildKit supports them.
 */

/** patternRegex turns a shell pattern (`*`, `?`, `\` escapes) into a regular expression. */
export function patternRegex(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  let out = anchored ? '^' : '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      out += greedy ? '[^\\n]*' : '[^\\n]*?';
    } else if (c === '?') {
      out += '[^\\n]';
    } else if (c === '\\') {
      const n = chars[i + 1];
      // `\}` and `\/` inside ${} are escapes for the ${} syntax, not for the pattern.
      if (n === '}' || n === '/') continue;
      if (n !== '*' && n !== '?' && n !== '\\') {
        throw new Fail('SHELL_BAD_PATTERN', `invalid pattern (${pattern}) in substitution: invalid escape '\\${n ?? ''}'`);
      }
      out += `\\${n}`;
      i++;
    } else if ('[]{}.+()|^$'.includes(c)) {
      out += `\\${c}`;
    } else {
      out += c;
    }
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

/** trimPrefix removes the shortest (or, greedy, longest) prefix matching a pattern. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = patternRegex(pattern, greedy, true).exec(value);
  return m ? value.slice(m.index + m[0].length) : value;
}

/** reversePattern reverses a pattern but keeps each `\x` escape in front of its character. */
function reversePattern(pattern: string): string {
  const p = [...pattern];
  const out = new Array<string>(p.length);
  const last = p.length - 1;
  for (let i = 0; i <= last; ) {
    if (p[i] === '\\' && i !== last) {
      out[last - i - 1] = '\\';
      out[last - i] = p[i + 1]!;
      i += 2;
    } else {
      out[last - i] = p[i]!;
      i++;
    }
  }
  return out.join('');
}

function reverse(s: string): string {
  return [...s].reverse().join('');
}

/** trimSuffix removes the shortest (or, greedy, longest) suffix matching a pattern. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  // A regex cannot find the shortest rightmost match, so reverse both and trim a prefix.
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}
