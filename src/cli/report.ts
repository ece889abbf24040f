import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { evaluateCiRules, parseByteSize, parseRatio, type CiThresholds, type RuleOutcome } from '../report/ci-rules.js';
import { renderBuildReportHtml, renderBuildReportJson, renderBuildReportText } from '../report/build-render.js';
import { loadBuildReport } from '../report/build-select.js';
import { analyzeStoredImage } from '../report/image-layers.js';
import { layerReportJson } from '../report/layers-json.js';
import { renderLayerReportHtml } from '../report/layers-html.js';
import { renderLayerReportText } from '../report/layers-text.js';
import { InvalidArgumentError } from '../util/errors.js';
import { out, withStore } from './store-access.js';

type Format = 'text' | 'json' | 'html';

interface LayersOptions {
  format?: string;
  output?: string;
  files?: boolean;
  ci?: boolean;
  lowestEfficiency?: string;
  highestWastedBytes?: string;
  highestUserWastedPercent?: string;
}

/** register adds `strata report layers IMAGE` and `strata report build [BUILD|last]`. */
export function register(program: Command): void {
  const report = program.command('report').description('Reports on images and builds (text, JSON, self-contained HTML)');
  report
    .command('build [BUILD]')
    .description('Show a recorded build: each step with its cache status and why, its time and layer size; in HTML a timeline of the stages')
    .option('--format <format>', 'text, json or html (default: text, or html when -o ends in .html)')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(async (which: string | undefined, opts: { format?: string; output?: string }, cmd: Command) => {
      const format = pickFormat(opts.format, opts.output);
      const build = await withStore(cmd, (store) => loadBuildReport(store, which));
      const text =
        format === 'json' ? renderBuildReportJson(build) : format === 'html' ? renderBuildReportHtml(build) : renderBuildReportText(build, { width: process.stdout.columns ?? 110 });
      if (opts.output) writeAtomically(opts.output, text);
      else out(text);
    });
  report
    .command('layers <IMAGE>')
    .description("Show what each layer adds, modifies and removes, the image's wasted bytes and efficiency (as dive computes them)")
    .option('--format <format>', 'text, json or html (default: text, or html when -o ends in .html)')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--files', 'JSON: list every path each layer changes')
    .option('--ci', "check the image against dive's CI rules and exit 1 when one fails (defaults: lowest efficiency 0.9, highest user wasted percent 0.1)")
    .option('--lowest-efficiency <ratio>', 'CI rule: fail below this efficiency (0..1, or "disabled")')
    .option('--highest-wasted-bytes <size>', 'CI rule: fail above this many wasted bytes as dive counts them (diveWastedBytes; 20MB, 1.5GiB, 4096, or "disabled")')
    .option('--highest-user-wasted-percent <ratio>', 'CI rule: fail when wasted bytes over bytes above the base exceed this (0..1, or "disabled")')
    .action(async (image: string, opts: LayersOptions, cmd: Command) => {
      const format = pickFormat(opts.format, opts.output);
      const thresholds = readThresholds(opts);
      const ci = opts.ci === true || Object.values(thresholds).some((value) => value !== undefined);
      const { subject, report } = await withStore(cmd, (store) => analyzeStoredImage(store, image));
      const outcomes = ci ? evaluateCiRules(report, thresholds) : [];
      const failed = outcomes.filter((outcome) => outcome.status === 'fail');
      let text: string;
      if (format === 'json') {
        const json = { ...layerReportJson(report, subject, { files: opts.files === true }), ...(ci ? { ci: { passed: failed.length === 0, rules: outcomes } } : {}) };
        text = `${JSON.stringify(json, null, 2)}\n`;
      } else if (format === 'html') {
        text = renderLayerReportHtml(report, subject);
      } else {
        text = renderLayerReportText(report, subject, { width: process.stdout.columns ?? 100 }) + (ci ? `\n${ciText(outcomes)}` : '');
      }
      if (opts.output) writeAtomically(opts.output, text);
      else out(text);
      if (ci && (format !== 'text' || opts.output)) process.stderr.write(ciText(outcomes));
      if (failed.length > 0) process.exitCode = 1;
    });
}

/** pickFormat: --format wins; otherwise html for an .html output file, else text. */
export function pickFormat(format: string | undefined, output: string | undefined): Format {
  const chosen = format ?? (output && /\.html?$/i.test(output) ? 'html' : 'text');
  if (chosen === 'text' || chosen === 'json' || chosen === 'html') return chosen;
  throw new InvalidArgumentError(`--format: expected text, json or html, got ${JSON.stringify(chosen)}`);
}

function readThresholds(opts: LayersOptions): CiThresholds {
  return {
    ...(opts.lowestEfficiency !== undefined ? { lowestEfficiency: parseRatio('--lowest-efficiency', opts.lowestEfficiency) } : {}),
    ...(opts.highestWastedBytes !== undefined ? { highestWastedBytes: parseByteSize('--highest-wasted-bytes', opts.highestWastedBytes) } : {}),
    ...(opts.highestUserWastedPercent !== undefined
      ? { highestUserWastedPercent: parseRatio('--highest-user-wasted-percent', opts.highestUserWastedPercent) }
      : {}),
  };
}

/** ciText prints one line per rule as dive does (PASS/FAIL/SKIP), then the verdict. */
function ciText(outcomes: RuleOutcome[]): string {
  const lines = outcomes.map((o) => `  ${o.status.toUpperCase().padEnd(4)}: ${o.rule}: ${o.message}`);
  const failed = outcomes.filter((o) => o.status === 'fail').length;
  const verdict = failed === 0 ? 'Result: PASS' : `Result: FAIL (${failed} of ${outcomes.length} rules failed)`;
  return `CI rules\n${lines.join('\n')}\n${verdict}\n`;
}

/** writeAtomically writes beside the target and renames, so a reader never sees half a report. */
export function writeAtomically(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new InvalidArgumentError(`-o ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
