/**
 * Hints for syntax errors: "did you mean" suggestions by edit distance, and the detection of a
 * forgotten line continuation (an "instruction" that is really the rest of a shell command).
 */

/** editDistance is the optimal-string-alignment distance (a swap of neighbours counts 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/** suggest returns the closest candidate within a small distance, or undefined. */
export function suggest(word: string, candidates: readonly string[], caseInsensitive = true): string | undefined {
  const w = caseInsensitive ? word.toLowerCase() : word;
  const limit = Math.max(1, Math.min(2, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, caseInsensitive ? c.toLowerCase() : c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** Shell words that can never start an instruction but often follow a missing `\`. */
const SHELL_CONTINUATIONS = new Set(['&&', '||', '|', ';', ';;', 'fi', 'done', 'then', 'else', 'elif', 'do', 'esac', '}', ')']);
const COMMAND_LIKE = /^[a-z][a-z0-9._/+-]*$/;

/**
 * looksLikeShellContinuation tells whether an unknown keyword is probably the next line of a
 * shell command whose previous line lacks its continuation escape. `afterShell` says whether the
 * instruction before it runs a shell command (RUN, or CMD/ENTRYPOINT in shell form).
 */
export function looksLikeShellContinuation(keyword: string, afterShell: boolean): boolean {
  if (SHELL_CONTINUATIONS.has(keyword)) return true;
  return afterShell && (keyword.startsWith('&&') || keyword.startsWith('||') || COMMAND_LIKE.test(keyword));
}
