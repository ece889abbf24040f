import { html, raw, type Markup } from './escape.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_CSS } from './styles.js';

/** SummaryCard is one headline figure at the top of a report. */
export interface SummaryCard {
  key: string;
  value: string;
  sub?: string;
  tone?: 'good' | 'bad';
}

/** HtmlSection is one titled panel of a report; `body` is Markup made with html``. */
export interface HtmlSection {
  id: string;
  title: string;
  body: Markup;
}

/** HtmlPage is a whole report: layer reports and build reports are both one of these. */
export interface HtmlPage {
  title: string;
  subtitle?: string;
  cards?: SummaryCard[];
  sections: HtmlSection[];
  /** generated: when the report was made (printed in the footer). */
  generated?: Date;
}

/**
 * renderHtmlPage writes a single self-contained HTML document: styles and script inline, charts
 * as inline SVG, no external request of any kind, so it opens offline and can be mailed or
 * archived as a CI artifact.
 */
export function renderHtmlPage(page: HtmlPage): string {
  const cards = (page.cards ?? []).map(
    (card) => html`<div class="card${card.tone ? ` ${card.tone}` : ''}"><div class="k">${card.key}</div><div class="v">${card.value}</div>${card.sub ? html`<div class="s">${card.sub}</div>` : ''}</div>`,
  );
  const sections = page.sections.map((section) => html`<section id="${section.id}"><h2>${section.title}</h2>${section.body}</section>`);
  const generated = page.generated ?? new Date();
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${page.title}</title>
<style>${raw(PAGE_CSS)}</style>
</head>
<body>
<header class="top"><h1>${page.title}</h1>${page.subtitle ? html`<p>${page.subtitle}</p>` : ''}</header>
<main>
${cards.length > 0 ? html`<div class="cards">${cards}</div>` : ''}
${sections}
</main>
<footer>strata report · ${generated.toISOString()}</footer>
<script>${raw(PAGE_SCRIPT)}</script>
</body>
</html>
`;
  return doc.value;
}
