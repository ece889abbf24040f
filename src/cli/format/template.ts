import { InvalidArgumentError } from '../../util/errors.js';

/**
 * A small Go text/template for `--format`: `{{.Field}}`, `{{.A.B}}`, `{{json .}}`, `{{json .X}}`,
 * `{{join .X ","}}`, `{{index .Labels "k"}}`, `{{upper .X}}`, `{{lower .X}}`, `{{len .X}}`,
 * `{{println .X}}`, and `\t` / `\n` escapes as the docker CLI accepts them. Values print as Go does
 * (`[a b]`, `map[k:v]`, `<no value>`).
 */
export type TemplateValue = unknown;

interface Action {
  fn?: string;
  args: string[];
}

type Part = string | Action;

/** compileTemplate parses a template once; call the result per row. */
export function compileTemplate(text: string): (data: TemplateValue) => string {
  const parts = parse(text.replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
  return (data) => parts.map((p) => (typeof p === 'string' ? p : evaluate(p, data))).join('');
}

/** templateFields lists the top-level fields a template uses, in order (for table headers). */
export function templateColumns(text: string): { header: string[]; row: string } {
  const cells = text.replace(/\\t/g, '\t').split('\t');
  return { header: cells.map((c) => /{{\s*(?:\w+\s+)?\.(\w+)/.exec(c)?.[1] ?? c.trim()), row: cells.join('\t') };
}

function parse(text: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const close = text.indexOf('}}', open);
    if (close < 0) throw new InvalidArgumentError(`template: unclosed action in ${JSON.stringify(text)}`);
    const body = text.slice(open + 2, close).replace(/^-\s*/, '').replace(/\s*-$/, '').trim();
    const tokens = body.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
    if (tokens.length === 0) throw new InvalidArgumentError('template: empty action');
    if (tokens[0]!.startsWith('.')) parts.push({ args: tokens });
    else parts.push({ fn: tokens[0]!, args: tokens.slice(1) });
    i = close + 2;
  }
  return parts;
}

function evaluate(a: Action, data: TemplateValue): string {
  const vals = a.args.map((t) => arg(t, data));
  switch (a.fn) {
    case undefined:
      return goString(vals[0]);
    case 'json':
      return goJSON(vals[0]);
    case 'join':
      return Array.isArray(vals[0]) ? vals[0].map(goString).join(String(vals[1] ?? '')) : goString(vals[0]);
    case 'index': {
      const [obj, key] = vals;
      if (obj && typeof obj === 'object') return goString((obj as Record<string, unknown>)[String(key)]);
      return '<no value>';
    }
    case 'upper':
      return goString(vals[0]).toUpperCase();
    case 'lower':
      return goString(vals[0]).toLowerCase();
    case 'len':
      return String(Array.isArray(vals[0]) ? vals[0].length : vals[0] && typeof vals[0] === 'object' ? Object.keys(vals[0]).length : goString(vals[0]).length);
    case 'println':
      return `${vals.map(goString).join(' ')}\n`;
    default:
      throw new InvalidArgumentError(`template: function "${a.fn}" not defined`);
  }
}

function arg(token: string, data: TemplateValue): unknown {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (token === '.') return data;
  if (!token.startsWith('.')) throw new InvalidArgumentError(`template: unexpected "${token}"`);
  let v: unknown = data;
  for (const key of token.slice(1).split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** goString prints a value as Go's fmt %v would for the JSON-shaped values we template. */
export function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `map[${keys.map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** goJSON is JSON as Go's encoding/json writes it (HTML characters escaped). */
export function goJSON(v: unknown): string {
  return (JSON.stringify(v) ?? 'null').replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
