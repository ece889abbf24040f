import { formatDuration } from '../format.js';
import { html, type Markup } from './escape.js';

/** GanttPiece is a coloured part of a bar (a duration part), as a fraction of the bar. */
export interface GanttPiece {
  kind: string;
  ms: number;
  title: string;
}

/** GanttRow is one bar: where it starts and how long it runs, in ms from the chart's origin. */
export interface GanttRow {
  label: string;
  group: string;
  startMs: number;
  durationMs: number;
  kind: string;
  title: string;
  pieces?: GanttPiece[];
}

/**
 * renderGantt draws a timeline: one row per bar, grouped under their group's heading (a build
 * stage), bars placed by percentage so the chart fits any width. Bars that overlap in time across
 * groups show what ran in parallel.
 */
export function renderGantt(rows: readonly GanttRow[], totalMs: number, caption: string): Markup {
  const span = Math.max(1, totalMs, ...rows.map((row) => row.startMs + row.durationMs));
  const pct = (ms: number): string => `${Math.min(100, Math.max(0, (ms / span) * 100)).toFixed(3)}%`;
  const groups: Array<{ name: string; rows: GanttRow[] }> = [];
  for (const row of rows) {
    const last = groups[groups.length - 1];
    if (last && last.name === row.group) last.rows.push(row);
    else groups.push({ name: row.group, rows: [row] });
  }
  const body = groups.map(
    (group) => html`<div class="g-group" role="group" aria-label="${group.name}"><div class="g-head">${group.name}</div>${group.rows.map((row) => {
      const pieces =
        row.pieces && row.pieces.length > 0
          ? row.pieces.map((piece) => html`<i class="g-piece part-${piece.kind}" style="flex:${Math.max(piece.ms, 0.001)}" title="${piece.title}"></i>`)
          : '';
      return html`<div class="g-row"><span class="g-label" title="${row.label}">${row.label}</span><div class="g-track"><div class="g-bar ${row.kind}" style="left:${pct(row.startMs)};width:${pct(row.durationMs)}" title="${row.title}">${pieces}</div></div></div>`;
    })}</div>`,
  );
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => html`<span>${formatDuration(span * f)}</span>`);
  return html`<figure class="gantt"><div class="g-body">${body}</div><div class="g-axis">${ticks}</div><figcaption>${caption}</figcaption></figure>`;
}
