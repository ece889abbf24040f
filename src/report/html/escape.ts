/** escapeHtml makes text safe inside HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** html is a tagged template that escapes every interpolated value unless it is a Markup value. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += toMarkup(value) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}

/** Markup is HTML that is already safe; only html`` and raw() make one. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** raw marks trusted, already-escaped text (our own CSS, scripts) as Markup. */
export function raw(text: string): Markup {
  return new Markup(text);
}

function toMarkup(value: unknown): string {
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return value.map(toMarkup).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}
