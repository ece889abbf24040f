import { html, type Markup } from './escape.js';

/** BarSegment is one coloured part of a bar; `kind` picks its colour class (`seg-<kind>`). */
export interface BarSegment {
  value: number;
  kind: string;
  title: string;
}

/** Bar is one row of a bar chart: a label, coloured segments laid end to end, and a value text. */
export interface Bar {
  label: string;
  href?: string;
  segments: BarSegment[];
  valueText: string;
}

/**
 * renderBarChart draws horizontal bars scaled to the longest one. Each bar is an inline SVG that
 * stretches to the row's width (viewBox 0..1000, preserveAspectRatio none), so it stays crisp and
 * readable on a phone and a desktop while labels remain HTML text.
 */
export function renderBarChart(bars: readonly Bar[], caption: string, legend: ReadonlyArray<{ kind: string; label: string }>): Markup {
  const longest = Math.max(1, ...bars.map((bar) => bar.segments.reduce((sum, seg) => sum + seg.value, 0)));
  const rows = bars.map((bar) => {
    let x = 0;
    const rects = bar.segments.map((seg) => {
      // a non-empty segment is drawn at least 2 units wide so small layers stay visible
      const width = seg.value <= 0 ? 0 : Math.max(2, (seg.value / longest) * 1000);
      const rect = html`<rect class="seg seg-${seg.kind}" x="${x.toFixed(1)}" y="0" width="${width.toFixed(1)}" height="24"><title>${seg.title}</title></rect>`;
      x += width;
      return rect;
    });
    const label = bar.href ? html`<a href="${bar.href}">${bar.label}</a>` : html`${bar.label}`;
    return html`<div class="bar-row" role="listitem"><span class="bar-label">${label}</span><svg class="bar" viewBox="0 0 1000 24" preserveAspectRatio="none" aria-hidden="true"><rect class="track" x="0" y="0" width="1000" height="24"></rect>${rects}</svg><span class="bar-value">${bar.valueText}</span></div>`;
  });
  const keys = legend.map((item) => html`<span class="key"><i class="swatch seg-${item.kind}"></i>${item.label}</span>`);
  return html`<figure class="chart"><div class="bars" role="list">${rows}</div><figcaption>${caption}<span class="legend">${keys}</span></figcaption></figure>`;
}
