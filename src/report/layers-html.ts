import { formatBytes, formatPercent, truncate } from './format.js';
import { renderBarChart } from './html/bar-chart.js';
import { html, type Markup } from './html/escape.js';
import { renderFileTree } from './html/file-tree.js';
import { renderHtmlPage, type HtmlSection, type SummaryCard } from './html/page.js';
import type { ReportSubject } from './subject.js';
import type { LayerReport, LayerSummary } from './types.js';

/** LayersHtmlOptions: caps on the drawn tree (per layer) and the waste table. */
export interface LayersHtmlOptions {
  treeLimit?: number;
  inefficiencies?: number;
  generated?: Date;
}

/**
 * renderLayerReportHtml makes the self-contained HTML layer report: headline cards, a layer size
 * chart (bytes still visible vs. bytes later layers hide), the wasted-space table, and each layer
 * with its created-by, biggest files and a collapsible file tree of what it added, modified and removed.
 */
export function renderLayerReportHtml(report: LayerReport, subject?: ReportSubject, options: LayersHtmlOptions = {}): string {
  return renderHtmlPage({
    title: subject ? `Layers of ${subject.name}` : 'Layer report',
    ...(subject?.id ? { subtitle: subject.id } : {}),
    cards: layerCards(report),
    sections: layerSections(report, options),
    ...(options.generated ? { generated: options.generated } : {}),
  });
}

/** layerCards are the headline figures: size, efficiency, wasted bytes, user wasted percent, layers. */
export function layerCards(report: LayerReport): SummaryCard[] {
  return [
    { key: 'Total size', value: formatBytes(report.sizeBytes), sub: `${formatBytes(report.compressedSizeBytes)} compressed` },
    { key: 'Efficiency', value: formatPercent(report.efficiency), tone: report.efficiency >= 0.9 ? 'good' : 'bad' },
    { key: 'Wasted', value: formatBytes(report.wastedBytes), sub: 'overwritten or removed by later layers', ...(report.wastedBytes > 0 ? { tone: 'bad' as const } : {}) },
    { key: 'Dive wasted', value: formatBytes(report.diveWastedBytes), sub: `${report.inefficiencies.filter((item) => item.cumulativeBytes > 0).length} paths in several layers` },
    { key: 'User wasted', value: formatPercent(report.userWastedPercent), sub: `of ${formatBytes(report.userSizeBytes)} above the base` },
    { key: 'Layers', value: String(report.layers.length), sub: `${formatBytes(report.wastedBytes)} hidden by later layers` },
  ];
}

/** layerSections are the report's panels, reusable inside a build report. */
export function layerSections(report: LayerReport, options: LayersHtmlOptions = {}): HtmlSection[] {
  const chart = renderBarChart(
    report.layers.map((layer) => ({
      label: `#${layer.index + 1} ${truncate(layer.createdBy, 60)}`,
      href: `#layer-${layer.index + 1}`,
      valueText: formatBytes(layer.sizeBytes),
      segments: [
        { kind: 'kept', value: layer.sizeBytes - layer.hiddenLaterBytes, title: `${formatBytes(layer.sizeBytes - layer.hiddenLaterBytes)} still visible in the image` },
        { kind: 'hidden', value: layer.hiddenLaterBytes, title: `${formatBytes(layer.hiddenLaterBytes)} overwritten or removed by later layers` },
      ],
    })),
    'Uncompressed bytes each layer adds.',
    [
      { kind: 'kept', label: 'visible in the image' },
      { kind: 'hidden', label: 'hidden by a later layer (waste)' },
    ],
  );
  return [
    { id: 'sizes', title: 'Layer sizes', body: chart },
    { id: 'waste', title: 'Wasted space', body: wasteTable(report, options.inefficiencies ?? 100) },
    { id: 'layers', title: 'Layers', body: html`${report.layers.map((layer) => layerPanel(layer, options.treeLimit ?? 2000))}` },
  ];
}

function wasteTable(report: LayerReport, limit: number): Markup {
  // paths seen twice at 0 bytes (an empty directory listed again) waste nothing: counted, not listed
  const costly = report.inefficiencies.filter((item) => item.cumulativeBytes > 0);
  if (costly.length === 0) return html`<p class="note">No bytes are written by more than one layer: nothing is wasted.</p>`;
  const rows = costly
    .slice(0, limit)
    .map((item) => html`<tr><td class="num">${item.occurrences}</td><td class="num">${formatBytes(item.cumulativeBytes)}</td><td class="path">${item.path}</td></tr>`);
  const more = costly.length > limit ? html`<p class="note">… and ${costly.length - limit} more paths.</p>` : '';
  return html`<div class="table-wrap"><table class="waste"><thead><tr><th class="num">Count</th><th class="num">Total space</th><th>Path</th></tr></thead><tbody>${rows}</tbody></table></div>${more}<p class="note">Paths written by several layers (a removal counts). As in dive, their whole space counts as wasted.</p>`;
}

function layerPanel(layer: LayerSummary, treeLimit: number): Markup {
  const n = layer.index + 1;
  const biggest =
    layer.biggestFiles.length === 0
      ? ''
      : html`<div class="table-wrap"><table class="biggest"><thead><tr><th class="num">Size</th><th>Biggest files</th></tr></thead><tbody>${layer.biggestFiles.map(
          (file) => html`<tr><td class="num">${formatBytes(file.sizeBytes)}</td><td class="path">/${file.path}</td></tr>`,
        )}</tbody></table></div>`;
  const ids = [layer.digest ? `digest ${layer.digest}` : '', layer.diffID ? `diffID ${layer.diffID}` : ''].filter(Boolean).join(' · ');
  return html`<details class="layer" id="layer-${n}">
<summary><span class="idx">#${n}</span><span class="cmd">${layer.createdBy || '(no history)'}</span><span class="counts"><span class="a">+${layer.filesAdded}</span> <span class="m">~${layer.filesModified}</span> <span class="r">−${layer.filesRemoved}</span></span><span class="counts">${formatBytes(layer.sizeBytes)}</span></summary>
<div class="layer-body"><pre>${layer.createdBy}</pre>${ids ? html`<p class="meta">${ids}</p>` : ''}
<p class="meta">${formatBytes(layer.sizeBytes)} uncompressed, ${formatBytes(layer.compressedSize)} compressed; hides ${formatBytes(layer.removedBytes)} of lower layers; ${formatBytes(layer.hiddenLaterBytes)} of it hidden later.</p>
${biggest}
<div class="toolbar" data-tree-tools><button type="button" data-expand>Expand all</button><button type="button" data-collapse>Collapse all</button><input type="search" placeholder="Filter paths" aria-label="Filter paths in layer ${n}"></div>
${renderFileTree(layer.changes, { limit: treeLimit })}
</div>
</details>`;
}
