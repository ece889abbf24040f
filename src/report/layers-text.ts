import { formatBytes, formatPercent, keyValues, table, truncate } from './format.js';
import type { ReportSubject } from './subject.js';
import type { LayerReport } from './types.js';

/** LayersTextOptions: how many inefficient paths and biggest files per layer to print. */
export interface LayersTextOptions {
  inefficiencies?: number;
  biggestFiles?: number;
  /** width: the terminal width; long created-by text is cut to fit. */
  width?: number;
}

/** renderLayerReportText lays a layer report out for a terminal: summary, layer table, biggest files, waste table. */
export function renderLayerReportText(report: LayerReport, subject?: ReportSubject, options: LayersTextOptions = {}): string {
  const width = Math.max(60, options.width ?? 100);
  const out: string[] = [];
  if (subject) out.push(`Image: ${subject.name}${subject.id ? ` (${subject.id})` : ''}`, '');
  out.push(
    keyValues([
      ['Total size:', `${formatBytes(report.sizeBytes)} in ${report.layers.length} layer${report.layers.length === 1 ? '' : 's'} (${formatBytes(report.compressedSizeBytes)} compressed)`],
      ['Efficiency:', formatPercent(report.efficiency)],
      ['Wasted bytes:', `${formatBytes(report.wastedBytes)} in lower layers, overwritten or removed later`],
      ['Dive wasted:', `${formatBytes(report.diveWastedBytes)} (user wasted ${formatPercent(report.userWastedPercent)} of ${formatBytes(report.userSizeBytes)} above the base layer)`],
    ]),
    '',
    'Layers',
  );
  const fixed = 3 + 9 + 6 + 6 + 8 + 10;
  out.push(
    indent(
      table(
        ['#', 'SIZE', 'ADDED', 'MODIF', 'REMOVED', 'CREATED BY'],
        report.layers.map((layer) => [
          String(layer.index + 1),
          formatBytes(layer.sizeBytes),
          String(layer.filesAdded),
          String(layer.filesModified),
          String(layer.filesRemoved),
          truncate(layer.createdBy || '-', width - fixed - 2),
        ]),
        new Set([0, 1, 2, 3, 4]),
      ),
    ),
  );
  const perLayer = options.biggestFiles ?? 3;
  if (perLayer > 0) {
    out.push('', 'Biggest files');
    for (const layer of report.layers) {
      const files = layer.biggestFiles.slice(0, perLayer);
      if (files.length === 0) continue;
      out.push(`  layer ${layer.index + 1}:`);
      for (const file of files) out.push(`    ${formatBytes(file.sizeBytes).padStart(9)}  /${file.path}`);
    }
  }
  const limit = options.inefficiencies ?? 20;
  // paths seen twice at 0 bytes (an empty directory listed again) waste nothing: counted, not listed
  const costly = report.inefficiencies.filter((item) => item.cumulativeBytes > 0);
  out.push('', costly.length === 0 ? 'No bytes are written by more than one layer.' : 'Inefficient paths (written by more than one layer)');
  if (costly.length > 0) {
    const rows = costly.slice(0, limit).map((item) => [String(item.occurrences), formatBytes(item.cumulativeBytes), item.path]);
    out.push(indent(table(['COUNT', 'TOTAL SPACE', 'PATH'], rows, new Set([0, 1]))));
    if (costly.length > limit) out.push(`  … and ${costly.length - limit} more`);
  }
  return `${out.join('\n')}\n`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
