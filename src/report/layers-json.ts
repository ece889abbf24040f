import type { ReportSubject } from './subject.js';
import type { LayerReport } from './types.js';

/** LayersJsonOptions: `files` includes every layer's full change list (long for big images). */
export interface LayersJsonOptions {
  files?: boolean;
}

/**
 * layerReportJson is the JSON form of a layer report: top-level `sizeBytes`, `wastedBytes` (bytes
 * of files overwritten or removed by later layers), `diveWastedBytes` (dive's figure),
 * `efficiency` and `layers[]` first (what CI scripts read), then the rest. A one-layer-of-user
 * image that wastes bytes has an infinite user wasted percent, written as null.
 */
export function layerReportJson(report: LayerReport, subject?: ReportSubject, options: LayersJsonOptions = {}): object {
  return {
    ...(subject ? { image: subject } : {}),
    sizeBytes: report.sizeBytes,
    wastedBytes: report.wastedBytes,
    efficiency: report.efficiency,
    diveWastedBytes: report.diveWastedBytes,
    userSizeBytes: report.userSizeBytes,
    userWastedPercent: Number.isFinite(report.userWastedPercent) ? report.userWastedPercent : null,
    compressedSizeBytes: report.compressedSizeBytes,
    layers: report.layers.map((layer) => {
      const { changes, ...rest } = layer;
      return options.files ? { ...rest, changes } : rest;
    }),
    inefficiencies: report.inefficiencies,
  };
}

/** renderLayerReportJson is layerReportJson as indented text with a final newline. */
export function renderLayerReportJson(report: LayerReport, subject?: ReportSubject, options: LayersJsonOptions = {}): string {
  return `${JSON.stringify(layerReportJson(report, subject, options), null, 2)}\n`;
}
