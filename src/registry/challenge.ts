/**
 * Challenge is one parsed `WWW-Authenticate` header: the scheme (`basic` or `bearer`, lowercased)
 * and its parameters (realm, service, scope, error...).
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * parseChallenges reads a WWW-Authenticate header value (RFC 7235: `Scheme k="v", k2=v2`,
 * possibly several challenges separated by commas) into challenges. Quoted values may hold
 * commas and backslash escapes.
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const value of values) {
    let i = 0;
    let current: Challenge | undefined;
    const s = value;
    const skipWs = (): void => {
      while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
    };
    while (i < s.length) {
      skipWs();
      const tokStart = i;
      while (i < s.length && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(s[i]!)) i++;
      const token = s.slice(tokStart, i);
      if (!token) { i++; continue; }
      let j = i;
      while (j < s.length && s[j] === ' ') j++;
      if (s[j] === '=') {
        // a parameter of the current challenge
        i = j + 1;
        while (i < s.length && s[i] === ' ') i++;
        let val = '';
        if (s[i] === '"') {
          i++;
          while (i < s.length && s[i] !== '"') {
            if (s[i] === '\\' && i + 1 < s.length) i++;
            val += s[i];
            i++;
          }
          i++;
        } else {
          const vs = i;
          while (i < s.length && s[i] !== ',') i++;
          val = s.slice(vs, i).trim();
        }
        if (current) current.params[token.toLowerCase()] = val;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
      }
    }
  }
  return out;
}
