import { DockerfileErrorCode } from './errors.js';
import type { InstructionRequest } from './instruction-request.js';
import type { Command, HealthcheckInstruction } from './ir.js';
import { parseDuration } from './values.js';

const DURATIONS = [['interval', 'interval'], ['timeout', 'timeout'], ['start-period', 'startPeriod'], ['start-interval', 'startInterval']] as const;

/** healthcheckInstruction reads `HEALTHCHECK NONE` or `HEALTHCHECK [options] CMD <command>`. */
export function healthcheckInstruction(req: InstructionRequest): HealthcheckInstruction {
  const n = req.node;
  req.atLeastOne();
  const typ = n.args[0]!.toUpperCase();
  const rest = n.args.slice(1);
  const typeOffset = n.raw.healthType?.offset ?? 0;
  if (typ === 'NONE') {
    // As BuildKit: NONE takes no arguments, and its flags are not even read.
    if (rest.length !== 0) throw req.fail(DockerfileErrorCode.InvalidArgument, 'HEALTHCHECK NONE takes no arguments', typeOffset);
    return { kind: 'healthcheck', range: req.node.range, keyword: req.node.keywordText, original: req.original(), test: { type: 'none' } };
  }
  const flags = req.flags({ interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' });
  if (typ !== 'CMD') {
    throw req.fail(DockerfileErrorCode.InvalidArgument, `Unknown type ${JSON.stringify(typ)} in HEALTHCHECK (try CMD)`, typeOffset);
  }
  if (rest.length === 0) throw req.fail(DockerfileErrorCode.MissingArgument, 'Missing command after HEALTHCHECK CMD', typeOffset);
  const command: Command = n.json ? { form: 'exec', args: rest } : { form: 'shell', text: rest.join(' ') };
  const out: HealthcheckInstruction = { kind: 'healthcheck', range: req.node.range, keyword: req.node.keywordText, original: req.original(), test: { type: 'cmd', command } };
  for (const [flag, field] of DURATIONS) {
    const v = flags.strings.get(flag);
    if (v === undefined || v === '') continue;
    const ns = parseDuration(v);
    if (ns === undefined) throw req.flagFail(flag, `time: invalid duration ${JSON.stringify(v)}`, 'use a duration such as 30s, 1m30s or 500ms');
    if (ns === 0) continue;
    if (ns < 1e6) throw req.flagFail(flag, `Interval ${JSON.stringify(flag)} cannot be less than 1ms`);
    out[field] = ns;
  }
  const retries = flags.strings.get('retries');
  if (retries !== undefined && retries !== '') {
    const r = /^[+-]?\d+$/.test(retries) ? Number(retries) : NaN;
    if (!Number.isSafeInteger(r) || Math.abs(r) > 2 ** 31) throw req.flagFail('retries', `invalid value for --retries: ${JSON.stringify(retries)}`);
    if (r < 0) throw req.flagFail('retries', `--retries cannot be negative (${r})`);
    out.retries = r;
  }
  return out;
}
