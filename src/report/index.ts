/** The report library's public API (see README.md in this folder). */
export { analyzeLayers, type AnalyzeOptions } from './layer-analysis.js';
export { evaluateCiRules, parseByteSize, parseRatio, DIVE_CI_DEFAULTS, type CiThresholds, type RuleOutcome } from './ci-rules.js';
export * from './errors.js';
export { formatBytes, formatDuration, formatPercent } from './format.js';
export { layerReportJson, renderLayerReportJson, type LayersJsonOptions } from './layers-json.js';
export { renderLayerReportText, type LayersTextOptions } from './layers-text.js';
export { renderLayerReportHtml, layerCards, layerSections, type LayersHtmlOptions } from './layers-html.js';
export { renderHtmlPage, type HtmlPage, type HtmlSection, type SummaryCard } from './html/page.js';
export { renderBarChart, type Bar, type BarSegment } from './html/bar-chart.js';
export { html, raw, escapeHtml, Markup } from './html/escape.js';
export type { ReportSubject } from './subject.js';
export type * from './types.js';
export { analyzeStoredImage, layerInputsOf, type StoredImageReport } from './image-layers.js';
