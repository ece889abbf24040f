import { ReportRuleError } from './errors.js';
import { formatBytes } from './format.js';
import type { LayerReport } from './types.js';

/**
 * CiThresholds are dive's three CI rules. `undefined` means "not given"; `'disabled'` turns a rule
 * off. Ratios are fractions (0.9 = 90 %), as in a `.dive-ci` file.
 */
export interface CiThresholds {
  lowestEfficiency?: number | 'disabled';
  highestWastedBytes?: number | 'disabled';
  highestUserWastedPercent?: number | 'disabled';
}

/** DIVE_CI_DEFAULTS are dive's defaults for a rule the user did not set. */
export const DIVE_CI_DEFAULTS: Required<CiThresholds> = {
  lowestEfficiency: 0.9,
  highestWastedBytes: 'disabled',
  highestUserWastedPercent: 0.1,
};

/** RuleOutcome is one rule's verdict with the sentence that explains it. */
export interface RuleOutcome {
  rule: 'lowestEfficiency' | 'highestWastedBytes' | 'highestUserWastedPercent';
  status: 'pass' | 'fail' | 'skip';
  message: string;
}

/** evaluateCiRules applies the thresholds (dive's defaults fill the gaps) to a report. */
export function evaluateCiRules(report: LayerReport, given: CiThresholds): RuleOutcome[] {
  const rules = { ...DIVE_CI_DEFAULTS, ...definedOnly(given) };
  const outcomes: RuleOutcome[] = [];
  const efficiency = rules.lowestEfficiency;
  outcomes.push(
    efficiency === 'disabled'
      ? { rule: 'lowestEfficiency', status: 'skip', message: 'rule disabled' }
      : report.efficiency < efficiency
        ? { rule: 'lowestEfficiency', status: 'fail', message: `image efficiency is too low (efficiency=${round(report.efficiency)} < threshold=${efficiency})` }
        : { rule: 'lowestEfficiency', status: 'pass', message: `efficiency=${round(report.efficiency)} >= threshold=${efficiency}` },
  );
  const wasted = rules.highestWastedBytes;
  outcomes.push(
    wasted === 'disabled'
      ? { rule: 'highestWastedBytes', status: 'skip', message: 'rule disabled' }
      : // dive's rule, so dive's figure: a .dive-ci threshold means the same thing here
        report.diveWastedBytes > wasted
        ? { rule: 'highestWastedBytes', status: 'fail', message: `too many bytes wasted (wasted-bytes=${report.diveWastedBytes} (${formatBytes(report.diveWastedBytes)}) > threshold=${wasted})` }
        : { rule: 'highestWastedBytes', status: 'pass', message: `wasted-bytes=${report.diveWastedBytes} <= threshold=${wasted}` },
  );
  const user = rules.highestUserWastedPercent;
  outcomes.push(
    user === 'disabled'
      ? { rule: 'highestUserWastedPercent', status: 'skip', message: 'rule disabled' }
      : report.userWastedPercent > user
        ? {
            rule: 'highestUserWastedPercent',
            status: 'fail',
            message: `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${round(report.userWastedPercent)} > threshold=${user})`,
          }
        : { rule: 'highestUserWastedPercent', status: 'pass', message: `%-user-wasted-bytes=${round(report.userWastedPercent)} <= threshold=${user}` },
  );
  return outcomes;
}

/** parseRatio reads a rule's fraction ("0.9") or "disabled"; `flag` names the option in errors. */
export function parseRatio(flag: string, text: string): number | 'disabled' {
  if (text.trim().toLowerCase() === 'disabled') return 'disabled';
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new ReportRuleError(`${flag}: expected a fraction such as 0.9 or "disabled", got ${JSON.stringify(text)}`);
  }
  return value;
}

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, ti: 1024 ** 4, tib: 1024 ** 4,
};

/** parseByteSize reads "20MB", "1.5 GiB", "4096" or "disabled" (units as dive's go-humanize reads them). */
export function parseByteSize(flag: string, text: string): number | 'disabled' {
  if (text.trim().toLowerCase() === 'disabled') return 'disabled';
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    throw new ReportRuleError(`${flag}: expected a size such as 20MB, 1.5GiB or 4096, got ${JSON.stringify(text)}`);
  }
  return Math.round(Number(match[1]) * factor);
}

function definedOnly(given: CiThresholds): CiThresholds {
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as CiThresholds;
}

function round(value: number): number | string {
  return Number.isFinite(value) ? Math.round(value * 10000) / 10000 : 'Infinity';
}
