import type { Instruction } from '../dockerfile/ir.js';
import { processWord } from '../dockerfile/shell-lex.js';

/**
 * instructionText is the instruction as BuildKit names its step: the source line(s) with line
 * continuations joined, the keyword upper-cased, variables expanded (left as written when the
 * expansion fails). A heredoc instruction shows only its first line.
 */
export function instructionText(source: string, ins: Instruction, vars: ReadonlyMap<string, string>, escape: '\\' | '`'): string {
  const lines = source.split(/\r?\n/);
  const hasHeredoc = 'heredocs' in ins && ins.heredocs.length > 0;
  const last = hasHeredoc ? ins.range.start.line : ins.range.end.line;
  const parts: string[] = [];
  for (let l = ins.range.start.line; l <= last; l++) {
    let t = lines[l - 1] ?? '';
    if (l === ins.range.start.line) t = t.slice(ins.range.start.column - 1);
    const trimmed = t.trimEnd();
    if (l < last && trimmed.endsWith(escape)) {
      parts.push(trimmed.slice(0, -1).trim());
    } else if (trimmed.trimStart().startsWith('#')) {
      continue;
    } else parts.push(trimmed.trim());
  }
  const raw = parts.filter((p) => p !== '').join(' ');
  const sp = raw.indexOf(' ');
  const keyword = (sp < 0 ? raw : raw.slice(0, sp)).toUpperCase();
  const rest = sp < 0 ? '' : raw.slice(sp + 1);
  if (ins.kind === 'run' || ins.kind === 'cmd' || ins.kind === 'entrypoint' || ins.kind === 'healthcheck' || ins.kind === 'shell' || ins.kind === 'onbuild') {
    return rest === '' ? keyword : `${keyword} ${rest}`;
  }
  let expanded = rest;
  try {
    expanded = processWord(rest, vars, { escape }).result;
  } catch {
    expanded = rest;
  }
  return expanded === '' ? keyword : `${keyword} ${expanded}`;
}
