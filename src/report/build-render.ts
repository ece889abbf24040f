import { DURATION_PARTS, PART_LABELS, type BuildReport, type BuildStepView } from './build-model.js';
import { formatBytes, formatDuration, keyValues, table, truncate } from './format.js';
import { html, type Markup } from './html/escape.js';
import { renderGantt } from './html/gantt.js';
import { renderHtmlPage } from './html/page.js';

/** renderBuildReportJson is the build report as indented JSON with a final newline. */
export function renderBuildReportJson(report: BuildReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** renderBuildReportText: the build's outcome, then one row per step with status, reason, time and layer size. */
export function renderBuildReportText(report: BuildReport, options: { width?: number } = {}): string {
  const width = Math.max(70, options.width ?? 110);
  const head = keyValues([
    ['Build:', `${report.id} (${report.status === 'done' ? 'done' : 'FAILED'}) at ${new Date(report.started).toISOString()}`],
    ['Dockerfile:', `${report.file}${report.target ? ` --target ${report.target}` : ''} (${report.platform})`],
    ['Result:', report.imageId ? `${report.imageId}${report.tags.length ? ` tagged ${report.tags.join(', ')}` : ''}` : (report.error ?? 'no image')],
    ['Steps:', `${report.counts.steps} (${report.counts.cached} cached, ${report.counts.built} built${report.counts.failed ? `, ${report.counts.failed} failed` : ''}) in ${formatDuration(report.durationMs)}`],
  ]);
  const rows = report.steps.map((step) => [
    statusWord(step),
    formatDuration(step.durationMs),
    step.layerSize !== undefined ? formatBytes(step.layerSize) : '-',
    truncate(step.name, Math.floor(width * 0.45)),
    truncate(step.reason ?? (step.status === 'cached' ? 'cache hit' : ''), Math.floor(width * 0.3)),
  ]);
  const lines = [head, '', table(['STATUS', 'TIME', 'LAYER', 'STEP', 'WHY'], rows, new Set([1, 2]))];
  const withParts = report.steps.filter((step) => step.parts && Object.keys(step.parts).length > 0);
  if (withParts.length > 0) {
    lines.push('', 'Where the time went');
    for (const step of withParts) {
      const parts = DURATION_PARTS.filter((part) => step.parts?.[part] !== undefined).map((part) => `${PART_LABELS[part]} ${formatDuration(step.parts?.[part] ?? 0)}`);
      lines.push(`  ${truncate(step.name, 50)}: ${parts.join(', ')}`);
    }
  }
  if (report.error) lines.push('', `Error: ${report.error}`);
  return `${lines.join('\n')}\n`;
}

/**
 * renderBuildReportHtml: headline cards, the timeline (stages that ran in parallel overlap), and
 * the steps table with cache status, reason, duration split and layer size. One offline file.
 */
export function renderBuildReportHtml(report: BuildReport, options: { generated?: Date } = {}): string {
  const gantt = renderGantt(
    report.steps.map((step) => ({
      label: step.name,
      group: step.stage || 'build',
      startMs: step.startMs,
      durationMs: step.durationMs,
      kind: step.status,
      title: `${step.name}: ${step.status}${step.reason ? ` (${step.reason})` : ''}, ${formatDuration(step.durationMs)}`,
      ...(step.parts ? { pieces: DURATION_PARTS.filter((p) => step.parts?.[p] !== undefined).map((p) => ({ kind: p, ms: step.parts?.[p] ?? 0, title: `${PART_LABELS[p]} ${formatDuration(step.parts?.[p] ?? 0)}` })) } : {}),
    })),
    report.durationMs,
    report.timesEstimated
      ? 'Start times estimated from each step’s duration, its stage order and the stages it uses (the record has durations only).'
      : 'Each bar is one step from its start to its end; bars of different stages that overlap ran in parallel.',
  );
  return renderHtmlPage({
    title: `Build ${report.id.slice(0, 12)}`,
    subtitle: report.imageId ? `${report.file} → ${report.imageId}${report.tags.length ? ` (${report.tags.join(', ')})` : ''}` : `${report.file}: ${report.error ?? 'failed'}`,
    cards: [
      { key: 'Duration', value: formatDuration(report.durationMs), sub: new Date(report.started).toISOString() },
      { key: 'Steps', value: String(report.counts.steps), sub: report.platform },
      { key: 'Cached', value: String(report.counts.cached), tone: 'good' },
      { key: 'Built', value: String(report.counts.built), ...(report.counts.failed ? { sub: `${report.counts.failed} failed`, tone: 'bad' as const } : {}) },
    ],
    sections: [
      { id: 'timeline', title: 'Timeline', body: gantt },
      { id: 'steps', title: 'Steps', body: stepsTable(report.steps) },
      ...(report.error ? [{ id: 'error', title: 'Error', body: html`<pre>${report.error}</pre>` }] : []),
    ],
    ...(options.generated ? { generated: options.generated } : {}),
  });
}

function stepsTable(steps: readonly BuildStepView[]): Markup {
  const rows = steps.map((step) => {
    const parts = step.parts
      ? DURATION_PARTS.filter((p) => step.parts?.[p] !== undefined).map((p) => html`<div>${PART_LABELS[p]} ${formatDuration(step.parts?.[p] ?? 0)}</div>`)
      : '';
    return html`<tr class="step ${step.status}"><td><span class="status ${step.status}">${statusWord(step)}</span></td><td class="path">${step.name}</td><td>${step.reason ?? (step.status === 'cached' ? 'cache hit' : '')}${step.error ? html`<div class="note">${step.error}</div>` : ''}</td><td class="num">${formatDuration(step.durationMs)}${parts}</td><td class="num">${step.layerSize !== undefined ? formatBytes(step.layerSize) : '–'}</td></tr>`;
  });
  return html`<div class="table-wrap"><table class="steps"><thead><tr><th>Status</th><th>Step</th><th>Why</th><th class="num">Time</th><th class="num">Layer</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function statusWord(step: BuildStepView): string {
  return step.status === 'base' ? 'FROM' : step.status.toUpperCase();
}
